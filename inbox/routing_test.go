package inbox_test

import (
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

func TestMarkRoutedTxClaimsOnce(t *testing.T) {
	t.Parallel()
	e := setup(t)
	conv := customer(t, e, 1)
	var claims []bool
	for _, id := range []int64{conv, conv, 999999} {
		inTx(t, e, func(ctx context.Context, tx pgx.Tx) error {
			ok, err := e.store.MarkRoutedTx(ctx, tx, id)
			claims = append(claims, ok)
			return err
		})
	}
	if !slices.Equal(claims, []bool{true, false, false}) {
		t.Errorf("claims = %v, want the first only", claims)
	}
}

func TestApplyRoutingTxChangesAndAuditsTheRulesThatFired(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := setup(t)
	team := addTeam(t, e, "Billing")
	conv := customer(t, e, 1)
	var refund inbox.Category
	inTx(t, e, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		refund, err = e.store.SaveCategoryTx(ctx, tx, inbox.CategoryInput{Name: "Refund"})
		return err
	})
	inTx(t, e, func(ctx context.Context, tx pgx.Tx) error {
		return e.store.ApplyRoutingTx(ctx, tx, conv, inbox.Routing{TeamID: team, Priority: inbox.PriorityHigh,
			Tags: []string{"VIP"}, CategoryID: refund.ID,
			Rules: []inbox.RoutingRule{{ID: 7, Name: "refunds", RuleSet: "default"}, {ID: 9, Name: "vip", RuleSet: "tags"}}})
	})
	c, err := e.store.GetConversation(ctx, conv)
	if err != nil {
		t.Fatal(err)
	}
	if c.TeamID == nil || *c.TeamID != team || c.Priority != inbox.PriorityHigh || !slices.Equal(c.Tags, []string{"vip"}) ||
		c.Category != "Refund" || c.CategoryID == nil || *c.CategoryID != refund.ID {
		t.Errorf("conversation = %+v", c)
	}
	trail, err := e.store.Audit(ctx, conv)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, a := range trail {
		if a.Actor != "system" || a.AgentID != nil {
			t.Errorf("entry %+v is not the system's", a)
		}
		kinds = append(kinds, a.Kind)
	}
	if !slices.Equal(kinds, []string{"team", "priority", "tags", "category", "routed"}) {
		t.Fatalf("audit kinds = %v", kinds)
	}
	rules, _ := trail[4].Data["rules"].([]any)
	first, _ := rules[0].(map[string]any)
	if len(rules) != 2 || first["id"] != float64(7) || first["name"] != "refunds" || first["rule_set"] != "default" {
		t.Errorf("routed entry = %+v", trail[4].Data)
	}

	// A decision that changes nothing, with no rule fired, adds nothing to the trail.
	inTx(t, e, func(ctx context.Context, tx pgx.Tx) error {
		return e.store.ApplyRoutingTx(ctx, tx, conv, inbox.Routing{TeamID: team, Priority: inbox.PriorityHigh})
	})
	if again, err := e.store.Audit(ctx, conv); err != nil || len(again) != len(trail) {
		t.Errorf("trail after a no-op: %d entries, %v", len(again), err)
	}
}
