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
			refusal = listInUse(fmt.Sprintf("The category “%s” cannot be deleted", path), use, rules)
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
			refusal = listInUse(fmt.Sprintf("The resolution code “%s” cannot be deleted", name), use, nil)
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

// listInUse says why a category or code stays, and what to do instead.
func listInUse(head string, use inbox.ListUse, rules []string) string {
	var parts []string
	switch n := use.Conversations; {
	case n == 1:
		parts = append(parts, "1 conversation carries it")
	case n > 1:
		parts = append(parts, fmt.Sprintf("%d conversations carry it", n))
	}
	switch n := use.Children; {
	case n == 1:
		parts = append(parts, "it has 1 sub-category")
	case n > 1:
		parts = append(parts, fmt.Sprintf("it has %d sub-categories", n))
	}
	if len(rules) > 0 {
		q := make([]string, len(rules))
		for i, n := range rules {
			q[i] = "“" + n + "”"
		}
		if len(q) == 1 {
			parts = append(parts, "the routing rule "+q[0]+" sets it")
		} else {
			parts = append(parts, "the routing rules "+strings.Join(q, ", ")+" set it")
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "something still uses it")
	}
	return head + ": " + strings.Join(parts, "; ") + ". Archive it instead: it stays where it is used and is offered no more."
}
