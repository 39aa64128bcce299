package workflow

import (
	"context"

	"github.com/parleyhq/parley/inbox"
)

// resolveCategory checks the category a new rule sets against the admin-managed list: given by
// path (set_category) or by id (set_category_id), or both when they agree. It leaves both set,
// the path in its canonical form. An unknown or archived category is a *inbox.ValidationError.
func (r *Rules) resolveCategory(ctx context.Context, nr *NewRule) error {
	if nr.SetCategory == "" && nr.SetCategoryID == 0 {
		return nil
	}
	var c inbox.Category
	var err error
	if nr.SetCategory != "" {
		c, err = r.store.CategoryByPath(ctx, "set_category", nr.SetCategory)
	} else {
		c, err = r.store.Category(ctx, "set_category_id", nr.SetCategoryID)
	}
	if err != nil {
		return err
	}
	if nr.SetCategoryID != 0 && nr.SetCategoryID != c.ID {
		return ruleInvalid("set_category", "names category %d, but set_category_id is %d", c.ID, nr.SetCategoryID)
	}
	if c.Archived {
		return ruleInvalid("set_category", "%s is archived", c.Path)
	}
	nr.SetCategoryID, nr.SetCategory = c.ID, c.Path
	return nil
}
