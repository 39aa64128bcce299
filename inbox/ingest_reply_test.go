package inbox

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/internal/dbtest"
)

// TestAWaveOfRepliesChangesEachConversationAsItsMessagesWould attacks the one statement that
// writes a wave's messages into conversations that exist: every message must land in its own
// conversation from its own sender; a resolved conversation is reopened and a snoozed one woken
// by a customer's reply but not by an out-of-office; two senders on one email thread in the
// same wave both land, and their conversation takes the later activity.
func TestAWaveOfRepliesChangesEachConversationAsItsMessagesWould(t *testing.T) {
	t.Parallel()
	pool := dbtest.Pool(t)
	ctx := context.Background()
	s := New(pool, Options{})
	mail := func(addr string) Identity { return Identity{Kind: IdentityEmail, Address: addr, Verified: true} }
	start := func(ext, addr string) IngestResult {
		r, err := s.Ingest(ctx, Inbound{Channel: ChannelEmail, ExternalID: "<" + ext + ">", From: mail(addr), Subject: ext,
			Text: "first", Email: &EmailHeaders{MessageID: ext}})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	open, resolved, snoozed, away := start("o1@x", "olga@example.com"), start("r1@x", "rita@example.com"),
		start("s1@x", "sam@example.com"), start("a1@x", "abe@example.com")
	base := time.Now().Add(-time.Hour).UTC().Truncate(time.Microsecond)
	if _, err := pool.Exec(ctx, `UPDATE conversations SET last_activity_at = $1`, base); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE conversations SET status = 'resolved', resolved_at = $2, waiting_since = NULL WHERE id = ANY($1)`,
		[]int64{resolved.ConversationID, away.ConversationID}, base); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE conversations SET status = 'snoozed', snoozed_until = $2 WHERE id = $1`,
		snoozed.ConversationID, base.Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}

	at := base.Add(30 * time.Minute)
	ins := []*Inbound{
		{Channel: ChannelEmail, ExternalID: "<o2@x>", From: mail("olga@example.com"), Text: "any news?", ReceivedAt: at,
			Email: &EmailHeaders{MessageID: "o2@x", InReplyTo: "o1@x", References: []string{"o1@x"}}},
		// A colleague of Olga's writes on her thread: a new sender, into her conversation.
		{Channel: ChannelEmail, ExternalID: "<o3@x>", From: mail("oscar@example.com"), Name: "Oscar", Text: "me too", ReceivedAt: at.Add(time.Minute),
			Email: &EmailHeaders{MessageID: "o3@x", InReplyTo: "o1@x", References: []string{"o1@x"}}},
		{Channel: ChannelEmail, ExternalID: "<r2@x>", From: mail("rita@example.com"), Text: "it broke again", ReceivedAt: at,
			Email: &EmailHeaders{MessageID: "r2@x", InReplyTo: "r1@x"}},
		{Channel: ChannelEmail, ExternalID: "<s2@x>", From: mail("sam@example.com"), Text: "still there?", ReceivedAt: at,
			Email: &EmailHeaders{MessageID: "s2@x", InReplyTo: "s1@x"}},
		{Channel: ChannelEmail, ExternalID: "<a2@x>", From: mail("abe@example.com"), Text: "I am away", Auto: "auto-reply", ReceivedAt: at,
			Email: &EmailHeaders{MessageID: "a2@x", InReplyTo: "a1@x"}},
	}
	for _, in := range ins {
		if err := in.normalize(s.region); err != nil {
			t.Fatal(err)
		}
	}
	var results []IngestResult
	var events []Event
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var deferred []*Inbound
		var err error
		results, events, deferred, err = s.ingestWave(ctx, tx, ins)
		if err == nil && len(deferred) > 0 {
			err = fmt.Errorf("deferred %d", len(deferred))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	into := []int64{open.ConversationID, open.ConversationID, resolved.ConversationID, snoozed.ConversationID, away.ConversationID}
	for i, in := range ins {
		r := results[i]
		var text, sender string
		var conv int64
		err := pool.QueryRow(ctx, `SELECT m.text, m.conversation_id, i.address FROM messages m
			JOIN contact_identities i ON i.contact_id = m.contact_id WHERE m.id = $1`, r.MessageID).Scan(&text, &conv, &sender)
		if err != nil {
			t.Fatalf("%s: %v", in.ExternalID, err)
		}
		if text != in.Text || sender != in.From.Address || conv != into[i] || r.ConversationID != into[i] || r.NewConversation {
			t.Errorf("%s: message %q from %s in conversation %d (result %+v), want %q from %s in %d",
				in.ExternalID, text, sender, conv, r, in.Text, in.From.Address, into[i])
		}
	}
	if !results[1].NewContact || results[1].ContactID == open.ContactID {
		t.Errorf("the colleague: %+v, want a contact of their own", results[1])
	}

	type state struct {
		status            string
		resolved, snoozed bool
		waiting           bool
		last              time.Time
	}
	read := func(id int64) state {
		var st state
		if err := pool.QueryRow(ctx, `SELECT status, resolved_at IS NOT NULL, snoozed_until IS NOT NULL, waiting_since IS NOT NULL,
				last_activity_at FROM conversations WHERE id = $1`, id).Scan(&st.status, &st.resolved, &st.snoozed, &st.waiting, &st.last); err != nil {
			t.Fatal(err)
		}
		return st
	}
	if st := read(open.ConversationID); st.status != "new" || !st.last.Equal(at.Add(time.Minute)) || !st.waiting {
		t.Errorf("Olga's conversation: %+v, want still new, last activity the colleague's %v, waiting", st, at.Add(time.Minute))
	}
	if st := read(resolved.ConversationID); st.status != "open" || st.resolved || !st.waiting {
		t.Errorf("Rita's conversation: %+v, want reopened, waiting", st)
	}
	if st := read(snoozed.ConversationID); st.status != "open" || st.snoozed {
		t.Errorf("Sam's conversation: %+v, want woken", st)
	}
	if st := read(away.ConversationID); st.status != "resolved" || !st.resolved || st.waiting {
		t.Errorf("Abe's conversation after an out-of-office: %+v, want still resolved, awaiting nobody", st)
	}
	statusEvents := map[int64]string{}
	for _, e := range events {
		if e.Type == EventConversationStatus {
			statusEvents[e.ConversationID] = e.Previous
		}
	}
	if len(statusEvents) != 2 || statusEvents[resolved.ConversationID] != "resolved" || statusEvents[snoozed.ConversationID] != "snoozed" {
		t.Errorf("status events %v, want Rita's from resolved and Sam's from snoozed", statusEvents)
	}
	var trail int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM conversation_events WHERE kind = 'status' AND actor = 'customer'
		AND conversation_id = ANY($1)`, []int64{resolved.ConversationID, snoozed.ConversationID}).Scan(&trail); err != nil || trail != 2 {
		t.Errorf("%d status entries by the customer (%v), want 2", trail, err)
	}
}

// TestAReplyWhoseExternalIDIsTakenFailsTheWave: two returning customers' messages of one wave
// carry one external id. The second is not stored, so the wave must fail with errRaced rather
// than acknowledge it, and leave both conversations as they were.
func TestAReplyWhoseExternalIDIsTakenFailsTheWave(t *testing.T) {
	t.Parallel()
	pool := dbtest.Pool(t)
	ctx := context.Background()
	s := New(pool, Options{})
	var ins []*Inbound
	for _, phone := range []string{"+15550100401", "+15550100402"} {
		from := Identity{Kind: IdentityPhone, Address: phone, Verified: true}
		if _, err := s.Ingest(ctx, Inbound{Channel: ChannelSMS, ExternalID: "SMfirst" + phone, From: from, Text: "hi"}); err != nil {
			t.Fatal(err)
		}
		ins = append(ins, &Inbound{Channel: ChannelSMS, ExternalID: "SMsame", From: from, Text: "again"})
	}
	waveFailsRaced(t, s, ins)
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM messages`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d messages (%v), want the two first ones only", n, err)
	}
}
