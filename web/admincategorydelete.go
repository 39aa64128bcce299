package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// deleteCategory is POST /admin/categories/{id}/delete. Only a category nothing carries goes:
// one on conversations (closed ones included, which the reports read), set by a routing rule or
// holding sub-categories is refused (409) with what uses it, since archiving keeps that history
// while offering the category no more.
func (s *Server) deleteCategory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var refusal string
	err = s.store.Audited(r.Context(), func(tx pgx.Tx) (inbox.AuditRecord, error) {
		rules, err := workflow.CategoryRulesTx(r.Context(), tx, id)
		if err != nil {
			return inbox.AuditRecord{}, err
		}
		path, use, err := s.store.DeleteCategoryTx(r.Context(), tx, id)
		if errors.Is(err, inbox.ErrConflict) {
			refusal = listInUse(s.words(r), s.words(r).t("admin.categories.category_stays", "name", path), use, rules)
		}
		return auditActorOf(r).Record(inbox.AuditCategoryChanged, inbox.AuditTarget("category", id),
			map[string]any{"action": "deleted", "path": path}), err
	})
	if errors.Is(err, inbox.ErrConflict) {
		return s.renderCategories(w, r, http.StatusConflict, refusal)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/categories?saved=deleted", http.StatusSeeOther)
	return nil
}

// deleteResolutionCode is POST /admin/resolution-codes/{id}/delete, refused (409) as
// deleteCategory is while a conversation carries the code.
func (s *Server) deleteResolutionCode(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var refusal string
	err = s.store.Audited(r.Context(), func(tx pgx.Tx) (inbox.AuditRecord, error) {
		name, use, err := s.store.DeleteResolutionCodeTx(r.Context(), tx, id)
		if errors.Is(err, inbox.ErrConflict) {
			refusal = listInUse(s.words(r), s.words(r).t("admin.categories.code_stays", "name", name), use, nil)
		}
		return auditActorOf(r).Record(inbox.AuditCategoryChanged, inbox.AuditTarget("resolution_code", id),
			map[string]any{"action": "deleted", "name": name}), err
	})
	if errors.Is(err, inbox.ErrConflict) {
		return s.renderCategories(w, r, http.StatusConflict, refusal)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/categories?saved=code_deleted", http.StatusSeeOther)
	return nil
}

// listInUse says why a category or code stays, and what to do instead; head names it.
func listInUse(w words, head string, use inbox.ListUse, rules []string) string {
	var parts []string
	if n := use.Conversations; n > 0 {
		parts = append(parts, w.t("admin.categories.in_use.conversations", "count", n))
	}
	if n := use.Children; n > 0 {
		parts = append(parts, w.t("admin.categories.in_use.children", "count", n))
	}
	if len(rules) > 0 {
		q := make([]string, len(rules))
		for i, n := range rules {
			q[i] = "“" + n + "”"
		}
		parts = append(parts, w.t("admin.categories.in_use.rules", "count", len(q), "names", strings.Join(q, ", ")))
	}
	if len(parts) == 0 {
		parts = append(parts, w.t("admin.categories.in_use.something"))
	}
	return w.t("admin.categories.archive_instead", "head", head, "uses", strings.Join(parts, "; "))
}
