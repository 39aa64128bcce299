package inbox_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
)

// claimer is an Interceptor that claims messages saying "mine" for a conversation, records
// what it was shown and fails on "boom".
type claimer struct {
	conv  int64
	calls []inbox.InterceptCall
}

func (c *claimer) InterceptTx(ctx context.Context, tx pgx.Tx, call inbox.InterceptCall) (inbox.Interception, error) {
	c.calls = append(c.calls, call)
	switch call.Inbound.Text {
	case "boom":
		return inbox.Interception{}, errors.New("interceptor failed")
	case "mine":
		return inbox.Interception{ConversationID: c.conv, Auto: "survey-answer", Reason: "survey-answer",
			Events: []inbox.Event{{Type: "survey.answered", ConversationID: c.conv}}}, nil
	}
	return inbox.Interception{}, nil
}

func TestInterceptorClaimsWithoutReopening(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	cl := &claimer{}
	var published []inbox.Event
	store := inbox.New(pool, inbox.Options{Clock: func() time.Time { return now }, Interceptor: cl,
		Jobs: jobsFunc(func(evs []inbox.Event) { published = append(published, evs...) })})
	sms := func(id, text string) (inbox.IngestResult, error) {
		return store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: id,
			From: inbox.Identity{Kind: inbox.IdentityPhone, Address: "+14155550199", Verified: true}, Text: text})
	}
	first, err := sms("SM1", "mine") // a new sender is never shown to the interceptor
	if err != nil || !first.NewConversation || len(cl.calls) != 0 {
		t.Fatalf("first message: %+v, %v, %d interceptor calls", first, err, len(cl.calls))
	}
	cl.conv = first.ConversationID
	if _, err := store.SetStatus(ctx, first.ConversationID, inbox.StatusResolved, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	published = nil
	got, err := sms("SM2", "mine")
	if err != nil || got.ConversationID != first.ConversationID || got.ThreadedBy != "survey-answer" || got.NewConversation {
		t.Fatalf("claimed message: %+v, %v", got, err)
	}
	if len(cl.calls) != 1 || cl.calls[0].ContactID != first.ContactID || !cl.calls[0].Now.Equal(now) {
		t.Fatalf("interceptor shown %+v", cl.calls)
	}
	c, err := store.GetConversation(ctx, first.ConversationID)
	if err != nil || c.Status != inbox.StatusResolved {
		t.Fatalf("conversation %+v, %v; want still resolved", c, err)
	}
	m, err := store.GetMessage(ctx, got.MessageID)
	if err != nil || m.Auto != "survey-answer" || m.Direction != inbox.DirectionInbound {
		t.Fatalf("claimed message stored as %+v, %v", m, err)
	}
	if len(published) != 2 || published[0].Type != "survey.answered" || published[1].Type != inbox.EventMessageCreated ||
		published[1].Data["auto"] != "survey-answer" {
		t.Fatalf("published %+v, want the interceptor's event and message.created", published)
	}
	if again, err := sms("SM2", "mine"); err != nil || !again.Duplicate || len(cl.calls) != 1 {
		t.Fatalf("redelivery: %+v, %v, %d calls; want a duplicate the interceptor never sees", again, err, len(cl.calls))
	}
	if _, err := sms("SM3", "boom"); err == nil {
		t.Fatal("an interceptor error was swallowed")
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM messages WHERE external_id = 'SM3'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d messages stored after the interceptor failed, %v", n, err)
	}
	other, err := sms("SM4", "not mine")
	if err != nil || other.ThreadedBy == "survey-answer" {
		t.Fatalf("unclaimed message: %+v, %v", other, err)
	}
	if c, _ := store.GetConversation(ctx, first.ConversationID); c.Status != inbox.StatusOpen {
		t.Fatalf("an unclaimed message left the conversation %s, want reopened", c.Status)
	}
}

// jobsFunc is an inbox.Jobs that hands the events to a function.
type jobsFunc func([]inbox.Event)

func (f jobsFunc) Enqueue(ctx context.Context, tx pgx.Tx, events []inbox.Event) error {
	f(events)
	return nil
}
