package inbox_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

func TestResetRequestAnswersTheSameAndQueuesOnlyForAgents(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	a := mustAgent(t, e, "ana@example.com")
	var queued []int64
	enqueue := func(ctx context.Context, tx pgx.Tx, id int64) error {
		queued = append(queued, id)
		return nil
	}
	if err := e.store.RequestReset(ctx, " ANA@example.com ", "10.0.0.1", enqueue); err != nil {
		t.Fatal(err)
	}
	if err := e.store.RequestReset(ctx, "nobody@example.com", "10.0.0.1", enqueue); err != nil {
		t.Fatalf("an unknown address: %v", err)
	}
	if len(queued) != 1 || queued[0] != a.ID {
		t.Fatalf("queued %v, want only agent %d", queued, a.ID)
	}
	for email, exists := range map[string]string{"ana@example.com": "true", "nobody@example.com": "false"} {
		if n := e.count(t, `SELECT count(*) FROM audit_log WHERE kind = $1 AND actor = $2 AND data->>'exists' = $3`,
			inbox.AuditResetRequested, email, exists); n != 1 {
			t.Errorf("%s: %d reset_requested events with exists=%s", email, n, exists)
		}
	}
	// A failed enqueue rolls the audit event back with it.
	boom := errors.New("boom")
	err := e.store.RequestReset(ctx, "ana@example.com", "", func(context.Context, pgx.Tx, int64) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("enqueue failure: %v", err)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE kind = $1`, inbox.AuditResetRequested); n != 2 {
		t.Fatalf("%d events after a rolled-back request", n)
	}
}

func TestResetPassword(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	a := mustAgent(t, e, "ana@example.com")
	other := mustAgent(t, e, "bob@example.com")
	for range 2 {
		if _, _, err := e.store.CreateSession(ctx, a.ID, time.Hour, "test"); err != nil {
			t.Fatal(err)
		}
	}
	bobSession, _, err := e.store.CreateSession(ctx, other.ID, time.Hour, "test")
	if err != nil {
		t.Fatal(err)
	}
	first, _, err := e.store.IssueReset(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	token, got, err := e.store.IssueReset(ctx, a.ID)
	if err != nil || got.Email != a.Email {
		t.Fatalf("issue: %+v %v", got, err)
	}
	if n := e.count(t, `SELECT count(*) FROM password_resets WHERE token_hash = convert_to($1, 'UTF8')`, token); n != 0 {
		t.Fatal("the token is stored in the clear")
	}
	if _, err := e.store.ResetAgent(ctx, first); !errors.Is(err, inbox.ErrResetLink) {
		t.Fatalf("a superseded link still works: %v", err)
	}
	for _, bad := range []string{"", "pr_forged", "ps_" + token[3:], token + "x"} {
		if _, err := e.store.ResetPassword(ctx, bad, "a-brand-new-password", ""); !errors.Is(err, inbox.ErrResetLink) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
	if ag, err := e.store.ResetAgent(ctx, token); err != nil || ag.ID != a.ID {
		t.Fatalf("reset agent: %+v %v", ag, err)
	}
	if _, err := e.store.ResetPassword(ctx, token, "Basketball", ""); !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("common password: %v", err)
	}
	// The refused password spent nothing.
	ag, err := e.store.ResetPassword(ctx, token, "a-brand-new-password", "10.0.0.9")
	if err != nil || ag.ID != a.ID {
		t.Fatalf("reset: %+v %v", ag, err)
	}
	if _, err := e.store.Authenticate(ctx, a.Email, "a-brand-new-password"); err != nil {
		t.Fatalf("the new password: %v", err)
	}
	if _, err := e.store.Authenticate(ctx, a.Email, "correct-horse-battery"); !errors.Is(err, inbox.ErrBadCredentials) {
		t.Fatalf("the old password: %v", err)
	}
	if _, err := e.store.ResetPassword(ctx, token, "another-new-password", ""); !errors.Is(err, inbox.ErrResetLink) {
		t.Fatalf("a used link: %v", err)
	}
	if n := e.count(t, `SELECT count(*) FROM web_sessions WHERE agent_id = $1`, a.ID); n != 0 {
		t.Fatalf("%d sessions survived the reset", n)
	}
	if _, _, err := e.store.SessionAgent(ctx, bobSession, time.Hour); err != nil {
		t.Fatalf("another agent's session ended: %v", err)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE kind = $1 AND actor_id = $2 AND source_ip = '10.0.0.9'`,
		inbox.AuditPasswordReset, a.ID); n != 1 {
		t.Fatalf("%d password.reset events", n)
	}
}

// withResetLink is a store with agent ana and a reset token issued for her.
func withResetLink(t *testing.T) (*env, inbox.Agent, string) {
	t.Helper()
	e := setup(t)
	a := mustAgent(t, e, "ana@example.com")
	token, _, err := e.store.IssueReset(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return e, a, token
}

func TestResetLinkExpires(t *testing.T) {
	t.Parallel()
	e, _, token := withResetLink(t)
	ctx := context.Background()
	e.now = e.now.Add(29 * time.Minute)
	if _, err := e.store.ResetAgent(ctx, token); err != nil {
		t.Fatalf("after 29 minutes: %v", err)
	}
	e.now = e.now.Add(time.Minute)
	if _, err := e.store.ResetPassword(ctx, token, "a-brand-new-password", ""); !errors.Is(err, inbox.ErrResetLink) {
		t.Fatalf("after 30 minutes: %v", err)
	}
	if _, _, err := e.store.IssueReset(ctx, 99999); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("unknown agent: %v", err)
	}
}

func TestResetRefusedToADeactivatedAgent(t *testing.T) {
	t.Parallel()
	e, a, token := withResetLink(t)
	ctx := context.Background()
	_, err := e.store.DeactivateAgent(ctx, a.ID, inbox.CLIActor())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.ResetPassword(ctx, token, "a-brand-new-password", ""); !errors.Is(err, inbox.ErrResetLink) {
		t.Fatalf("a link issued before the deactivation: %v", err)
	}
	if _, _, err := e.store.IssueReset(ctx, a.ID); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("issue for a deactivated agent: %v", err)
	}
	queued := 0
	err = e.store.RequestReset(ctx, a.Email, "", func(context.Context, pgx.Tx, int64) error { queued++; return nil })
	if err != nil || queued != 0 {
		t.Fatalf("request for a deactivated agent: queued %d, %v", queued, err)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE kind = $1 AND data->>'active' = 'false'`, inbox.AuditResetRequested); n != 1 {
		t.Fatalf("%d reset_requested events marked inactive", n)
	}
}
