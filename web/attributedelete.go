package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// deleteAttributeDef deletes the definition of attribute key of object and its values, audited;
// one a routing rule tests is refused (ErrConflict) with the names of the rules.
func (s *Server) deleteAttributeDef(r *http.Request, object, key string) (rules []string, err error) {
	if object != inbox.AttrContact && object != inbox.AttrCompany {
		return nil, badRequest("object must be contact or company")
	}
	err = s.store.Audited(r.Context(), func(tx pgx.Tx) (inbox.AuditRecord, error) {
		if object == inbox.AttrContact {
			var err error
			if rules, err = workflow.AttributeRulesTx(r.Context(), tx, key); err != nil {
				return inbox.AuditRecord{}, err
			}
			if len(rules) > 0 {
				return inbox.AuditRecord{}, fmt.Errorf("attribute %s is tested by rules: %w", key, inbox.ErrConflict)
			}
		}
		d, values, err := s.store.DeleteAttributeDefTx(r.Context(), tx, object, key)
		return auditActorOf(r).Record(inbox.AuditSettingsChanged, inbox.AuditTarget("attribute", d.ID),
			map[string]any{"action": "deleted", "object": object, "key": key, "values": values}), err
	})
	return rules, err
}

// deleteAttributeForm is POST /admin/attributes/delete (object, key).
func (s *Server) deleteAttributeForm(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	key := r.PostForm.Get("key")
	rules, err := s.deleteAttributeDef(r, r.PostForm.Get("object"), key)
	if errors.Is(err, inbox.ErrConflict) {
		return s.renderAttributes(w, r, http.StatusConflict, s.words(r).t("admin.attributes.tested_by_rules",
			"field", key, "rules", strings.Join(rules, ", ")))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/attributes?saved=deleted", http.StatusSeeOther)
	return nil
}

// deleteAttribute is DELETE /api/v1/attributes/{object}/{key}: 204; 409 naming the rules that
// test it; 404 for an unknown one.
func (s *Server) deleteAttribute(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("key")
	rules, err := s.deleteAttributeDef(r, r.PathValue("object"), key)
	if errors.Is(err, inbox.ErrConflict) {
		// The API's message stays English (machine-facing); the page's is the catalogue's.
		apiMsg := fmt.Sprintf("The field “%s” cannot be deleted: the routing rules %s test it. Change those rules first.",
			key, strings.Join(rules, ", "))
		return fmt.Errorf("%s: %w", apiMsg, inbox.ErrConflict)
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
