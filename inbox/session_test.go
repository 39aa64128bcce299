package inbox_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

func TestSessionsExpireIdleAndSignOut(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	a := mustAgent(t, e, "ana@example.com")
	token, ses, err := e.store.CreateSession(ctx, a.ID, 48*time.Hour, "test")
	if err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, `SELECT count(*) FROM web_sessions WHERE token_hash = convert_to($1, 'UTF8')`, token); n != 0 {
		t.Fatal("the token is stored in the clear")
	}
	check := func(when string, want error) {
		t.Helper()
		got, _, err := e.store.SessionAgent(ctx, token, 12*time.Hour)
		if !errors.Is(err, want) || (want == nil && got.ID != a.ID) {
			t.Fatalf("%s: %+v %v, want %v", when, got, err, want)
		}
	}
	check("fresh", nil)
	e.now = e.now.Add(11 * time.Hour)
	check("after 11 h", nil) // and marks it used
	e.now = e.now.Add(11 * time.Hour)
	check("11 h after its last use", nil)
	e.now = e.now.Add(27 * time.Hour)
	check("after its 48 h", inbox.ErrNotFound)
	if _, _, err := e.store.SessionAgent(ctx, "pk_not-a-session", time.Hour); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("an API token as a session: %v", err)
	}

	token2, _, err := e.store.CreateSession(ctx, a.ID, 48*time.Hour, "test")
	if err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, `SELECT count(*) FROM web_sessions WHERE id = $1`, ses.ID); n != 0 {
		t.Error("the expired session was not pruned by the next sign-in")
	}
	e.now = e.now.Add(13 * time.Hour)
	if _, _, err := e.store.SessionAgent(ctx, token2, 12*time.Hour); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("13 h idle: %v", err)
	}
	if err := e.store.DeleteSession(ctx, token2); err != nil {
		t.Fatal(err)
	}
	if err := e.store.DeleteSession(ctx, token2); err != nil {
		t.Fatalf("signing out twice: %v", err)
	}
}

func TestCannedResponsesValidateAndStayUnique(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	c, err := e.store.SaveCanned(ctx, inbox.Canned{Shortcut: " /Refund ", Title: "Refund", Body: "Your refund is on its way."}, inbox.Actor{})
	if err != nil || c.Shortcut != "refund" {
		t.Fatalf("save: %+v %v", c, err)
	}
	if _, err := e.store.SaveCanned(ctx, inbox.Canned{Shortcut: "refund", Title: "Again", Body: "x"}, inbox.Actor{}); !errors.Is(err, inbox.ErrConflict) {
		t.Errorf("duplicate: %v", err)
	}
	for _, bad := range []inbox.Canned{{Shortcut: "two words", Title: "T", Body: "B"}, {Shortcut: "ok", Body: "B"}, {Shortcut: "ok", Title: "T"}} {
		if _, err := e.store.SaveCanned(ctx, bad, inbox.Actor{}); !errors.Is(err, inbox.ErrInvalid) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	c.Body = "Refunded."
	if _, err := e.store.SaveCanned(ctx, c, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	list, err := e.store.CannedResponses(ctx)
	if err != nil || len(list) != 1 || list[0].Body != "Refunded." {
		t.Fatalf("list: %+v %v", list, err)
	}
	if err := e.store.DeleteCanned(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.store.DeleteCanned(ctx, c.ID); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
}
