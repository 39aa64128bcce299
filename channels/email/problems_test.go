package email_test

import (
	"context"
	"strings"
	"testing"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/channels/email"
)

// TestProblemsNameRefusedLoginsFailingMailboxesAndSkippedMail polls a mailbox whose password the
// server refuses: the channel's problems name it as refused credentials, with what to do; a
// poll that succeeds clears its inbox's problem; a skipped email is listed with where it is.
func TestProblemsNameRefusedLoginsFailingMailboxesAndSkippedMail(t *testing.T) {
	e := setup(t, envOptions{})
	ctx := context.Background()
	parts, err := email.NewChannel().Open(ctx, channels.Env{Store: e.store, Pool: e.pool, SecretKey: secretKey})
	if err != nil {
		t.Fatal(err)
	}
	if parts.Problems == nil {
		t.Fatal("the email channel offers no problems")
	}
	list := func() []channels.Problem {
		t.Helper()
		ps, err := parts.Problems(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ps
	}
	if ps := list(); len(ps) != 0 {
		t.Fatalf("problems before anything failed: %+v", ps)
	}

	ni, err := email.NewInbox("Wrong password", "wrong@example.com", strings.Replace(e.imap.URL(), "imap-secret", "nope", 1),
		e.smtp.URL(), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	ni.Settings = withIMAPMailbox(t, ni, "Elsewhere")
	bad, err := e.store.CreateInbox(ctx, ni)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.fetcher.Poll(ctx, bad.ID); err == nil {
		t.Fatal("a poll with a wrong password succeeded")
	}
	// The good inbox had failed before (the server was down): its next poll clears that.
	if _, err := e.pool.Exec(ctx, `INSERT INTO email_poll_errors (inbox_id, error, first_failed_at, last_failed_at)
		VALUES ($1, 'dial tcp: connection refused', now(), now())`, e.inbox.ID); err != nil {
		t.Fatal(err)
	}
	if ps := list(); len(ps) != 2 {
		t.Fatalf("problems with two failing mailboxes: %+v", ps)
	}
	e.poll()
	ps := list()
	if len(ps) != 1 || ps[0].Kind != channels.ProblemCredentials || ps[0].Inbox != "Wrong password" ||
		!strings.Contains(ps[0].What, "refused the user name or password") || ps[0].Do == "" || ps[0].Detail == "" {
		t.Fatalf("problems after the good poll: %+v, want only the refused login", ps)
	}

	if _, err := e.pool.Exec(ctx, `INSERT INTO email_failures (inbox_id, uid_validity, uid, message_id, attempts, last_error,
			skipped, first_failed_at, last_failed_at) VALUES ($1, 1, 7, '<x@customer.example>', 5, 'no sender address', true, now(), now())`,
		e.inbox.ID); err != nil {
		t.Fatal(err)
	}
	var skipped *channels.Problem
	for _, p := range list() {
		if p.Kind == channels.ProblemEmailSkipped {
			skipped = &p
		}
	}
	if skipped == nil || skipped.Inbox != "Acme Support" || !strings.Contains(skipped.What, "<x@customer.example>") ||
		skipped.Detail != "no sender address" || !strings.Contains(skipped.What, "still on the mail server") {
		t.Fatalf("skipped email: %+v", skipped)
	}
}
