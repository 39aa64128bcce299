package inbox_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/parleyhq/parley/inbox"
)

// TestTurningTwoFactorOffRacesTheRoleRequiringIt attacks the window between an agent's
// DisableTOTP checking the role's policy and an admin requiring two-factor for that role, which
// ends the sessions of the role's agents without it: whichever order they run in, no agent of a
// role that requires two-factor may end up without it and still signed in.
func TestTurningTwoFactorOffRacesTheRoleRequiringIt(t *testing.T) {
	ctx := context.Background()
	e := setup(t)
	const rounds = 12
	for i := range rounds {
		a, err := e.store.CreateAgent(ctx, inbox.NewAgent{Email: fmt.Sprintf("r%d@example.com", i), Name: "R",
			Password: "correct-horse-battery", Role: inbox.RoleSupervisor})
		if err != nil {
			t.Fatal(err)
		}
		setup, err := e.store.BeginTOTP(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		code, _ := totp.GenerateCodeCustom(setup.Secret, e.now, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix})
		if _, err := e.store.ConfirmTOTP(ctx, a.ID, code, ""); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.store.CreateSession(ctx, a.ID, time.Hour, "test"); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Go(func() {
			// Refused (ErrForbidden) when the policy came first; either outcome is fine.
			_ = e.store.DisableTOTP(ctx, a.ID, "correct-horse-battery", "")
		})
		wg.Go(func() {
			if err := e.store.SetTwoFactorRequired(ctx, inbox.RoleSupervisor, true, inbox.AuditRecord{Actor: "cli"}); err != nil {
				t.Error(err)
			}
		})
		wg.Wait()
		if n := e.count(t, `SELECT count(*) FROM web_sessions w WHERE w.agent_id = $1
			AND NOT EXISTS (SELECT 1 FROM agent_totp t WHERE t.agent_id = w.agent_id AND t.enabled_at IS NOT NULL)`, a.ID); n != 0 {
			t.Fatalf("round %d: a supervisor without two-factor kept %d sessions after the role required it", i, n)
		}
		if err := e.store.SetTwoFactorRequired(ctx, inbox.RoleSupervisor, false, inbox.AuditRecord{Actor: "cli"}); err != nil {
			t.Fatal(err)
		}
	}
}
