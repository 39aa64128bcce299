package web

import (
	"context"

	"github.com/parleyhq/parley/inbox"
)

// categoryPanel is what the conversation view offers for its category and resolution code: the
// categories and codes that are not archived (plus the conversation's own, even archived).
type categoryPanel struct {
	Categories []inbox.Category
	Codes      []inbox.ResolutionCode
}

// categoryPanelOf loads the lists the conversation view's category and resolution selects show.
func (s *Server) categoryPanelOf(ctx context.Context, c inbox.Conversation) (categoryPanel, error) {
	var p categoryPanel
	cats, err := s.store.Categories(ctx)
	if err != nil {
		return p, err
	}
	for _, k := range cats {
		if !k.Archived || (c.CategoryID != nil && *c.CategoryID == k.ID) {
			p.Categories = append(p.Categories, k)
		}
	}
	codes, err := s.store.ResolutionCodes(ctx)
	if err != nil {
		return p, err
	}
	for _, k := range codes {
		if !k.Archived || (c.ResolutionCodeID != nil && *c.ResolutionCodeID == k.ID) {
			p.Codes = append(p.Codes, k)
		}
	}
	return p, nil
}

// describeCategory words the audit entries of a conversation's category and resolution code:
// "Ann set the category to Delivery › Damaged", "Category set to Billing by routing".
func describeCategory(w words, kind, who string, system bool, d map[string]any) (string, bool) {
	to, _ := d["to"].(string)
	switch kind {
	case "category":
		if system && to != "" { // the system sets a category through a routing rule
			return w.t("timeline.category_routing", "category", to), true
		}
		if to == "" {
			return w.t("timeline.category_cleared", "who", who), true
		}
		return w.t("timeline.category_set", "who", who, "category", to), true
	case "resolution_code":
		if to == "" {
			return w.t("timeline.code_cleared", "who", who), true
		}
		return w.t("timeline.code_set", "who", who, "code", to), true
	}
	return "", false
}
