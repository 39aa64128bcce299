package workflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// maxRuleList caps each condition and tag list of a rule.
const maxRuleList = 100

// normalize checks a new rule and puts its values in their stored form: trimmed, lower-cased
// keywords, tags and tiers without duplicates.
func (nr *NewRule) normalize() error {
	nr.Name = strings.TrimSpace(nr.Name)
	nr.RuleSet = strings.TrimSpace(nr.RuleSet)
	nr.SetTeam = strings.TrimSpace(nr.SetTeam)
	if nr.Name == "" {
		return ruleInvalid("name", "is required")
	}
	if nr.RuleSet == "" {
		nr.RuleSet = DefaultRuleSet
	}
	if nr.Position < 0 {
		return ruleInvalid("position", "must be 1 or more (0 appends)")
	}
	for field, n := range map[string]int{"inbox_ids": len(nr.InboxIDs), "channels": len(nr.Channels),
		"keywords": len(nr.Keywords), "contact_tags": len(nr.ContactTags), "tiers": len(nr.Tiers),
		"priorities": len(nr.Priorities), "set_tags": len(nr.SetTags), "company_ids": len(nr.CompanyIDs),
		"companies": len(nr.Companies)} {
		if n > maxRuleList {
			return ruleInvalid(field, "at most %d values", maxRuleList)
		}
	}
	for _, c := range nr.Channels {
		if !c.Valid() {
			return ruleInvalid("channels", "unknown channel %q", c)
		}
	}
	for _, p := range nr.Priorities {
		if !p.Valid() {
			return ruleInvalid("priorities", "must be low, normal, high or urgent, not %q", p)
		}
	}
	if nr.SetPriority != "" && !nr.SetPriority.Valid() {
		return ruleInvalid("set_priority", "must be low, normal, high or urgent, not %q", nr.SetPriority)
	}
	var err error
	if nr.Keywords, err = cleanWords("keywords", nr.Keywords); err != nil {
		return err
	}
	if nr.Tiers, err = cleanWords("tiers", nr.Tiers); err != nil {
		return err
	}
	if nr.ContactTags, err = inbox.CleanTags(nr.ContactTags); err != nil {
		return renameField(err, "contact_tags")
	}
	if nr.SetTags, err = inbox.CleanTags(nr.SetTags); err != nil {
		return renameField(err, "set_tags")
	}
	nr.SetCategory = strings.TrimSpace(nr.SetCategory) // checked against the list by resolveCategory
	if nr.SetTeamID == 0 && nr.SetTeam == "" && nr.SetPriority == "" && nr.SetCategory == "" && nr.SetCategoryID == 0 && len(nr.SetTags) == 0 {
		return ruleInvalid("", "a rule needs an action: set_team, set_priority, set_category or set_tags")
	}
	return nil
}

// cleanWords trims and lower-cases values and drops duplicates; a value without a letter or
// digit could never match and is refused.
func cleanWords(field string, values []string) ([]string, error) {
	out := make([]string, 0, len(values))
	for _, v := range values {
		v = strings.ToLower(strings.TrimSpace(v))
		if len(words(v)) == 0 || len(v) > 200 {
			return nil, ruleInvalid(field, "%q: want 1-200 characters with a letter or digit", v)
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

// renameField points a *inbox.ValidationError at the rule's field.
func renameField(err error, field string) error {
	var ve *inbox.ValidationError
	if errors.As(err, &ve) {
		return ruleInvalid(field, "%s", ve.Reason)
	}
	return err
}

// resolve turns the team name into its id and checks that the inboxes exist.
func (r *Rules) resolve(ctx context.Context, nr *NewRule) error {
	if err := r.resolveCategory(ctx, nr); err != nil {
		return err
	}
	if nr.SetTeam != "" {
		t, err := r.store.TeamByName(ctx, nr.SetTeam)
		if errors.Is(err, inbox.ErrNotFound) {
			return ruleInvalid("set_team", "no team %q", nr.SetTeam)
		}
		if err != nil {
			return err
		}
		if nr.SetTeamID != 0 && nr.SetTeamID != t.ID {
			return ruleInvalid("set_team", "names team %d, but set_team_id is %d", t.ID, nr.SetTeamID)
		}
		nr.SetTeamID = t.ID
	}
	for _, id := range nr.InboxIDs {
		_, err := r.store.GetInbox(ctx, id)
		if errors.Is(err, inbox.ErrNotFound) {
			return ruleInvalid("inbox_ids", "no inbox %d", id)
		}
		if err != nil {
			return fmt.Errorf("inbox %d: %w", id, err)
		}
	}
	if err := r.resolveCompanies(ctx, nr); err != nil {
		return err
	}
	if len(nr.Attributes) > 0 {
		defs, err := r.store.AttributeDefs(ctx, inbox.AttrContact)
		if err != nil {
			return err
		}
		if nr.Attributes, err = cleanAttrConditions(defs, nr.Attributes); err != nil {
			return err
		}
	}
	return nil
}

// resolveCompanies turns the company names into ids, adds them to CompanyIDs and checks that
// every company exists.
func (r *Rules) resolveCompanies(ctx context.Context, nr *NewRule) error {
	for _, name := range nr.Companies {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		found, err := r.store.Companies(ctx, name)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(found, func(c inbox.Company) bool { return strings.EqualFold(c.Name, name) })
		if i < 0 {
			return ruleInvalid("companies", "no company %q", name)
		}
		nr.CompanyIDs = append(nr.CompanyIDs, found[i].ID)
	}
	nr.Companies = nil
	ids := make([]int64, 0, len(nr.CompanyIDs))
	for _, id := range nr.CompanyIDs {
		if slices.Contains(ids, id) {
			continue
		}
		_, err := r.store.GetCompany(ctx, id)
		if errors.Is(err, inbox.ErrNotFound) {
			return ruleInvalid("company_ids", "no company %d", id)
		}
		if err != nil {
			return fmt.Errorf("company %d: %w", id, err)
		}
		ids = append(ids, id)
	}
	nr.CompanyIDs = ids
	return nil
}
