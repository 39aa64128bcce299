package inbox_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// TestMergeIsAudited merges contacts as an agent and as the system: each merge is in the audit
// log with its actor (the agent's email, or "system"), the kept contact and the merged one; a
// refused merge records nothing.
func TestMergeIsAudited(t *testing.T) {
	ctx := context.Background()
	e := setup(t)
	ana, err := e.store.CreateAgent(ctx, inbox.NewAgent{Email: "ana@example.com", Name: "Ana", Role: inbox.RoleAgent, Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	a := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM1", From: phoneFrom("+15550100001"), Text: "one"})
	b := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM2", From: phoneFrom("+15550100002"), Text: "two"})
	c := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM3", From: phoneFrom("+15550100003"), Text: "three"})
	if _, err := e.store.Merge(ctx, a.ContactID, b.ContactID, inbox.Actor{AgentID: ana.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Merge(ctx, a.ContactID, b.ContactID, inbox.Actor{AgentID: ana.ID}); !errors.Is(err, inbox.ErrConflict) {
		t.Fatalf("merging a merged contact: %v", err)
	}
	if _, err := e.store.Merge(ctx, c.ContactID, a.ContactID, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	page, err := e.store.AuditLog(ctx, inbox.AuditQuery{Kind: inbox.AuditContactsMerged})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Records) != 2 {
		t.Fatalf("%d merge records, want 2: %+v", len(page.Records), page.Records)
	}
	sys, agent := page.Records[0], page.Records[1]
	if agent.Actor != "ana@example.com" || agent.ActorID != ana.ID || agent.Target != inbox.AuditTarget("contact", a.ContactID) ||
		agent.Data["merged"] != float64(b.ContactID) {
		t.Errorf("the agent's merge recorded as %+v", agent)
	}
	if sys.Actor != "system" || sys.ActorID != 0 || sys.Target != inbox.AuditTarget("contact", c.ContactID) {
		t.Errorf("the system's merge recorded as %+v", sys)
	}
}

// TestAuditedCommitsBothOrNeither shows Store.Audited keeps a change and its record together:
// a change that fails records nothing, and a record the log refuses (an empty kind) undoes the
// change.
func TestAuditedCommitsBothOrNeither(t *testing.T) {
	ctx := context.Background()
	e := setup(t)
	by := inbox.AuditActor{AgentID: 3, Name: "ana@example.com", IP: "192.0.2.1"}
	err := e.store.Audited(ctx, func(tx pgx.Tx) (inbox.AuditRecord, error) {
		team, err := e.store.CreateTeamTx(ctx, tx, "Billing", nil)
		return by.Record(inbox.AuditTeamChanged, inbox.AuditTarget("team", team.ID), nil), err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = e.store.Audited(ctx, func(tx pgx.Tx) (inbox.AuditRecord, error) {
		team, err := e.store.CreateTeamTx(ctx, tx, " Billing ", nil)
		return by.Record(inbox.AuditTeamChanged, inbox.AuditTarget("team", team.ID), nil), err
	})
	if !errors.Is(err, inbox.ErrConflict) {
		t.Fatalf("a taken team name: %v", err)
	}
	err = e.store.Audited(ctx, func(tx pgx.Tx) (inbox.AuditRecord, error) {
		team, err := e.store.CreateTeamTx(ctx, tx, "Sales", nil)
		return by.Record("", inbox.AuditTarget("team", team.ID), nil), err
	})
	if err == nil {
		t.Fatal("a record of no kind was accepted")
	}
	if n := e.count(t, `SELECT count(*) FROM teams WHERE name = 'Sales'`); n != 0 {
		t.Fatal("the change stayed though its record was refused")
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log`); n != 1 {
		t.Fatalf("%d audit records, want the one of the change that committed", n)
	}
}
