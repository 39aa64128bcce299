package inbox_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/parleyhq/parley/inbox"
)

func TestPasswordPolicy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		password string
		want     string // part of the refusal; "" accepts
	}{
		{"short-pw", "at least 10"},
		{"ééééééééé", "at least 10"}, // 9 characters, 18 bytes
		{"éééééééééé", ""},           // 10 characters
		{"password123", "most common"},
		{"PassWord123", "most common"}, // case is ignored
		{"1234567890", "most common"},
		{"qwertyuiop", "most common"},
		{"correct-horse-battery", ""},
		{strings.Repeat("x", 72), ""},
		{strings.Repeat("x", 73), "at most 72 bytes"},
		{strings.Repeat("é", 40), "at most 72 bytes"}, // 40 characters, 80 bytes
		{"password123\nqwertyuiop", ""},               // not a listed entry, though it holds two
	} {
		err := inbox.CheckPassword(tc.password)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q refused: %v", tc.password, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, inbox.ErrInvalid)):
			t.Errorf("%q: %v, want a validation error with %q", tc.password, err, tc.want)
		}
	}
	if !inbox.CommonPassword("123456") || !inbox.CommonPassword("Password") || inbox.CommonPassword("") {
		t.Error("CommonPassword misreads the list")
	}
}

func TestPasswordPolicyEverywhere(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	_, err := e.store.CreateAgent(ctx, inbox.NewAgent{Email: "x@example.com", Name: "X", Password: "Password123"})
	if !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("create with a common password: %v", err)
	}
	a := mustAgent(t, e, "ana@example.com")
	for _, pw := range []string{"short", "Basketball", strings.Repeat("a", 100)} {
		if err := e.store.SetPassword(ctx, a.ID, pw); !errors.Is(err, inbox.ErrInvalid) {
			t.Errorf("SetPassword %q: %v", pw, err)
		}
		if err := e.store.ChangePassword(ctx, a.ID, "correct-horse-battery", pw, "ip"); !errors.Is(err, inbox.ErrInvalid) {
			t.Errorf("ChangePassword %q: %v", pw, err)
		}
	}
	if _, err := e.store.Authenticate(ctx, "ana@example.com", "correct-horse-battery"); err != nil {
		t.Fatalf("a refused change changed the password: %v", err)
	}
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	a := mustAgent(t, e, "ana@example.com")
	if err := e.store.ChangePassword(ctx, a.ID, "not-the-password", "a-new-long-password", "10.0.0.1"); !errors.Is(err, inbox.ErrWrongPassword) {
		t.Fatalf("wrong current password: %v", err)
	}
	if err := e.store.ChangePassword(ctx, 99999, "x", "a-new-long-password", ""); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("unknown agent: %v", err)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE kind = $1`, inbox.AuditPasswordChanged); n != 0 {
		t.Fatalf("%d audit events for refused changes", n)
	}
	if err := e.store.ChangePassword(ctx, a.ID, "correct-horse-battery", "a-new-long-password", "10.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Authenticate(ctx, a.Email, "correct-horse-battery"); !errors.Is(err, inbox.ErrBadCredentials) {
		t.Fatalf("old password still works: %v", err)
	}
	if _, err := e.store.Authenticate(ctx, a.Email, "a-new-long-password"); err != nil {
		t.Fatalf("new password: %v", err)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE kind = $1 AND actor_id = $2 AND source_ip = '10.0.0.1'`,
		inbox.AuditPasswordChanged, a.ID); n != 1 {
		t.Fatalf("%d password.changed events", n)
	}
}

func TestSignOutOtherSessions(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	a := mustAgent(t, e, "ana@example.com")
	b := mustAgent(t, e, "bob@example.com")
	var tokens []string
	for range 3 {
		tok, _, err := e.store.CreateSession(ctx, a.ID, time.Hour, "test")
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	bob, _, err := e.store.CreateSession(ctx, b.ID, time.Hour, "test")
	if err != nil {
		t.Fatal(err)
	}
	n, err := e.store.SignOutOtherSessions(ctx, a.ID, tokens[1], "ip")
	if err != nil || n != 2 {
		t.Fatalf("ended %d, %v; want 2", n, err)
	}
	for i, tok := range tokens {
		_, _, err := e.store.SessionAgent(ctx, tok, time.Hour)
		if (i == 1) != (err == nil) {
			t.Errorf("session %d after sign-out of the others: %v", i, err)
		}
	}
	if _, _, err := e.store.SessionAgent(ctx, bob, time.Hour); err != nil {
		t.Errorf("another agent's session ended: %v", err)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE kind = $1 AND actor_id = $2 AND (data->>'sessions_ended')::int = 2`,
		inbox.AuditSignOutAll, a.ID); n != 1 {
		t.Fatalf("%d signout.all events", n)
	}
}

// New hashes use bcrypt's default cost unless Options.PasswordCost says otherwise, and a hash
// made at one cost still verifies on a store configured with another.
func TestPasswordCost(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	standard := inbox.New(e.pool, inbox.Options{SecretKey: "test-key"})
	a, err := standard.CreateAgent(ctx, inbox.NewAgent{Email: "ana@example.com", Name: "Ana", Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	cost := func() int {
		t.Helper()
		var hash string
		if err := e.pool.QueryRow(ctx, `SELECT password_hash FROM agents WHERE id = $1`, a.ID).Scan(&hash); err != nil {
			t.Fatal(err)
		}
		c, err := bcrypt.Cost([]byte(hash))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := cost(); c != bcrypt.DefaultCost {
		t.Fatalf("default store hashed at cost %d, want %d", c, bcrypt.DefaultCost)
	}
	cheap := inbox.New(e.pool, inbox.Options{SecretKey: "test-key", PasswordCost: bcrypt.MinCost})
	if _, err := cheap.Authenticate(ctx, a.Email, "correct-horse-battery"); err != nil {
		t.Fatalf("a default-cost hash on a cheaper store: %v", err)
	}
	if err := cheap.SetPassword(ctx, a.ID, "a-new-long-password"); err != nil {
		t.Fatal(err)
	}
	if c := cost(); c != bcrypt.MinCost {
		t.Fatalf("store with PasswordCost %d hashed at cost %d", bcrypt.MinCost, c)
	}
	if _, err := standard.Authenticate(ctx, a.Email, "a-new-long-password"); err != nil {
		t.Fatalf("a cheap hash on the default store: %v", err)
	}
}
