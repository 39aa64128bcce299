package inbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// TestAContactLearnsItsNameOnce: a sender first known without a name takes the name a later
// message gives, and keeps it when another message gives a different one.
func TestAContactLearnsItsNameOnce(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	for i, step := range []struct{ name, want string }{{"", ""}, {"Ann", "Ann"}, {"Someone Else", "Ann"}} {
		e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "named-" + itoa(i), From: emailFrom("ann@example.com"),
			Name: step.name, Text: "hello"})
		c, err := e.store.ContactByIdentity(ctx, inbox.IdentityEmail, "ann@example.com")
		if err != nil || c.Name != step.want {
			t.Fatalf("after message %d (name %q): contact = %+v, %v; want name %q", i, step.name, c, err, step.want)
		}
	}
}

func TestIngestCreatesContactConversationAndMessage(t *testing.T) {
	t.Parallel()
	e := setup(t)
	res := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelEmail, ExternalID: "<a1@mail>", From: emailFrom("Jane <JANE@Example.com>"),
		Name: "Jane", Subject: "Broken", Text: "My order arrived broken"})
	if !res.NewContact || !res.NewConversation || res.Duplicate || res.ThreadedBy != inbox.ThreadedByNew {
		t.Fatalf("result = %+v", res)
	}
	c, err := e.store.ContactByIdentity(context.Background(), inbox.IdentityEmail, "jane@example.com")
	if err != nil || c.ID != res.ContactID || c.Name != "Jane" {
		t.Fatalf("contact = %+v, %v", c, err)
	}
	conv, err := e.store.GetConversation(context.Background(), res.ConversationID)
	if err != nil || conv.Status != inbox.StatusNew || conv.Subject != "Broken" || conv.Channel != inbox.ChannelEmail {
		t.Fatalf("conversation = %+v, %v", conv, err)
	}
	if n := e.count(t, "SELECT count(*) FROM messages WHERE conversation_id = $1", res.ConversationID); n != 1 {
		t.Fatalf("messages = %d", n)
	}
	// Its events reached Jobs inside the transaction: one job each for conversation.created and
	// message.created.
	if n := e.count(t, `SELECT count(*) FROM river_job WHERE kind = 'test_event' AND
		(args->>'type' = 'conversation.created' OR (args->>'message_id')::bigint = $1)`, res.MessageID); n != 2 {
		t.Fatalf("jobs enqueued with the ingest = %d, want 2", n)
	}
}

func TestIngestReplayIsANoOp(t *testing.T) {
	t.Parallel()
	e := setup(t)
	in := inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM123", From: phoneFrom("+1 555 010 0200"), Text: "where is my refund"}
	first := e.ingest(t, in)
	before := e.count(t, "SELECT count(*) FROM messages") + e.count(t, "SELECT count(*) FROM conversations") + e.count(t, "SELECT count(*) FROM contacts")
	again := e.ingest(t, in)
	if !again.Duplicate || again.MessageID != first.MessageID || again.ConversationID != first.ConversationID || again.ContactID != first.ContactID {
		t.Fatalf("replay = %+v, first = %+v", again, first)
	}
	after := e.count(t, "SELECT count(*) FROM messages") + e.count(t, "SELECT count(*) FROM conversations") + e.count(t, "SELECT count(*) FROM contacts")
	if after != before {
		t.Fatalf("replay stored rows: %d -> %d", before, after)
	}
}

func TestIngestThreadsByContact(t *testing.T) {
	t.Parallel()
	e := setup(t)
	a := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM1", From: phoneFrom("+15550100200"), Text: "hello"})
	b := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM2", From: phoneFrom("(555) 010-0200"), Text: "anyone?"})
	if b.ConversationID != a.ConversationID || b.ThreadedBy != inbox.ThreadedByContactOpen || b.NewContact {
		t.Fatalf("second message %+v did not join %+v", b, a)
	}
	// Resolved: the customer's next message reopens it.
	if _, err := e.store.SetStatus(context.Background(), a.ConversationID, inbox.StatusResolved, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	c := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM3", From: phoneFrom("+15550100200"), Text: "still broken"})
	conv, _ := e.store.GetConversation(context.Background(), a.ConversationID)
	if c.ConversationID != a.ConversationID || c.ThreadedBy != inbox.ThreadedByReopened || conv.Status != inbox.StatusOpen || conv.ResolvedAt != nil {
		t.Fatalf("reply to resolved: %+v, conversation %+v", c, conv)
	}
	// Closed is final: a new conversation starts, linked to the old one.
	if _, err := e.store.SetStatus(context.Background(), a.ConversationID, inbox.StatusClosed, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	d := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM4", From: phoneFrom("+15550100200"), Text: "new problem"})
	next, _ := e.store.GetConversation(context.Background(), d.ConversationID)
	if !d.NewConversation || d.ThreadedBy != inbox.ThreadedByAfterClosed || next.PreviousID == nil || *next.PreviousID != a.ConversationID {
		t.Fatalf("after closed: %+v, conversation %+v", d, next)
	}
}

func TestIngestThreadsEmailReferences(t *testing.T) {
	t.Parallel()
	e := setup(t)
	first := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelEmail, ExternalID: "<m1@x>", From: emailFrom("a@example.com"),
		Subject: "Invoice", Text: "wrong amount", Email: &inbox.EmailHeaders{MessageID: "m1@x"}})
	// A colleague answers on the thread from another address: the reference wins over identity.
	reply := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelEmail, ExternalID: "<m2@x>", From: emailFrom("b@example.com"),
		Subject: "Re: Invoice", Text: "same here", Email: &inbox.EmailHeaders{MessageID: "m2@x", InReplyTo: "m1@x", References: []string{"m1@x"}}})
	if reply.ConversationID != first.ConversationID || reply.ThreadedBy != inbox.ThreadedByReference {
		t.Fatalf("reply %+v not threaded into %+v", reply, first)
	}
	// A channel's hint (here a plus-address token) threads a message without references; a hint
	// naming no conversation is passed over.
	hinted := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelEmail, ExternalID: "<m2b@x>", From: emailFrom("c@example.com"),
		Text: "forwarded to you", Hints: []inbox.ThreadHint{{ConversationID: 999999, Reason: "subject-token"},
			{ConversationID: first.ConversationID, Reason: "plus-token"}}})
	if hinted.ConversationID != first.ConversationID || hinted.ThreadedBy != "plus-token" {
		t.Fatalf("hinted %+v not threaded into %+v", hinted, first)
	}
	// An auto-reply to a resolved conversation is filed but does not reopen it.
	if _, err := e.store.SetStatus(context.Background(), first.ConversationID, inbox.StatusResolved, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	e.ingest(t, inbox.Inbound{Channel: inbox.ChannelEmail, ExternalID: "<m3@x>", From: emailFrom("a@example.com"), Auto: "auto-reply",
		Text: "I am out of office", Email: &inbox.EmailHeaders{MessageID: "m3@x", InReplyTo: "m2@x"}})
	conv, _ := e.store.GetConversation(context.Background(), first.ConversationID)
	if conv.Status != inbox.StatusResolved {
		t.Fatalf("auto-reply reopened the conversation: %s", conv.Status)
	}
}

func TestCrossChannelThreadingAfterMerge(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	mail := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelEmail, ExternalID: "<e1@x>", From: emailFrom("jane@example.com"), Text: "my parcel is late"})
	// Earlier the same person texted from her phone: a separate contact, whose conversation is done.
	sms := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM9", From: phoneFrom("+15550100999"), Text: "old question"})
	if sms.ContactID == mail.ContactID {
		t.Fatal("different identities should start as different contacts")
	}
	if _, err := e.store.SetStatus(ctx, sms.ConversationID, inbox.StatusClosed, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	merged, err := e.store.Merge(ctx, mail.ContactID, sms.ContactID, inbox.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	if len(merged.Identities) != 2 {
		t.Fatalf("merged identities = %+v", merged.Identities)
	}
	// Now an SMS from her phone joins her open email conversation: one timeline.
	next := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM10", From: phoneFrom("+15550100999"), Text: "any news?"})
	if next.ContactID != mail.ContactID || next.ConversationID != mail.ConversationID {
		t.Fatalf("sms after merge = %+v, want conversation %d", next, mail.ConversationID)
	}
	if got, err := e.store.GetContact(ctx, sms.ContactID); err != nil || got.ID != mail.ContactID {
		t.Fatalf("the merged contact should resolve to the kept one: %+v, %v", got, err)
	}
	if _, err := e.store.Merge(ctx, mail.ContactID, sms.ContactID, inbox.Actor{}); !errors.Is(err, inbox.ErrConflict) {
		t.Fatalf("second merge error = %v, want ErrConflict", err)
	}
	if n := e.count(t, "SELECT count(*) FROM conversation_events WHERE kind = 'merge' AND contact_id = $1", mail.ContactID); n != 1 {
		t.Fatalf("merge audit rows = %d", n)
	}
}

func TestIngestConcurrentDuplicatesStoreOne(t *testing.T) {
	t.Parallel()
	e := setup(t)
	var wg sync.WaitGroup
	results := make([]inbox.IngestResult, 20)
	errs := make([]error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = e.store.Ingest(context.Background(), inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SMdup",
				From: phoneFrom("+15550100321"), Text: "once"})
		}()
	}
	wg.Wait()
	stored := 0
	for i := range 20 {
		if errs[i] != nil {
			t.Fatalf("ingest %d: %v", i, errs[i])
		}
		if !results[i].Duplicate {
			stored++
		}
		if results[i].MessageID != results[0].MessageID {
			t.Fatalf("different ids: %+v vs %+v", results[i], results[0])
		}
	}
	if stored != 1 || e.count(t, "SELECT count(*) FROM messages WHERE external_id = 'SMdup'") != 1 ||
		e.count(t, "SELECT count(*) FROM contacts") != 1 || e.count(t, "SELECT count(*) FROM conversations") != 1 {
		t.Fatalf("stored %d times; rows: messages %d, contacts %d, conversations %d", stored,
			e.count(t, "SELECT count(*) FROM messages"), e.count(t, "SELECT count(*) FROM contacts"), e.count(t, "SELECT count(*) FROM conversations"))
	}
}

func TestIngestConcurrentDistinctMessages(t *testing.T) {
	t.Parallel()
	e := setup(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []error
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// 10 customers, 20 messages each, all at once: group commit must keep them apart.
			_, err := e.store.Ingest(context.Background(), inbox.Inbound{Channel: inbox.ChannelAPI,
				ExternalID: "m" + itoa(i), From: emailFrom("c" + itoa(i%10) + "@example.com"), Text: "hi"})
			if err != nil {
				mu.Lock()
				failures = append(failures, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d ingests failed, first: %v", len(failures), failures[0])
	}
	if m, c, v := e.count(t, "SELECT count(*) FROM messages"), e.count(t, "SELECT count(*) FROM contacts"),
		e.count(t, "SELECT count(*) FROM conversations"); m != 200 || c != 10 || v != 10 {
		t.Fatalf("messages %d contacts %d conversations %d; want 200, 10, 10", m, c, v)
	}
}

func TestRolledBackIngestLeavesNoJobNoEvent(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	conv := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "r1", From: emailFrom("r@example.com"), Text: "hi"})
	listener := e.listen(t)
	jobsBefore := e.count(t, "SELECT count(*) FROM river_job")
	tx, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.IngestTx(ctx, tx, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "r2", From: emailFrom("r@example.com"), Text: "again"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.WriteTx(ctx, tx, inbox.Reply{ConversationID: conv.ConversationID, Author: inbox.Actor{AgentID: mustAgent(t, e, "ag@example.com").ID}, Text: "reply"}, inbox.DirectionOutbound); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, "SELECT count(*) FROM river_job"); n != jobsBefore {
		t.Fatalf("jobs after rollback = %d, before %d", n, jobsBefore)
	}
	if n := e.count(t, "SELECT count(*) FROM messages WHERE external_id = 'r2' OR text = 'reply'"); n != 0 {
		t.Fatalf("messages after rollback = %d", n)
	}
	// A committed change is announced; wait for it and check that nothing from the rolled-back
	// transaction came before it.
	e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "r3", From: emailFrom("r@example.com"), Text: "committed"})
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	n, err := listener.WaitForNotification(wctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(n.Payload, `"message.created"`) || strings.Contains(n.Payload, "outbound") {
		t.Fatalf("first notification = %s", n.Payload)
	}
	var evs []inbox.Event
	if err := json.Unmarshal([]byte(n.Payload), &evs); err != nil {
		t.Fatal(err)
	}
	m, err := e.store.GetMessage(ctx, evs[len(evs)-1].MessageID)
	if err != nil || m.Text != "committed" {
		t.Fatalf("first announced message = %+v, %v", m, err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestProvenAddressLeavesTheContactThatOnlyClaimedIt(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	// A chat visitor types someone else's phone number: a claim, nothing more.
	claimant := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelChat, ExternalID: "v1:c1",
		From: inbox.Identity{Kind: inbox.IdentityChat, Address: "v_visitor", Verified: true},
		Also: []inbox.Identity{{Kind: inbox.IdentityPhone, Address: "+15550100444"}}, Text: "hi, text me"})
	// The number's owner texts in: the carrier proves the number.
	owner := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SMowner", From: phoneFrom("+15550100444"), Text: "who is this?"})
	if owner.ContactID == claimant.ContactID || owner.ConversationID == claimant.ConversationID || !owner.NewContact {
		t.Fatalf("the owner's SMS %+v landed with the claimant %+v", owner, claimant)
	}
	c, err := e.store.ContactByIdentity(ctx, inbox.IdentityPhone, "+15550100444")
	if err != nil || c.ID != owner.ContactID || !c.Identities[0].Verified {
		t.Fatalf("phone identity = %+v, %v; want verified on the owner's contact", c, err)
	}
	if n := e.count(t, "SELECT count(*) FROM conversation_events WHERE contact_id = $1 AND kind = 'identity-proven-elsewhere'", claimant.ContactID); n != 1 {
		t.Fatalf("audit rows = %d", n)
	}
	// The owner's next message joins their own conversation.
	next := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SMowner2", From: phoneFrom("+15550100444"), Text: "hello?"})
	if next.ConversationID != owner.ConversationID || next.NewContact {
		t.Fatalf("second message %+v, want conversation %d", next, owner.ConversationID)
	}
}
