package workflow

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/sla"
)

// TestSLAPolicyPerTier: a policy for the customer's tier (the contact's own, else their
// company's) wins over team and priority policies; other customers keep theirs.
func TestSLAPolicyPerTier(t *testing.T) {
	env := newSLAEnv(t)
	ctx := context.Background()
	support := env.team("support")
	gold := env.policy(NewPolicy{Name: "gold", Tier: " Gold ", FirstResponse: 15 * time.Minute})
	team := env.policy(NewPolicy{Name: "support", TeamID: support.ID, FirstResponse: 4 * time.Hour})
	env.policy(NewPolicy{Name: "default", FirstResponse: 8 * time.Hour})
	if gold.Tier != "gold" {
		t.Fatalf("stored tier %q, want gold", gold.Tier)
	}
	if _, err := env.sla.CreatePolicy(ctx, NewPolicy{Name: "gold again", Tier: "gold", FirstResponse: time.Hour}); err == nil {
		t.Fatal("a second policy for the same tier, team and priority was stored")
	}
	acme, err := env.store.SaveCompany(ctx, 0, inbox.CompanyPatch{Name: ptrTo("Acme"), Tier: ptrTo("gold")}, inbox.CLIActor())
	if err != nil {
		t.Fatal(err)
	}
	everyone := env.store.As(inbox.Everyone())
	policyOf := func(conv int64) int64 {
		t.Helper()
		p, err := scanPolicy(env.pool.QueryRow(ctx, policyOfConversationSQL, conv))
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}

	own := env.sms("+14155550111", "SM-own", "Help")
	if _, err := everyone.UpdateContact(ctx, own.ContactID, inbox.ContactPatch{Tier: ptrTo("gold")}, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	byCompany := env.sms("+14155550112", "SM-company", "Help")
	if _, err := everyone.UpdateContact(ctx, byCompany.ContactID, inbox.ContactPatch{CompanyID: &acme.ID}, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	plain := env.sms("+14155550113", "SM-plain", "Help")
	for _, res := range []inbox.IngestResult{own, byCompany, plain} {
		env.do(func(ctx context.Context, tx pgx.Tx) error {
			return env.store.SetTeamTx(ctx, tx, res.ConversationID, support.ID, inbox.Actor{})
		})
	}
	if got := policyOf(own.ConversationID); got != gold.ID {
		t.Errorf("gold contact's policy %d, want gold %d", got, gold.ID)
	}
	if got := policyOf(byCompany.ConversationID); got != gold.ID {
		t.Errorf("gold company's contact's policy %d, want gold %d", got, gold.ID)
	}
	if got := policyOf(plain.ConversationID); got != team.ID {
		t.Errorf("plain contact's policy %d, want the team's %d", got, team.ID)
	}
	// The clocks follow: the gold customer's first response is due in 15 minutes.
	env.runDue()
	if c := env.clockOf(own.ConversationID, sla.FirstResponse); c.policyID == nil || *c.policyID != gold.ID ||
		!c.due.Equal(slaEpoch.Add(15*time.Minute)) {
		t.Fatalf("gold clock = policy %v due %s, want gold due 09:15", c.policyID, at(c.due))
	}
}

func ptrTo[T any](v T) *T { return &v }
