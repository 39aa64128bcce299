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

// TestSLAFollowsTheProfile: running clocks re-plan when the customer's tier changes, when they
// join a company of a tier, and when that company's tier changes; the start stays (the clock
// counts from the customer's message) and closed conversations are left alone. A company's
// conversations are fanned out in batches (two at a time here).
func TestSLAFollowsTheProfile(t *testing.T) {
	env := newSLAEnv(t)
	ctx := context.Background()
	support := env.team("support")
	gold := env.policy(NewPolicy{Name: "gold", Tier: "gold", FirstResponse: 15 * time.Minute})
	silver := env.policy(NewPolicy{Name: "silver", Tier: "silver", FirstResponse: time.Hour})
	team := env.policy(NewPolicy{Name: "support", TeamID: support.ID, FirstResponse: 4 * time.Hour})
	everyone := env.store.As(inbox.Everyone())
	update := func(contact int64, p inbox.ContactPatch) {
		t.Helper()
		if _, err := everyone.UpdateContact(ctx, contact, p, inbox.CLIActor()); err != nil {
			t.Fatal(err)
		}
		env.runDue()
	}
	due := func(conv int64, policy Policy, after time.Duration) {
		t.Helper()
		c := env.clockOf(conv, sla.FirstResponse)
		if c.policyID == nil || *c.policyID != policy.ID || !c.due.Equal(slaEpoch.Add(after)) || !c.start.Equal(slaEpoch) {
			t.Errorf("conversation %d: policy %v due %s from %s, want %s due %s", conv, c.policyID, at(c.due), c.start, policy.Name,
				slaEpoch.Add(after).Format("15:04"))
		}
	}
	var convs []inbox.IngestResult
	for _, phone := range []string{"+14155550121", "+14155550122", "+14155550123", "+14155550124", "+14155550125"} {
		res := env.sms(phone, "SM-profile-"+phone, "Help")
		env.do(func(ctx context.Context, tx pgx.Tx) error {
			return env.store.SetTeamTx(ctx, tx, res.ConversationID, support.ID, inbox.Actor{})
		})
		convs = append(convs, res)
	}
	env.runDue()
	due(convs[0].ConversationID, team, 4*time.Hour)

	env.advance(5 * time.Minute)
	update(convs[0].ContactID, inbox.ContactPatch{Tier: ptrTo("gold")})
	due(convs[0].ConversationID, gold, 15*time.Minute)
	update(convs[0].ContactID, inbox.ContactPatch{Tier: ptrTo("")})
	due(convs[0].ConversationID, team, 4*time.Hour)

	// A closed conversation keeps the clocks it ended with.
	env.do(func(ctx context.Context, tx pgx.Tx) error {
		return env.store.SetStatusTx(ctx, tx, convs[4].ConversationID, inbox.StatusClosed, inbox.Actor{})
	})
	env.runDue()
	closed := env.clockOf(convs[4].ConversationID, sla.FirstResponse)

	acme, err := env.store.SaveCompany(ctx, 0, inbox.CompanyPatch{Name: ptrTo("Acme"), Tier: ptrTo("silver")}, inbox.CLIActor())
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range convs[1:] {
		update(res.ContactID, inbox.ContactPatch{CompanyID: &acme.ID})
	}
	due(convs[1].ConversationID, silver, time.Hour)
	if _, err := env.store.SaveCompany(ctx, acme.ID, inbox.CompanyPatch{Tier: ptrTo("gold")}, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	env.runDue()
	for _, res := range convs[1:4] {
		due(res.ConversationID, gold, 15*time.Minute)
	}
	if c := env.clockOf(convs[4].ConversationID, sla.FirstResponse); c.generation != closed.generation {
		t.Errorf("the closed conversation's clock moved: generation %d, was %d", c.generation, closed.generation)
	}
	if n := env.count(`SELECT count(*) FROM river_job WHERE kind = 'sla_profile' AND args ? 'after_id'`); n < 1 {
		t.Errorf("the company's three open conversations were not fanned out in batches of two (%d follow-up jobs)", n)
	}
}
