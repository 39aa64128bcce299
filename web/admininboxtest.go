package web

import (
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// testNewInbox is POST /admin/inboxes/test: the add form's "Test connection". It stores
// nothing; the form comes back with the results (secrets blank).
func (s *Server) testNewInbox(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	kind, a, err := s.inboxKind(r.PostForm.Get("kind"))
	if err != nil {
		return badRequest(userMessage(s.words(r), err))
	}
	return s.testConnection(w, r, kind, a, nil)
}

// testInbox is POST /admin/inboxes/{id}/test: the edit form's "Test connection", with the
// saved secrets for those left blank. It stores nothing.
func (s *Server) testInbox(w http.ResponseWriter, r *http.Request) error {
	in, a, err := s.editedInbox(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	return s.testConnection(w, r, in.Kind, a, &in)
}

// testConnection runs the channel's connection test on the posted form, within the tester's
// own time limit, and shows the form again with what it found.
func (s *Server) testConnection(w http.ResponseWriter, r *http.Request, kind inbox.Channel, a channels.InboxAdmin, current *inbox.Inbox) error {
	tester, ok := a.(channels.ConnectionTester)
	if !ok {
		return &apiError{http.StatusNotFound, "not_found", "a " + channelName(kind) + " inbox has no connection to test"}
	}
	f, v, err := s.submittedForm(r, kind, a, current)
	if err != nil {
		return s.refuseInboxForm(w, r, v, err)
	}
	v.Checks = tester.TestConnection(r.Context(), f)
	notice, errMsg := s.words(r).t("notice.inbox.test_passed"), ""
	for _, c := range v.Checks {
		if !c.OK {
			notice, errMsg = "", s.words(r).t("admin.inbox.test_failed")
		}
	}
	return s.renderInboxForm(w, r, http.StatusOK, v, notice, errMsg)
}

// enableInbox is POST /admin/inboxes/{id}/enabled: on=true enables, anything else disables.
func (s *Server) enableInbox(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	on := r.PostForm.Get("on") == "true"
	action := map[bool]string{true: "enabled", false: "disabled"}[on]
	err = s.store.Audited(r.Context(), func(tx pgx.Tx) (inbox.AuditRecord, error) {
		in, err := s.store.SetInboxDisabledTx(r.Context(), tx, id, !on)
		return auditActorOf(r).Record(inbox.AuditInboxChanged, inbox.AuditTarget("inbox", id),
			map[string]any{"action": action, "kind": string(in.Kind), "name": in.Name}), err
	})
	if err != nil {
		return err
	}
	saved(w, r, "/admin/inboxes/"+strconv.FormatInt(id, 10), action)
	return nil
}
