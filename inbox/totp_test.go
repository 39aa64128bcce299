package inbox_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/parleyhq/parley/inbox"
)

func TestTOTPNeedsTheSecretKeyAndCannotBeRestartedOnceOn(t *testing.T) {
	ctx := context.Background()
	e := setup(t)
	a, err := e.store.CreateAgent(ctx, inbox.NewAgent{Email: "t@example.com", Name: "T", Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	keyless := inbox.New(e.pool, inbox.Options{Clock: func() time.Time { return e.now }})
	if _, err := keyless.BeginTOTP(ctx, a.ID); !errors.Is(err, inbox.ErrNoSecretKey) {
		t.Fatalf("enrol without PARLEY_SECRET_KEY: %v", err)
	}
	if n := e.count(t, `SELECT count(*) FROM agent_totp`); n != 0 {
		t.Fatalf("a refused enrolment wrote %d rows", n)
	}
	setup, err := e.store.BeginTOTP(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The pending secret opens only with the same key.
	other := inbox.New(e.pool, inbox.Options{SecretKey: "another-key"})
	if _, err := other.PendingTOTP(ctx, a.ID); err == nil {
		t.Fatal("the secret opened with another key")
	}
	if got, err := e.store.PendingTOTP(ctx, a.ID); err != nil || got.Secret != setup.Secret {
		t.Fatalf("pending: %v %v", got, err)
	}
	code, _ := totp.GenerateCodeCustom(setup.Secret, e.now, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix})
	codes, err := e.store.ConfirmTOTP(ctx, a.ID, code, "192.0.2.1")
	if err != nil || len(codes) != inbox.RecoveryCodes {
		t.Fatalf("confirm: %d codes, %v", len(codes), err)
	}
	if n := e.count(t, `SELECT count(DISTINCT code_hash) FROM agent_recovery_codes WHERE agent_id = $1`, a.ID); n != inbox.RecoveryCodes {
		t.Fatalf("stored recovery hashes: %d", n)
	}
	if n := e.count(t, `SELECT count(*) FROM agent_recovery_codes WHERE position(convert_to(replace($1, '-', ''), 'UTF8') IN code_hash) > 0`, codes[0]); n != 0 {
		t.Fatal("a recovery code is stored in the clear")
	}
	if _, err := e.store.BeginTOTP(ctx, a.ID); !errors.Is(err, inbox.ErrConflict) {
		t.Fatalf("restarting enrolment while on: %v, want ErrConflict", err)
	}
	if _, err := e.store.ConfirmTOTP(ctx, a.ID, code, ""); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("confirming again: %v, want ErrNotFound", err)
	}
	if err := e.store.SetTwoFactorRequired(ctx, "owner", true, inbox.AuditRecord{Actor: "cli"}); !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("unknown role: %v", err)
	}
	if _, err := e.store.CreateChallenge(ctx, inbox.Challenge{AgentID: a.ID, Purpose: "session"}); !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("unknown purpose: %v", err)
	}
	if _, err := e.store.PassChallenge(ctx, "ps_not-a-challenge", code, ""); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("a session token as a challenge: %v", err)
	}
}
