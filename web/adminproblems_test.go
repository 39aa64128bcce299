package web

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// TestProblemsPageListsFailedDeliveriesAndRetriesThemThroughRiver fails a reply for good (the
// provider refused the credentials), shows it on the Problems page with the reason and what to
// do, beside a channel's own problem, and retries it: the message is queued again with a new
// delivery job and an audit entry, in one transaction; a second retry, an agent's and a
// cross-site one change nothing.
func TestProblemsPageListsFailedDeliveriesAndRetriesThemThroughRiver(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	admin := e.newUser(t, "ada", inbox.RoleAdmin)
	agent := e.newUser(t, "ana", inbox.RoleAgent)

	st, body := admin.get(t, "/admin/problems")
	if st != http.StatusOK {
		t.Fatalf("problems page: %d %s", st, body)
	}
	mustContain(t, "empty", body, "Nothing needs you")

	c := e.customer(t, "p-1", "pat@example.com", "Pat", "Order", "Where is it?")
	m, err := e.store.Send(ctx, inbox.Reply{ConversationID: c.ConversationID, Author: inbox.Actor{AgentID: admin.agent.ID}, Text: "On its way"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.UpdateDelivery(ctx, inbox.DeliveryUpdate{MessageID: m.ID, Status: inbox.DeliveryFailed,
		Error: "twilio: 20003 Authenticate"}); err != nil {
		t.Fatal(err)
	}
	e.srv.problems = append(e.srv.problems, func(context.Context) ([]channels.Problem, error) {
		return []channels.Problem{{Kind: channels.ProblemNotPolling, Inbox: "Support mail", Since: e.clock().Add(-time.Hour),
			What: "The mailbox of Support mail could not be read.", Detail: "dial tcp: refused", Do: "Check the IMAP server."}}, nil
	})
	_, body = admin.get(t, "/admin/problems")
	mustContain(t, "listed", body, "Replies that failed for good", "On its way", "twilio: 20003 Authenticate",
		"Credentials refused.", "update them", "/admin/problems/deliveries/"+i64(m.ID)+"/retry",
		"Mailboxes not being read", "Support mail", "dial tcp: refused", "Check the IMAP server.")
	mustNotContain(t, "listed", body, "Nothing needs you")

	path := "/admin/problems/deliveries/" + i64(m.ID) + "/retry"
	if st, _ := agent.postForm(t, path, nil); st != http.StatusForbidden {
		t.Errorf("an agent's retry: %d, want 403", st)
	}
	if st, _ := admin.do(t, http.MethodPost, path, "application/x-www-form-urlencoded", "", "Sec-Fetch-Site", "cross-site"); st != http.StatusForbidden {
		t.Errorf("a cross-site retry: %d, want 403", st)
	}
	if n := e.deliverJobs(t, m.ID); n != 1 {
		t.Fatalf("%d delivery jobs before the retry, want the first one only", n)
	}
	if st, body := admin.postForm(t, path, nil); st != http.StatusSeeOther {
		t.Fatalf("retry: %d %s", st, body)
	}
	got, err := e.store.GetMessage(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.DeliveryStatus != inbox.DeliveryQueued {
		t.Errorf("after the retry the message is %q, want queued", got.DeliveryStatus)
	}
	if n := e.deliverJobs(t, m.ID); n != 2 {
		t.Errorf("%d delivery jobs after the retry, want 2 (the retry's own)", n)
	}
	var audited int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE kind = $1 AND target = $2`,
		inbox.AuditDeliveryRetried, inbox.AuditTarget("message", m.ID)).Scan(&audited); err != nil || audited != 1 {
		t.Errorf("audit entries of the retry: %d (%v), want 1", audited, err)
	}
	if st, _ := admin.postForm(t, path, nil); st != http.StatusConflict {
		t.Errorf("a second retry: %d, want 409", st)
	}
	if st, _ := admin.postForm(t, "/admin/problems/deliveries/999999/retry", nil); st != http.StatusNotFound {
		t.Errorf("retry of no message: %d, want 404", st)
	}
	if n := e.deliverJobs(t, m.ID); n != 2 {
		t.Errorf("%d delivery jobs after the refused retries, want still 2", n)
	}
	_, body = admin.get(t, "/admin/problems")
	mustNotContain(t, "after the retry", body, "On its way")
}

// deliverJobs counts the delivery jobs of message id.
func (e *uiEnv) deliverJobs(t *testing.T, id int64) int {
	t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = 'deliver'
		AND (args->>'message_id')::bigint = $1`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCredentialsRefusedReadsProvidersWords(t *testing.T) {
	for reason, want := range map[string]bool{
		"twilio: 20003 Authenticate":                                 true,
		"slack: send: invalid_auth":                                  true,
		"smtp: 535 5.7.8 bad credentials":                            true,
		"email: imap: log in (check the user name and password): NO": true,
		"twilio: 21211 invalid 'To' phone number":                    false,
		"no sms channel is configured on this server":                false,
	} {
		if got := credentialsRefused(reason); got != want {
			t.Errorf("credentialsRefused(%q) = %v, want %v", reason, got, want)
		}
	}
}
