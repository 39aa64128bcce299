package inbox_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

func TestLockStatusTxTellsSinceWhen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := setup(t)
	agent := addAgent(t, e, "a1", inbox.RoleAgent, 5, "available")
	conv := customer(t, e, 1)
	created := e.now
	status := func(id int64) (inbox.StatusSince, error) {
		var st inbox.StatusSince
		err := e.store.InTx(ctx, func(tx pgx.Tx) error {
			var err error
			st, err = e.store.LockStatusTx(ctx, tx, id)
			if err == nil && !lockedNow(t, e, convWriteLock, id) {
				t.Error("the conversation is not locked")
			}
			return err
		})
		return st, err
	}
	st, err := status(conv)
	if err != nil || st.Status != inbox.StatusNew || st.EntryID != 0 || !st.Since.Equal(created) {
		t.Errorf("new: %+v, %v", st, err)
	}
	e.now = e.now.Add(time.Hour)
	if _, err := e.store.SetStatus(ctx, conv, inbox.StatusPending, inbox.Actor{AgentID: agent}); err != nil {
		t.Fatal(err)
	}
	trail, err := e.store.Audit(ctx, conv)
	if err != nil {
		t.Fatal(err)
	}
	st, err = status(conv)
	if err != nil || st.Status != inbox.StatusPending || st.EntryID != trail[len(trail)-1].ID || !st.Since.Equal(e.now) {
		t.Errorf("pending: %+v, %v (trail %+v)", st, err, trail)
	}
	if _, err := status(999999); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("unknown conversation: %v", err)
	}
}

func TestLockResolutionTxNamesWhoResolved(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := setup(t)
	holder := addAgent(t, e, "holder", inbox.RoleAgent, 5, "available")
	closer := addAgent(t, e, "closer", inbox.RoleAgent, 5, "available")
	team := addTeam(t, e, "Support", "holder")
	resolution := func(id int64) (inbox.Resolution, error) {
		var r inbox.Resolution
		err := e.store.InTx(ctx, func(tx pgx.Tx) error {
			var err error
			r, err = e.store.LockResolutionTx(ctx, tx, id)
			return err
		})
		return r, err
	}

	byAgent, bySystem := customer(t, e, 1), customer(t, e, 2)
	for _, c := range []int64{byAgent, bySystem} {
		inTx(t, e, func(ctx context.Context, tx pgx.Tx) error {
			if err := e.store.SetTeamTx(ctx, tx, c, team, inbox.Actor{}); err != nil {
				return err
			}
			return e.store.AssignTx(ctx, tx, c, holder, inbox.Actor{})
		})
	}
	e.now = e.now.Add(time.Hour)
	if _, err := e.store.SetStatus(ctx, byAgent, inbox.StatusResolved, inbox.Actor{AgentID: closer}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.SetStatus(ctx, bySystem, inbox.StatusResolved, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	r, err := resolution(byAgent)
	if err != nil || r.Status != inbox.StatusResolved || r.ResolvedAt == nil || !r.ResolvedAt.Equal(e.now) ||
		r.ResolvedBy == nil || *r.ResolvedBy != closer || r.AssigneeID != holder || r.TeamID != team ||
		r.Channel != inbox.ChannelSMS || r.ContactID == 0 {
		t.Errorf("resolved by an agent: %+v, %v", r, err)
	}
	if r, err := resolution(bySystem); err != nil || r.ResolvedBy == nil || *r.ResolvedBy != holder {
		t.Errorf("resolved by the system: %+v, %v, want the assignee", r, err)
	}
	if _, err := resolution(999999); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("unknown conversation: %v", err)
	}
}

func TestConversationReadsForTheWorkflow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := setup(t)
	from := phoneFrom("+15550100300")
	first := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM1", From: from, Subject: "Broken", Text: "hi"})
	if _, err := e.store.SetStatus(ctx, first.ConversationID, inbox.StatusClosed, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	second := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM2", From: from, Text: "again"})
	if second.ConversationID == first.ConversationID {
		t.Fatal("a closed conversation took a new message")
	}
	inTx(t, e, func(ctx context.Context, tx pgx.Tx) error {
		latest, err := e.store.LatestConversationTx(ctx, tx, first.ContactID)
		if err != nil || latest.ID != second.ConversationID {
			t.Errorf("latest = %+v, %v", latest, err)
		}
		if _, err := e.store.LatestConversationTx(ctx, tx, 999999); !errors.Is(err, inbox.ErrNotFound) {
			t.Errorf("contact without conversations: %v", err)
		}
		got, err := e.store.GetConversationTx(ctx, tx, first.ConversationID)
		want, _ := e.store.GetConversation(ctx, first.ConversationID)
		if err != nil || got.ID != want.ID || got.Subject != "Broken" || got.Status != inbox.StatusClosed || got.ContactName != want.ContactName {
			t.Errorf("GetConversationTx = %+v, %v", got, err)
		}
		if _, err := e.store.GetConversationTx(ctx, tx, 999999); !errors.Is(err, inbox.ErrNotFound) {
			t.Errorf("unknown conversation: %v", err)
		}
		return nil
	})
	subjects, err := e.store.Subjects(ctx, []int64{first.ConversationID, 999999})
	if err != nil || len(subjects) != 1 || subjects[first.ConversationID] != "Broken" {
		t.Errorf("subjects = %v, %v", subjects, err)
	}

	addAgent(t, e, "a1", inbox.RoleAgent, 5, "available")
	addAgent(t, e, "a2", inbox.RoleAgent, 5, "available")
	id := addTeam(t, e, "Support", "a2", "a1")
	team, err := e.store.GetTeam(ctx, id)
	all, _ := e.store.Teams(ctx)
	if err != nil || len(all) != 1 || team.Name != "Support" || !slices.Equal(team.Members, all[0].Members) {
		t.Errorf("team = %+v, %v; teams %+v", team, err, all)
	}
	if _, err := e.store.GetTeam(ctx, 999999); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("unknown team: %v", err)
	}
}
