package inbox

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/internal/dbtest"
)

// routeByText routes a first-time sender's conversation by its first message's text.
type routeByText map[string]*Routing

func (r routeByText) RouteFirstTx(_ context.Context, _ pgx.Tx, firsts []FirstMessage) ([]*Routing, error) {
	out := make([]*Routing, len(firsts))
	for i, f := range firsts {
		out[i] = r[f.Text]
	}
	return out, nil
}

// TestAWaveOfFirstTimeSendersWritesEachOnesOwnRows attacks the one statement that writes a
// wave's first-time senders: every contact, identity, conversation and message must be the
// sender's own, with its inbox, team, routing, language and headers, and the rows of a known
// customer's message, read from the same batch before it, must stay theirs.
func TestAWaveOfFirstTimeSendersWritesEachOnesOwnRows(t *testing.T) {
	t.Parallel()
	pool := dbtest.Pool(t)
	ctx := context.Background()
	var sales, billing, mailbox, phones int64
	for _, q := range []struct {
		sql  string
		dest *int64
	}{
		{`INSERT INTO teams (name) VALUES ('Sales') RETURNING id`, &sales},
		{`INSERT INTO teams (name) VALUES ('Billing') RETURNING id`, &billing},
		{`INSERT INTO inboxes (kind, name, team_id) VALUES ('email', 'Support mail', (SELECT id FROM teams WHERE name = 'Sales')) RETURNING id`, &mailbox},
		{`INSERT INTO inboxes (kind, name) VALUES ('sms', 'Phones') RETURNING id`, &phones},
	} {
		if err := pool.QueryRow(ctx, q.sql).Scan(q.dest); err != nil {
			t.Fatal(err)
		}
	}
	rule := []RoutingRule{{ID: 7, Name: "money", RuleSet: "default"}}
	s := New(pool, Options{Router: routeByText{
		"refund please":  {TeamID: billing, Priority: PriorityUrgent, Rules: rule},
		"to a lost team": {TeamID: 1 << 40},
	}})
	known, err := s.Ingest(ctx, Inbound{Channel: ChannelAPI, ExternalID: "k0", From: Identity{Kind: IdentityEmail, Address: "kim@example.com"}, Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}

	type want struct {
		inbox, team  int64
		priority     string
		routed       bool
		language     string
		refs         string
		teamKey      string
		auditEntries int
	}
	ins := []*Inbound{
		{Channel: ChannelEmail, InboxID: mailbox, ExternalID: "<a1@x>", Name: "Ann", From: Identity{Kind: IdentityEmail, Address: "ann@example.com", Verified: true},
			Subject: "Refund", Text: "refund please", Email: &EmailHeaders{MessageID: "a1@x", InReplyTo: "old@x", References: []string{"older@x", "old@x"}},
			Metadata: map[string]any{"to": "support@example.com"}},
		{Channel: ChannelSMS, InboxID: phones, ExternalID: "SMb1", From: Identity{Kind: IdentityPhone, Address: "+15550100201", Verified: true}, Text: "to a lost team"},
		{Channel: ChannelAPI, ExternalID: "k1", From: Identity{Kind: IdentityEmail, Address: "kim@example.com"}, Text: "me again"},
		{Channel: ChannelAPI, ExternalID: "c1", Name: "Cy", From: Identity{Kind: IdentityEmail, Address: "cy@example.com"}, Text: "bonjour", Language: "fr"},
		{Channel: ChannelSMS, InboxID: phones, ExternalID: "SMd1", From: Identity{Kind: IdentityPhone, Address: "+15550100202", Verified: true}, Text: "plain"},
	}
	wants := map[string]want{
		"<a1@x>": {inbox: mailbox, team: billing, priority: "urgent", routed: true, refs: "{older@x,old@x}", teamKey: fmt.Sprint("t:", billing), auditEntries: 3},
		"SMb1":   {inbox: phones, priority: "normal", routed: true, refs: "{}", teamKey: "t:", auditEntries: 0},
		"c1":     {priority: "normal", language: "fr", refs: "{}", teamKey: "t:"},
		"SMd1":   {inbox: phones, priority: "normal", refs: "{}", teamKey: "t:"},
	}
	for _, in := range ins {
		if err := in.normalize(s.region); err != nil {
			t.Fatal(err)
		}
	}
	var results []IngestResult
	var events []Event
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var deferred []*Inbound
		results, events, deferred, err = s.ingestWave(ctx, tx, ins)
		if len(deferred) > 0 {
			return fmt.Errorf("deferred %d", len(deferred))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	if r := results[2]; r.NewContact || r.NewConversation || r.ContactID != known.ContactID || r.ConversationID != known.ConversationID {
		t.Errorf("the known customer's message: %+v, want in conversation %d of contact %d", r, known.ConversationID, known.ContactID)
	}
	contacts := map[int64]bool{known.ContactID: true}
	for i, in := range ins {
		w, first := wants[in.ExternalID]
		if !first {
			continue
		}
		r := results[i]
		if !r.NewContact || !r.NewConversation || contacts[r.ContactID] {
			t.Errorf("%s: %+v, want a new contact and conversation of its own", in.ExternalID, r)
		}
		contacts[r.ContactID] = true
		var name, address, text, ext, channel, priority, refs, meta, reach string
		var convContact, msgContact, inboxID, team, msgConv int64
		var language *string
		var routed bool
		err := pool.QueryRow(ctx, `SELECT k.name, i.address, m.text, m.external_id, c.channel, c.priority, m.email_references::text,
				m.metadata::text, array_to_string(k.reach, ','), c.contact_id, m.contact_id, coalesce(c.inbox_id, 0),
				coalesce(c.team_id, 0), m.conversation_id, c.language, c.routed_at IS NOT NULL
			FROM messages m JOIN conversations c ON c.id = $2 JOIN contacts k ON k.id = $1
				JOIN contact_identities i ON i.contact_id = k.id
			WHERE m.id = $3`, r.ContactID, r.ConversationID, r.MessageID).Scan(&name, &address, &text, &ext, &channel, &priority, &refs,
			&meta, &reach, &convContact, &msgContact, &inboxID, &team, &msgConv, &language, &routed)
		if err != nil {
			t.Fatalf("%s: %v", in.ExternalID, err)
		}
		if name != in.Name || address != in.From.Address || text != in.Text || ext != in.ExternalID || channel != string(in.Channel) ||
			convContact != r.ContactID || msgContact != r.ContactID || msgConv != r.ConversationID {
			t.Errorf("%s: rows of another sender: name %q address %q text %q ext %q channel %s contacts %d/%d conversation %d",
				in.ExternalID, name, address, text, ext, channel, convContact, msgContact, msgConv)
		}
		wantTeam := w.team
		if wantTeam == 0 && w.inbox == mailbox {
			wantTeam = sales
		}
		if inboxID != w.inbox || team != wantTeam || priority != w.priority || routed != w.routed || refs != w.refs {
			t.Errorf("%s: inbox %d team %d priority %s routed %v refs %s; want %d %d %s %v %s",
				in.ExternalID, inboxID, team, priority, routed, refs, w.inbox, wantTeam, w.priority, w.routed, w.refs)
		}
		if (language == nil) != (w.language == "") || (language != nil && *language != w.language) {
			t.Errorf("%s: language %v, want %q", in.ExternalID, language, w.language)
		}
		if in.Metadata != nil && meta != `{"to": "support@example.com"}` {
			t.Errorf("%s: metadata %s", in.ExternalID, meta)
		}
		keys := strings.Split(reach, ",")
		if !slices.Contains(keys, "c:"+string(in.Channel)) || !slices.Contains(keys, w.teamKey) {
			t.Errorf("%s: contact's reach %q, want c:%s and %s", in.ExternalID, reach, in.Channel, w.teamKey)
		}
		var audits int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM conversation_events WHERE conversation_id = $1`, r.ConversationID).Scan(&audits); err != nil {
			t.Fatal(err)
		}
		if audits != w.auditEntries {
			t.Errorf("%s: %d audit entries, want %d", in.ExternalID, audits, w.auditEntries)
		}
		created := 0
		for _, e := range events {
			if e.Type == EventConversationCreated && e.ConversationID == r.ConversationID {
				created++
				if e.Routed != w.routed || e.ContactID != r.ContactID {
					t.Errorf("%s: created event %+v", in.ExternalID, e)
				}
			}
		}
		if created != 1 {
			t.Errorf("%s: %d conversation.created events", in.ExternalID, created)
		}
	}
}

// TestAFirstTimeSenderWhoseExternalIDIsTakenFailsTheWave: two first-time senders of one wave
// whose messages carry one external id (a provider's id reused by a forger, or a race). The
// second's message is not stored, so the wave must fail with errRaced, for the group commit
// to run it again, rather than acknowledge a message with no row.
func TestAFirstTimeSenderWhoseExternalIDIsTakenFailsTheWave(t *testing.T) {
	t.Parallel()
	pool := dbtest.Pool(t)
	ctx := context.Background()
	s := New(pool, Options{})
	ins := []*Inbound{
		{Channel: ChannelSMS, ExternalID: "SMsame", From: Identity{Kind: IdentityPhone, Address: "+15550100301", Verified: true}, Text: "one"},
		{Channel: ChannelSMS, ExternalID: "SMsame", From: Identity{Kind: IdentityPhone, Address: "+15550100302", Verified: true}, Text: "two"},
	}
	waveFailsRaced(t, s, ins)
	var n int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM messages) + (SELECT count(*) FROM contacts)`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d rows left (%v), want none", n, err)
	}
	// Through the group commit, the first is stored and the second is its duplicate.
	a, errA := s.Ingest(ctx, *ins[0])
	b, errB := s.Ingest(ctx, *ins[1])
	if errA != nil || errB != nil || !b.Duplicate || b.MessageID != a.MessageID {
		t.Fatalf("one by one: %+v %v, %+v %v", a, errA, b, errB)
	}
}

// waveFailsRaced runs ins as one wave, which must fail with errRaced.
func waveFailsRaced(t *testing.T, s *Store, ins []*Inbound) {
	t.Helper()
	for _, in := range ins {
		if err := in.normalize(s.region); err != nil {
			t.Fatal(err)
		}
	}
	err := pgx.BeginFunc(t.Context(), s.pool, func(tx pgx.Tx) error {
		_, _, _, err := s.ingestWave(t.Context(), tx, ins)
		return err
	})
	if !errors.Is(err, errRaced) {
		t.Fatalf("wave: %v, want errRaced", err)
	}
}
