package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// failedShown is how many failed deliveries the Problems page lists.
const failedShown = 100

// failedRow is a failed delivery as the Problems page shows it.
type failedRow struct {
	inbox.FailedDelivery
	Inbox string
	// Credentials marks a reason in which the provider refused the inbox's credentials.
	Credentials bool
	Do          string
}

// problemsView is the Problems page: failed deliveries, and each source's problems by kind.
type problemsView struct {
	Failed []failedRow
	ByKind map[string][]channels.Problem
	// Unchecked names the sources that could not be asked (the page still shows the others).
	Unchecked int
}

// problemRoutes mounts the Problems page and its retry button.
func (s *Server) problemRoutes(m *router) {
	s.guard(m, "GET /admin/problems", inbox.RoleAdmin, s.adminProblems)
	s.guard(m, "POST /admin/problems/deliveries/{id}/retry", inbox.RoleAdmin, s.retryDelivery)
}

// adminProblems is GET /admin/problems: in plain words, what went wrong and what to do.
func (s *Server) adminProblems(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	failed, err := s.store.FailedDeliveries(ctx, failedShown)
	if err != nil {
		return err
	}
	inboxes, err := s.store.Inboxes(ctx, "")
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, in := range inboxes {
		names[in.ID] = in.Name
	}
	v := problemsView{ByKind: map[string][]channels.Problem{}}
	for _, f := range failed {
		row := failedRow{FailedDelivery: f, Credentials: credentialsRefused(f.Reason)}
		if f.InboxID != nil {
			row.Inbox = names[*f.InboxID]
		}
		row.Do = s.words(r).t("admin.problems.do_read_reason")
		if row.Credentials {
			row.Do = s.words(r).t("admin.problems.do_credentials")
		}
		v.Failed = append(v.Failed, row)
	}
	for _, src := range s.problems {
		list, err := src(ctx)
		if err != nil {
			s.log.Error("problems: a source failed", "err", err)
			v.Unchecked++
			continue
		}
		for _, p := range list {
			v.ByKind[string(p.Kind)] = append(v.ByKind[string(p.Kind)], p)
		}
	}
	s.render(w, r, http.StatusOK, "admin_problems", page{Title: s.words(r).t("title.problems"), Agent: agentFrom(ctx), Nav: "admin",
		Notice: s.words(r).t(notices[r.URL.Query().Get("saved")]), Body: v})
	return nil
}

// retryDelivery is POST /admin/problems/deliveries/{id}/retry: the failed message is queued
// again and its delivery job inserted, in one transaction with the audit entry. A message that
// is not failed (already retried) is 409.
func (s *Server) retryDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	actor := agentFrom(r.Context())
	err = s.store.Audited(r.Context(), func(tx pgx.Tx) (inbox.AuditRecord, error) {
		err := s.store.RetryDeliveryTx(r.Context(), tx, id, inbox.Actor{AgentID: actor.ID})
		return auditActorOf(r).Record(inbox.AuditDeliveryRetried, inbox.AuditTarget("message", id), nil), err
	})
	if errors.Is(err, inbox.ErrConflict) {
		return &apiError{http.StatusConflict, "conflict", "This message is no longer failed: it was retried already."}
	}
	if err != nil {
		return err
	}
	saved(w, r, "/admin/problems", "retried")
	return nil
}

// credentialRefusals are words providers use when they refuse credentials: Twilio's 20003
// ("Authenticate"), Slack's invalid_auth, not_authed, token_revoked and account_inactive, SMTP's
// 535 and the email channel's own "check the user name and password".
var credentialRefusals = []string{"20003", "authenticate", "invalid_auth", "not_authed", "token_revoked",
	"account_inactive", "535 ", "user name and password", "unauthorized"}

// credentialsRefused reports whether a failed delivery's reason says the provider refused the
// inbox's credentials (a reading of its words: providers give no common code).
func credentialsRefused(reason string) bool {
	r := strings.ToLower(reason)
	for _, w := range credentialRefusals {
		if strings.Contains(r, w) {
			return true
		}
	}
	return false
}
