package inbox_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// readTimeline reads a conversation's Timeline and its Replies since since in one batch, as
// the SLA engine does.
func readTimeline(t *testing.T, e *env, id int64, since *time.Time) (inbox.Timeline, inbox.Replies, error) {
	t.Helper()
	ctx := context.Background()
	var tl inbox.Timeline
	var r inbox.Replies
	err := e.store.InTx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		e.store.QueueTimeline(b, id, &tl)
		e.store.QueueReplies(b, id, since, &r)
		return tx.SendBatch(ctx, b).Close()
	})
	return tl, r, err
}

func same(a *time.Time, b time.Time) bool { return a != nil && a.Equal(b) }

func TestQueueTimelineAndReplies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := setup(t)
	agent := addAgent(t, e, "a1", inbox.RoleAgent, 5, "available")
	from := phoneFrom("+15550100400")
	asked := e.now
	conv := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM1", From: from, Text: "help"}).ConversationID
	step := func(fn func() error) time.Time {
		t.Helper()
		e.now = e.now.Add(time.Minute)
		if err := fn(); err != nil {
			t.Fatal(err)
		}
		return e.now
	}
	automatic := step(func() error {
		_, err := e.store.Send(ctx, inbox.Reply{ConversationID: conv, Text: "We got it.", Auto: "ack"})
		return err
	})
	step(func() error {
		_, err := e.store.Note(ctx, inbox.Reply{ConversationID: conv, Author: inbox.Actor{AgentID: agent}, Text: "looking"})
		return err
	})
	replied := step(func() error {
		_, err := e.store.Send(ctx, inbox.Reply{ConversationID: conv, Author: inbox.Actor{AgentID: agent}, Text: "On it."})
		return err
	})
	pending := step(func() error {
		_, err := e.store.SetStatus(ctx, conv, inbox.StatusPending, inbox.Actor{AgentID: agent})
		return err
	})
	again := step(func() error {
		_, err := e.store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM2", From: from, Text: "and?"})
		return err
	})

	tl, r, err := readTimeline(t, e, conv, &asked)
	if err != nil {
		t.Fatal(err)
	}
	if tl.Status != inbox.StatusOpen || !tl.CreatedAt.Equal(asked) || !same(tl.FirstResponseAt, replied) ||
		tl.ResolvedAt != nil || tl.ClosedAt != nil || tl.ContactID == 0 || tl.Priority == "" {
		t.Errorf("timeline = %+v", tl)
	}
	if len(tl.StatusChanges) < 2 || tl.StatusChanges[0].To != inbox.StatusPending || !tl.StatusChanges[0].At.Equal(pending) ||
		tl.StatusChanges[len(tl.StatusChanges)-1].To != inbox.StatusOpen {
		t.Errorf("status changes = %+v", tl.StatusChanges)
	}
	// The automatic acknowledgement and the note are no replies.
	if !same(r.LastReplyAt, replied) || !same(r.WaitingSince, again) || !same(r.FirstReplySince, replied) {
		t.Errorf("replies since the start = %+v", r)
	}
	if _, r, _ := readTimeline(t, e, conv, &again); r.FirstReplySince != nil {
		t.Errorf("first reply since the customer's second message = %v", r.FirstReplySince)
	}
	if _, r, _ := readTimeline(t, e, conv, nil); r.FirstReplySince != nil || !same(r.LastReplyAt, replied) {
		t.Errorf("replies, no instant asked = %+v", r)
	}
	if _, r, _ := readTimeline(t, e, conv, &automatic); !same(r.FirstReplySince, replied) {
		t.Errorf("first reply since the acknowledgement = %v", r.FirstReplySince)
	}
	if _, r, _ := readTimeline(t, e, conv, &replied); !same(r.FirstReplySince, replied) {
		t.Errorf("first reply since its own instant = %v", r.FirstReplySince)
	}
	if _, _, err := readTimeline(t, e, 999999, nil); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("unknown conversation: %v", err)
	}
}
