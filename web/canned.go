package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// listCanned is GET /api/v1/canned: the canned responses, for the composer's "/" menu.
func (s *Server) listCanned(w http.ResponseWriter, r *http.Request) error {
	list, err := s.store.CannedResponses(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"canned": list})
	return nil
}

// cannedView is the admin page of canned responses.
type cannedView struct {
	List []inbox.Canned
	Form inbox.Canned // what the form shows (after an error, what was sent)
}

// adminCanned is GET /admin/canned.
func (s *Server) adminCanned(w http.ResponseWriter, r *http.Request) error {
	return s.renderCanned(w, r, http.StatusOK, inbox.Canned{}, "")
}

func (s *Server) renderCanned(w http.ResponseWriter, r *http.Request, status int, form inbox.Canned, errMsg string) error {
	list, err := s.store.CannedResponses(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, status, "admin_canned", page{Title: s.words(r).t("title.canned_responses"), Agent: agentFrom(r.Context()), Nav: "admin",
		Notice: s.words(r).t(notices[r.URL.Query().Get("saved")]), Error: errMsg, Body: cannedView{List: list, Form: form}})
	return nil
}

// saveCanned is POST /admin/canned: create (no id) or update a canned response.
func (s *Server) saveCanned(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	c := inbox.Canned{Shortcut: r.PostForm.Get("shortcut"), Title: r.PostForm.Get("title"), Body: r.PostForm.Get("body")}
	if v := r.PostForm.Get("id"); v != "" {
		id, err := formID(r, "id")
		if err != nil {
			return err
		}
		c.ID = id
	}
	err := s.store.Audited(r.Context(), func(tx pgx.Tx) (inbox.AuditRecord, error) {
		out, err := s.store.SaveCannedTx(r.Context(), tx, c, inbox.Actor{AgentID: agentFrom(r.Context()).ID})
		action := "created"
		if c.ID != 0 {
			action = "updated"
		}
		return auditActorOf(r).Record(inbox.AuditCannedChanged, inbox.AuditTarget("canned", out.ID),
			map[string]any{"action": action, "shortcut": out.Shortcut}), err
	})
	if errors.Is(err, inbox.ErrInvalid) || errors.Is(err, inbox.ErrConflict) {
		return s.renderCanned(w, r, http.StatusBadRequest, c, existsMessage(s.words(r), err, s.words(r).t("admin.canned.shortcut_exists")))
	}
	if err != nil {
		return err
	}
	saved(w, r, "/admin/canned", "canned")
	return nil
}

// deleteCanned is POST /admin/canned/{id}/delete.
func (s *Server) deleteCanned(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.store.Audited(r.Context(), func(tx pgx.Tx) (inbox.AuditRecord, error) {
		shortcut, err := s.store.DeleteCannedTx(r.Context(), tx, id)
		return auditActorOf(r).Record(inbox.AuditCannedChanged, inbox.AuditTarget("canned", id),
			map[string]any{"action": "deleted", "shortcut": shortcut}), err
	}); err != nil {
		return err
	}
	saved(w, r, "/admin/canned", "deleted")
	return nil
}

// userMessage is an input error as an admin reads it: the field in words (first_response is
// "first response").
func userMessage(w words, err error) string {
	var ve *inbox.ValidationError
	if errors.As(err, &ve) {
		return w.t("form.please_check", "field", strings.ReplaceAll(ve.Field, "_", " "), "reason", ve.Reason)
	}
	if errors.Is(err, inbox.ErrConflict) {
		return w.t("form.already_exists")
	}
	return err.Error()
}

// existsMessage is userMessage, with a conflict said as exists ("An agent with this email
// already exists."), which names the field that must be unique.
func existsMessage(w words, err error, exists string) string {
	var ve *inbox.ValidationError
	if errors.Is(err, inbox.ErrConflict) && !errors.As(err, &ve) {
		return exists
	}
	return userMessage(w, err)
}
