package workflow

import (
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// TestEscalationToASupervisor: without an escalation team, level 2 goes to the least-loaded
// available supervisor (not an admin, not someone away); a reply before level 2 stops the climb.
func TestEscalationToASupervisor(t *testing.T) {
	env := newSLAEnv(t)
	ctx := context.Background()
	alice := env.agent("alice", inbox.RoleAgent)
	away := env.agent("away", inbox.RoleSupervisor)
	sue := env.agent("sue", inbox.RoleSupervisor)
	env.agent("ada", inbox.RoleAdmin)
	if err := env.store.SetAvailability(ctx, away.ID, "away"); err != nil {
		t.Fatal(err)
	}
	env.policy(NewPolicy{Name: "all", FirstResponse: time.Hour, EscalateAfter: 10 * time.Minute})
	late := env.sms("+14155550151", "SM1", "Still waiting").ConversationID
	saved := env.sms("+14155550152", "SM2", "Also waiting").ConversationID
	for _, c := range []int64{late, saved} {
		if _, err := env.store.Assign(ctx, c, alice.ID, inbox.Actor{}); err != nil {
			t.Fatal(err)
		}
	}
	env.runDue()
	env.advance(time.Hour) // both breach
	if n := env.count(`SELECT count(*) FROM sla_breaches WHERE level = 1`); n != 2 {
		t.Fatalf("%d breaches at level 1, want 2", n)
	}
	env.advance(5 * time.Minute)
	if _, err := env.store.Send(ctx, inbox.Reply{ConversationID: saved, Author: inbox.Actor{AgentID: alice.ID}, Text: "Here!"}); err != nil {
		t.Fatal(err)
	}
	env.advance(5 * time.Minute) // level 2 is due for both
	c := env.conversation(late)
	if *c.AssigneeID != sue.ID || c.Priority != inbox.PriorityHigh {
		t.Fatalf("late: assignee %d, %s; want sue and high", *c.AssigneeID, c.Priority)
	}
	c = env.conversation(saved)
	if *c.AssigneeID != alice.ID || c.Priority != inbox.PriorityNormal {
		t.Fatalf("answered before level 2: assignee %d, %s; want alice and normal", *c.AssigneeID, c.Priority)
	}
	var levels []int
	rows, err := env.pool.Query(ctx, `SELECT level FROM sla_breaches ORDER BY conversation_id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var l int
		if err := rows.Scan(&l); err != nil {
			t.Fatal(err)
		}
		levels = append(levels, l)
	}
	rows.Close()
	if len(levels) != 2 || levels[0] != 2 || levels[1] != 1 {
		t.Fatalf("breach levels %v, want [2 1]", levels)
	}
	if got := env.alerts.kinds(); len(got) != 5 || got[4] != EventSLAEscalated {
		t.Fatalf("alerts %v, want two warnings, two breaches, one escalation", got)
	}
}
