package inbox_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

func TestDeactivateEndsAccessAndFreesConversations(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	boss, err := e.store.CreateAgent(ctx, inbox.NewAgent{Email: "boss@example.com", Name: "Boss", Role: inbox.RoleAdmin, Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	ana := mustAgent(t, e, "ana@example.com")
	by := inbox.AuditActor{AgentID: boss.ID, Name: boss.Email}
	team := addTeam(t, e, "Billing", "ana")
	open := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelEmail, ExternalID: "d-1", From: emailFrom("c1@example.com"), Text: "help"})
	done := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelEmail, ExternalID: "d-2", From: emailFrom("c2@example.com"), Text: "thanks"})
	for _, id := range []int64{open.ConversationID, done.ConversationID} {
		if err := e.store.InTx(ctx, func(tx pgx.Tx) error { return e.store.SetTeamTx(ctx, tx, id, team, inbox.Actor{}) }); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Assign(ctx, id, ana.ID, inbox.Actor{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.store.SetStatus(ctx, done.ConversationID, inbox.StatusResolved, inbox.Actor{AgentID: ana.ID}); err != nil {
		t.Fatal(err)
	}
	session, _, err := e.store.CreateSession(ctx, ana.ID, time.Hour, "test")
	if err != nil {
		t.Fatal(err)
	}
	token, err := e.store.CreateToken(ctx, ana.ID, "t")
	if err != nil {
		t.Fatal(err)
	}
	feed := e.listen(t)

	freed, err := e.store.DeactivateAgent(ctx, ana.ID, by)
	if err != nil || freed != 1 {
		t.Fatalf("deactivate: %d, %v; want 1 conversation freed", freed, err)
	}
	if _, _, err := e.store.SessionAgent(ctx, session, time.Hour); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("session after deactivation: %v", err)
	}
	if n := e.count(t, `SELECT count(*) FROM web_sessions WHERE agent_id = $1`, ana.ID); n != 0 {
		t.Errorf("%d sessions left", n)
	}
	if _, _, err := e.store.TokenAgent(ctx, token); !errors.Is(err, inbox.ErrNotFound) || !errors.Is(err, inbox.ErrDeactivated) {
		t.Errorf("token after deactivation: %v; want not found, for a deactivated agent", err)
	}
	if _, err := e.store.Authenticate(ctx, "ana@example.com", "correct-horse-battery"); !errors.Is(err, inbox.ErrBadCredentials) {
		t.Errorf("sign-in after deactivation: %v", err)
	}
	c, err := e.store.GetConversation(ctx, open.ConversationID)
	if err != nil || c.AssigneeID != nil || c.TeamID == nil || *c.TeamID != team {
		t.Errorf("open conversation after deactivation: %+v %v; want unassigned in its team", c, err)
	}
	c, err = e.store.GetConversation(ctx, done.ConversationID)
	if err != nil || c.AssigneeID == nil || *c.AssigneeID != ana.ID {
		t.Errorf("resolved conversation lost its history: %+v %v", c, err)
	}
	got, err := e.store.GetAgent(ctx, ana.ID)
	if err != nil || got.Active || got.Name != ana.Name || got.Availability != inbox.AvailabilityOffline {
		t.Errorf("agent after deactivation: %+v %v", got, err)
	}
	// The change is announced (unassignment, then the agent) and enqueued with it.
	seen := map[string]bool{}
	for !seen[inbox.EventAgentChanged] {
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		n, err := feed.WaitForNotification(wctx)
		cancel()
		if err != nil {
			t.Fatalf("no agent.changed announced: %v (saw %v)", err, seen)
		}
		for _, typ := range []string{inbox.EventAgentChanged, inbox.EventConversationAssigned} {
			if strings.Contains(n.Payload, `"type":"`+typ+`"`) {
				seen[typ] = true
			}
		}
	}
	if !seen[inbox.EventConversationAssigned] {
		t.Error("the unassignment was not announced")
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE kind = $1 AND actor = $2 AND target = $3`,
		inbox.AuditAgentDeactivate, boss.Email, "agent:"+itoa(int(ana.ID))); n != 1 {
		t.Errorf("audit rows = %d", n)
	}
	// Nobody assigns to them by hand either; activated, they sign in again, offline.
	if _, err := e.store.Assign(ctx, open.ConversationID, ana.ID, inbox.Actor{AgentID: boss.ID}); !errors.Is(err, inbox.ErrInvalid) {
		t.Errorf("assigning a deactivated agent: %v", err)
	}
	if err := e.store.ActivateAgent(ctx, ana.ID, by); err != nil {
		t.Fatal(err)
	}
	if a, err := e.store.Authenticate(ctx, "ana@example.com", "correct-horse-battery"); err != nil || !a.Active {
		t.Errorf("sign-in after activation: %+v %v", a, err)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE kind = $1`, inbox.AuditAgentActivate); n != 1 {
		t.Errorf("activation audit rows = %d", n)
	}
}

func TestAdminsCannotLockThemselvesOut(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	boss, err := e.store.CreateAgent(ctx, inbox.NewAgent{Email: "boss@example.com", Name: "Boss", Role: inbox.RoleAdmin, Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	by := inbox.AuditActor{AgentID: boss.ID, Name: boss.Email}
	if _, err := e.store.DeactivateAgent(ctx, boss.ID, by); !errors.Is(err, inbox.ErrInvalid) {
		t.Errorf("self-deactivation: %v", err)
	}
	if err := e.store.SetAgentRole(ctx, boss.ID, inbox.RoleAgent, by); !errors.Is(err, inbox.ErrInvalid) {
		t.Errorf("self-demotion: %v", err)
	}
	// The command line is nobody, but the last active admin still stays.
	if _, err := e.store.DeactivateAgent(ctx, boss.ID, inbox.CLIActor()); !errors.Is(err, inbox.ErrConflict) {
		t.Errorf("deactivating the last admin: %v", err)
	}
	if err := e.store.SetAgentRole(ctx, boss.ID, inbox.RoleSupervisor, inbox.CLIActor()); !errors.Is(err, inbox.ErrConflict) {
		t.Errorf("demoting the last admin: %v", err)
	}
	// With a second admin, either may go; a deactivated admin does not count.
	other := mustAgent(t, e, "other@example.com")
	if err := e.store.SetAgentRole(ctx, other.ID, inbox.RoleAdmin, by); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.DeactivateAgent(ctx, other.ID, by); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetAgentRole(ctx, boss.ID, inbox.RoleAgent, inbox.CLIActor()); !errors.Is(err, inbox.ErrConflict) {
		t.Errorf("demoting the last active admin beside a deactivated one: %v", err)
	}
	if err := e.store.SetAgentRole(ctx, other.ID, "boss", by); !errors.Is(err, inbox.ErrInvalid) {
		t.Errorf("unknown role: %v", err)
	}
	if _, err := e.store.DeactivateAgent(ctx, 999999, by); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("unknown agent: %v", err)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE kind = $1`, inbox.AuditAgentRole); n != 1 {
		t.Errorf("role audit rows = %d, want 1 (only the change that happened)", n)
	}
}

func TestTokensKindsExpiryAndLastUse(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	ana := mustAgent(t, e, "ana@example.com")
	bob := mustAgent(t, e, "bob@example.com")
	by := inbox.AuditActor{AgentID: ana.ID, Name: ana.Email}
	bad := []inbox.NewToken{
		{AgentID: ana.ID},
		{AgentID: ana.ID, Name: strings.Repeat("n", 101)},
		{AgentID: ana.ID, Name: "x", Kind: "root"},
		{AgentID: ana.ID, Name: "x", ExpiresAt: e.now.Add(-time.Second)},
		{AgentID: 999999, Name: "x"},
	}
	for _, nt := range bad {
		if _, _, err := e.store.IssueToken(ctx, nt, by); !errors.Is(err, inbox.ErrInvalid) {
			t.Errorf("IssueToken(%+v): %v, want invalid", nt, err)
		}
	}
	tok, rec, err := e.store.IssueToken(ctx, inbox.NewToken{AgentID: ana.ID, Name: "ci", Kind: inbox.TokenIntegration,
		ExpiresAt: e.now.Add(90 * 24 * time.Hour)}, by)
	if err != nil || rec.Kind != inbox.TokenIntegration || rec.AgentEmail != ana.Email || rec.LastUsedAt != nil {
		t.Fatalf("issue: %+v %v", rec, err)
	}
	_, got, err := e.store.TokenAgent(ctx, tok)
	if err != nil || got.ID != rec.ID || got.Kind != inbox.TokenIntegration || got.LastUsedAt == nil {
		t.Fatalf("lookup: %+v %v", got, err)
	}
	// The last use is written at most once a minute.
	first := *got.LastUsedAt
	e.now = e.now.Add(30 * time.Second)
	_, _, _ = e.store.TokenAgent(ctx, tok)
	lastUsed := func() time.Time {
		list, err := e.store.Tokens(ctx, ana.ID)
		if err != nil || len(list) != 1 || list[0].LastUsedAt == nil {
			t.Fatalf("tokens: %+v %v", list, err)
		}
		return *list[0].LastUsedAt
	}
	if !lastUsed().Equal(first) {
		t.Error("last use written twice within a minute")
	}
	e.now = e.now.Add(31 * time.Second)
	_, _, _ = e.store.TokenAgent(ctx, tok)
	if !lastUsed().Equal(e.now) {
		t.Error("last use not written after a minute")
	}
	// Expired: refused.
	e.now = rec.ExpiresAt.Add(time.Second)
	if _, _, err := e.store.TokenAgent(ctx, tok); !errors.Is(err, inbox.ErrNotFound) || errors.Is(err, inbox.ErrDeactivated) {
		t.Errorf("expired token: %v; want not found, not deactivated", err)
	}
	// Revoking: only the owner's (or anyone's with owner 0); another's is not found.
	if _, err := e.store.RevokeToken(ctx, rec.ID, bob.ID, inbox.AuditActor{AgentID: bob.ID, Name: bob.Email}); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("revoking another agent's token: %v", err)
	}
	if _, err := e.store.RevokeToken(ctx, rec.ID, ana.ID, by); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.RevokeToken(ctx, rec.ID, 0, by); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("revoking twice: %v", err)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE kind IN ($1, $2) AND actor = $3`,
		inbox.AuditTokenCreated, inbox.AuditTokenRevoked, ana.Email); n != 2 {
		t.Errorf("token audit rows = %d, want 2", n)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE kind = $1`, inbox.AuditTokenCreated); n != 1 {
		t.Errorf("a refused token was audited: %d created rows", n)
	}
}

func TestDeactivatedAgentIsNeverAutoAssigned(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	ana := mustAgent(t, e, "ana@example.com")
	team := addTeam(t, e, "Support", "ana")
	res := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelEmail, ExternalID: "q-1", From: emailFrom("c@example.com"), Text: "hi"})
	queued(t, e, res.ConversationID, team)
	agentsFor := func() []inbox.AgentLoad {
		var q inbox.TeamQueues
		inTx(t, e, func(ctx context.Context, tx pgx.Tx) error {
			var err error
			q, err = e.store.LockTeamQueuesTx(ctx, tx, []int64{team}, 0)
			return err
		})
		return q.Agents
	}
	if got := agentsFor(); len(got) != 1 || got[0].ID != ana.ID {
		t.Fatalf("before: %+v", got)
	}
	if _, err := e.store.DeactivateAgent(ctx, ana.ID, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	// Even marked available again behind the store's back, a deactivated agent takes nothing.
	if _, err := e.pool.Exec(ctx, `UPDATE agents SET availability = 'available' WHERE id = $1`, ana.ID); err != nil {
		t.Fatal(err)
	}
	if got := agentsFor(); len(got) != 0 {
		t.Fatalf("a deactivated agent is offered conversations: %+v", got)
	}
	var id int64
	inTx(t, e, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		id, err = e.store.EscalationAgentTx(ctx, tx, team, 0)
		return err
	})
	if id != 0 {
		t.Fatalf("escalation picked deactivated agent %d", id)
	}
}
