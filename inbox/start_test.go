package inbox_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
)

// startEnv is a store whose events are logged, with team A (agent ana), team B (agent bo), a
// supervisor, and an email and an SMS inbox of team A.
type startEnv struct {
	e               *env
	log             *eventLog
	ana, bo, sue    inbox.Agent
	teamA, teamB    inbox.Team
	mailA, smsA     inbox.Inbox
	anaV, boV, supV inbox.Viewer
}

func setupStart(t *testing.T) *startEnv {
	t.Helper()
	ctx := context.Background()
	log := &eventLog{}
	e := &env{pool: dbtest.Pool(t), now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	e.store = inbox.New(e.pool, inbox.Options{Jobs: log, Clock: func() time.Time { return e.now }, SecretKey: "test-key",
		PasswordCost: bcrypt.MinCost})
	s := &startEnv{e: e, log: log}
	s.ana, s.bo = mustAgent(t, e, "ana@example.com"), mustAgent(t, e, "bo@example.com")
	var err error
	if s.sue, err = e.store.CreateAgent(ctx, inbox.NewAgent{Email: "sue@example.com", Name: "Sue", Role: inbox.RoleSupervisor,
		Password: "correct-horse-battery"}); err != nil {
		t.Fatal(err)
	}
	if s.teamA, err = e.store.CreateTeam(ctx, "A", []string{s.ana.Email}); err != nil {
		t.Fatal(err)
	}
	if s.teamB, err = e.store.CreateTeam(ctx, "B", []string{s.bo.Email}); err != nil {
		t.Fatal(err)
	}
	if s.mailA, err = e.store.CreateInbox(ctx, inbox.NewInbox{Kind: inbox.ChannelEmail, Name: "Support mail", TeamID: s.teamA.ID}); err != nil {
		t.Fatal(err)
	}
	if s.smsA, err = e.store.CreateInbox(ctx, inbox.NewInbox{Kind: inbox.ChannelSMS, Name: "Support SMS", TeamID: s.teamA.ID}); err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		a *inbox.Agent
		v *inbox.Viewer
	}{{&s.ana, &s.anaV}, {&s.bo, &s.boV}, {&s.sue, &s.supV}} {
		if *x.v, err = e.store.ViewerOf(ctx, *x.a); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func (s *startEnv) start(v inbox.Viewer, n inbox.NewConversation) (inbox.Conversation, error) {
	st, err := s.e.store.As(v).StartConversation(context.Background(), n, inbox.Actor{AgentID: v.AgentID})
	if err == nil && st.Replayed {
		return st.Conversation, errors.New("the start was taken as a replay")
	}
	return st.Conversation, err
}

// TestStartConversationToNewAddress starts an email to an address nobody holds: a contact is
// created with it (claimed), the conversation is the agent's, in the inbox's team, routed,
// pending, with its opening message queued to that address, a trail entry and the three events.
// A second message before the answer goes to the same address; the customer's answer, proven
// by DKIM, joins the conversation, wakes it and verifies the address on the same contact.
func TestStartConversationToNewAddress(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := setupStart(t)
	c, err := s.start(s.anaV, inbox.NewConversation{To: " New.Person@Example.com ", Channel: inbox.ChannelEmail,
		InboxID: s.mailA.ID, Subject: " Your order 1042 ", Text: "Hello, your order has shipped."})
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != inbox.StatusPending || c.Channel != inbox.ChannelEmail || c.Subject != "Your order 1042" ||
		deref(c.AssigneeID) != s.ana.ID || deref(c.TeamID) != s.teamA.ID || deref(c.InboxID) != s.mailA.ID {
		t.Fatalf("conversation %+v, want pending email in team A's inbox, assigned to ana", c)
	}
	if n := s.e.count(t, `SELECT count(*) FROM conversations WHERE id = $1 AND routed_at IS NOT NULL`, c.ID); n != 1 {
		t.Error("the started conversation is not marked routed: routing rules would move it")
	}
	contact, err := s.e.store.GetContact(ctx, c.ContactID)
	if err != nil {
		t.Fatal(err)
	}
	if len(contact.Identities) != 1 || contact.Identities[0].Address != "new.person@example.com" || contact.Identities[0].Verified {
		t.Fatalf("identities %+v, want the address, claimed", contact.Identities)
	}
	msgs, err := s.e.store.Messages(ctx, c.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Direction != inbox.DirectionOutbound || msgs[0].DeliveryStatus != inbox.DeliveryQueued ||
		msgs[0].Metadata["to"] != "new.person@example.com" || deref(msgs[0].AuthorAgentID) != s.ana.ID || deref(msgs[0].InboxID) != s.mailA.ID {
		t.Fatalf("messages %+v, want ana's queued email to the address", msgs)
	}
	if n := s.e.count(t, `SELECT count(*) FROM conversation_events WHERE conversation_id = $1 AND kind = $2 AND agent_id = $3
		AND data->>'to' = 'new.person@example.com' AND (data->>'new_contact')::bool`, c.ID, inbox.AuditConversationStarted, s.ana.ID); n != 1 {
		t.Errorf("%d started entries in the trail, want 1", n)
	}
	for _, typ := range []string{inbox.EventConversationCreated, inbox.EventMessageCreated, inbox.EventConversationStatus} {
		if got := s.log.ofType(typ); len(got) != 1 || got[0].ConversationID != c.ID || got[0].AssigneeID != s.ana.ID {
			t.Errorf("%s events %+v, want one of the conversation, naming ana", typ, got)
		}
	}

	second, err := s.e.store.Send(ctx, inbox.Reply{ConversationID: c.ID, Author: inbox.Actor{AgentID: s.ana.ID}, Text: "P.S. tracking: 1Z999"})
	if err != nil {
		t.Fatal(err)
	}
	if second.Metadata["to"] != "new.person@example.com" || second.Channel != inbox.ChannelEmail {
		t.Errorf("second message %+v, want it to the same address", second)
	}

	res := s.e.ingest(t, inbox.Inbound{Channel: inbox.ChannelEmail, InboxID: s.mailA.ID, ExternalID: "<answer@example.com>",
		From: emailFrom("new.person@example.com"), Subject: "Re: Your order 1042", Text: "Thanks!"})
	if res.ConversationID != c.ID || res.ContactID != c.ContactID || res.NewContact {
		t.Fatalf("answer %+v, want it in conversation %d of contact %d", res, c.ID, c.ContactID)
	}
	after, err := s.e.store.GetConversation(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Status != inbox.StatusOpen {
		t.Errorf("after the answer: %s, want open", after.Status)
	}
	if n := s.e.count(t, `SELECT count(*) FROM contact_identities WHERE contact_id = $1 AND verified`, c.ContactID); n != 1 {
		t.Errorf("the answered address is not verified on the contact")
	}
	third, err := s.e.store.Send(ctx, inbox.Reply{ConversationID: c.ID, Author: inbox.Actor{AgentID: s.ana.ID}, Text: "Glad to help"})
	if err != nil {
		t.Fatal(err)
	}
	if _, named := third.Metadata["to"]; named {
		t.Errorf("after the answer a reply still names %v: the answer's sender should decide", third.Metadata["to"])
	}
}

// TestStartConversationWithContact writes to a known contact: their verified address first,
// else the claimed one; the existing contact found by "to" is the same contact.
func TestStartConversationWithContact(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := setupStart(t)
	in := s.e.ingest(t, inbox.Inbound{Channel: inbox.ChannelEmail, InboxID: s.mailA.ID, ExternalID: "<first@example.com>",
		From: emailFrom("kim@example.com"), Subject: "Hi", Text: "first"})
	if err := s.e.store.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO contact_identities (contact_id, kind, address, verified) VALUES
			($1, 'email', 'kim.other@example.com', false), ($1, 'phone', '+15550100777', false)`, in.ContactID); err != nil {
			return err
		}
		return s.e.store.SetTeamTx(ctx, tx, in.ConversationID, s.teamA.ID, inbox.Actor{})
	}); err != nil {
		t.Fatal(err)
	}
	mail, err := s.start(s.anaV, inbox.NewConversation{ContactID: in.ContactID, Channel: inbox.ChannelEmail, InboxID: s.mailA.ID,
		Subject: "Follow-up", Text: "Any news?"})
	if err != nil {
		t.Fatal(err)
	}
	text, err := s.start(s.anaV, inbox.NewConversation{ContactID: in.ContactID, Channel: inbox.ChannelSMS, InboxID: s.smsA.ID,
		Subject: "ignored", Text: "Your parcel is at the door\nsecond line"})
	if err != nil {
		t.Fatal(err)
	}
	byTo, err := s.start(s.anaV, inbox.NewConversation{To: "(555) 010-0777", Channel: inbox.ChannelSMS, InboxID: s.smsA.ID, Text: "again"})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		c       inbox.Conversation
		to      string
		subject string
	}{{mail, "kim@example.com", "Follow-up"}, {text, "+15550100777", "Your parcel is at the door"}, {byTo, "+15550100777", "again"}} {
		msgs, err := s.e.store.Messages(ctx, x.c.ID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if x.c.ContactID != in.ContactID || x.c.Subject != x.subject || len(msgs) != 1 || msgs[0].Metadata["to"] != x.to {
			t.Errorf("conversation %+v with %+v, want contact %d, subject %q, to %s", x.c, msgs, in.ContactID, x.subject, x.to)
		}
	}
	if n := s.e.count(t, `SELECT count(*) FROM contacts`); n != 1 {
		t.Errorf("%d contacts, want the one", n)
	}
}

// TestStartConversationRefusals: every bad input is a *ValidationError naming what is wrong, and
// nothing is stored.
func TestStartConversationRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := setupStart(t)
	chat, err := s.e.store.CreateInbox(ctx, inbox.NewInbox{Kind: inbox.ChannelChat, Name: "Widget", TeamID: s.teamA.ID})
	if err != nil {
		t.Fatal(err)
	}
	off, err := s.e.store.CreateInbox(ctx, inbox.NewInbox{Kind: inbox.ChannelEmail, Name: "Old mail", TeamID: s.teamA.ID})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.e.store.InTx(ctx, func(tx pgx.Tx) error {
		_, err := s.e.store.SetInboxDisabledTx(ctx, tx, off.ID, true)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	mailOnly := s.e.ingest(t, inbox.Inbound{Channel: inbox.ChannelEmail, InboxID: s.mailA.ID, ExternalID: "<m@example.com>",
		From: emailFrom("mailonly@example.com"), Subject: "Hi", Text: "hi"})
	ok := inbox.NewConversation{To: "x@example.com", Channel: inbox.ChannelEmail, InboxID: s.mailA.ID, Subject: "S", Text: "T"}
	with := func(f func(*inbox.NewConversation)) inbox.NewConversation {
		n := ok
		f(&n)
		return n
	}
	before := s.e.count(t, `SELECT count(*) FROM conversations`) + s.e.count(t, `SELECT count(*) FROM contacts`)
	for _, c := range []struct {
		name  string
		n     inbox.NewConversation
		field string
		says  string
	}{
		{"no channel", with(func(n *inbox.NewConversation) { n.Channel = "" }), "channel", "email or sms"},
		{"chat", with(func(n *inbox.NewConversation) { n.Channel = inbox.ChannelChat; n.InboxID = chat.ID }), "channel", `not "chat"`},
		{"both", with(func(n *inbox.NewConversation) { n.ContactID = mailOnly.ContactID }), "to", "not both"},
		{"neither", with(func(n *inbox.NewConversation) { n.To = "" }), "to", "whom to write to"},
		{"bad email", with(func(n *inbox.NewConversation) { n.To = "not-an-address" }), "to", "not an email address"},
		{"bad number", with(func(n *inbox.NewConversation) { n.Channel, n.InboxID, n.To = inbox.ChannelSMS, s.smsA.ID, "12" }), "to", "phone number"},
		{"no inbox", with(func(n *inbox.NewConversation) { n.InboxID = 0 }), "inbox_id", "is required"},
		{"no subject", with(func(n *inbox.NewConversation) { n.Subject = "  " }), "subject", "needs a subject"},
		{"two-line subject", with(func(n *inbox.NewConversation) { n.Subject = "a\r\nBcc: x@example.com" }), "subject", "one line"},
		{"long subject", with(func(n *inbox.NewConversation) { n.Subject = strings.Repeat("s", inbox.MaxSubjectChars+1) }), "subject", "longer"},
		{"no text", with(func(n *inbox.NewConversation) { n.Text = " \n" }), "text", "is empty"},
		{"long text", with(func(n *inbox.NewConversation) { n.Text = strings.Repeat("t", inbox.MaxTextBytes+1) }), "text", "longer"},
		{"sms inbox for email", with(func(n *inbox.NewConversation) { n.InboxID = s.smsA.ID }), "inbox_id", "is a sms inbox, not email"},
		{"disabled inbox", with(func(n *inbox.NewConversation) { n.InboxID = off.ID }), "inbox_id", "is disabled"},
		{"contact without a phone", inbox.NewConversation{ContactID: mailOnly.ContactID, Channel: inbox.ChannelSMS, InboxID: s.smsA.ID, Text: "hi"},
			"contact_id", "the contact has no phone number"},
	} {
		_, err := s.start(s.supV, c.n)
		var ve *inbox.ValidationError
		if !errors.As(err, &ve) || ve.Field != c.field || !strings.Contains(ve.Reason, c.says) {
			t.Errorf("%s: %v, want a validation error of %s saying %q", c.name, err, c.field, c.says)
		}
	}
	if after := s.e.count(t, `SELECT count(*) FROM conversations`) + s.e.count(t, `SELECT count(*) FROM contacts`); after != before {
		t.Errorf("refusals stored something: %d -> %d conversations and contacts", before, after)
	}
	if _, err := s.start(s.supV, with(func(n *inbox.NewConversation) { n.InboxID = 999999 })); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("unknown inbox: %v, want ErrNotFound", err)
	}
	if _, err := s.e.store.As(s.supV).StartConversation(ctx, ok, inbox.Actor{}); !errors.Is(err, inbox.ErrInvalid) {
		t.Errorf("the system starting one: %v, want ErrInvalid", err)
	}
}

// TestStartConversationVisibility: an agent may start from an inbox of their team only, and
// write to a contact only when they see one of the contact's conversations; a supervisor may
// do both anywhere. What an agent may not use is ErrNotFound, and nothing is stored.
func TestStartConversationVisibility(t *testing.T) {
	t.Parallel()
	s := setupStart(t)
	theirs := s.e.ingest(t, inbox.Inbound{Channel: inbox.ChannelEmail, InboxID: s.mailA.ID, ExternalID: "<t@example.com>",
		From: emailFrom("theirs@example.com"), Subject: "Hi", Text: "hi"})
	if err := s.e.store.InTx(context.Background(), func(tx pgx.Tx) error {
		return s.e.store.SetTeamTx(context.Background(), tx, theirs.ConversationID, s.teamA.ID, inbox.Actor{})
	}); err != nil {
		t.Fatal(err)
	}
	mail := func(n inbox.NewConversation) inbox.NewConversation {
		n.Channel, n.InboxID, n.Subject, n.Text = inbox.ChannelEmail, s.mailA.ID, "S", "T"
		return n
	}
	before := s.e.count(t, `SELECT count(*) FROM conversations`)
	if _, err := s.start(s.boV, mail(inbox.NewConversation{To: "b@example.com"})); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("bo from team A's inbox: %v, want ErrNotFound", err)
	}
	if _, err := s.start(s.boV, mail(inbox.NewConversation{ContactID: theirs.ContactID})); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("bo to team A's contact: %v, want ErrNotFound", err)
	}
	if n := s.e.count(t, `SELECT count(*) FROM conversations`); n != before {
		t.Errorf("refused starts stored %d conversations", n-before)
	}
	if _, err := s.start(s.anaV, mail(inbox.NewConversation{ContactID: theirs.ContactID})); err != nil {
		t.Errorf("ana to her team's contact: %v", err)
	}
	c, err := s.start(s.supV, mail(inbox.NewConversation{To: "sue-writes@example.com"}))
	if err != nil {
		t.Fatalf("the supervisor from team A's inbox: %v", err)
	}
	if deref(c.AssigneeID) != s.sue.ID {
		t.Errorf("assignee %v, want the supervisor who started it", c.AssigneeID)
	}
}

// TestStartConversationRacesTheCustomer starts a conversation to a new address while the same
// address writes in: the identity lock makes one contact of them, whichever comes first.
func TestStartConversationRacesTheCustomer(t *testing.T) {
	t.Parallel()
	s := setupStart(t)
	for i := range 5 {
		addr := "race" + string(rune('a'+i)) + "@example.com"
		var wg sync.WaitGroup
		var startErr, ingestErr error
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, startErr = s.start(s.anaV, inbox.NewConversation{To: addr, Channel: inbox.ChannelEmail, InboxID: s.mailA.ID, Subject: "S", Text: "T"})
		}()
		go func() {
			defer wg.Done()
			_, ingestErr = s.e.store.Ingest(context.Background(), inbox.Inbound{Channel: inbox.ChannelEmail, InboxID: s.mailA.ID,
				ExternalID: "<" + addr + ">", From: inbox.Identity{Kind: inbox.IdentityEmail, Address: addr}, Subject: "Hello", Text: "hi"})
		}()
		wg.Wait()
		if startErr != nil || ingestErr != nil {
			t.Fatalf("%s: start %v, ingest %v", addr, startErr, ingestErr)
		}
		if n := s.e.count(t, `SELECT count(DISTINCT contact_id) FROM contact_identities WHERE address = $1`, addr); n != 1 {
			t.Errorf("%s: held by %d contacts", addr, n)
		}
		if n := s.e.count(t, `SELECT count(DISTINCT c.contact_id) FROM conversations c JOIN contact_identities i ON i.contact_id = c.contact_id
			WHERE i.address = $1`, addr); n != 1 {
			t.Errorf("%s: conversations of %d contacts", addr, n)
		}
	}
}

// TestStartConversationIdempotencyKey: the same agent's key sent again, even at once, gets the
// conversation it started and writes nothing; with another request it is a conflict; another
// agent's same key is theirs; a malformed key is refused.
func TestStartConversationIdempotencyKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := setupStart(t)
	n := inbox.NewConversation{To: "lee@example.com", Channel: inbox.ChannelEmail, InboxID: s.mailA.ID, Subject: "S", Text: "T", Key: "order-1042-notice"}
	var wg sync.WaitGroup
	got := make([]inbox.Started, 4)
	errs := make([]error, 4)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = s.e.store.As(s.anaV).StartConversation(ctx, n, inbox.Actor{AgentID: s.ana.ID})
		}()
	}
	wg.Wait()
	replays := 0
	for i := range got {
		if errs[i] != nil {
			t.Fatalf("start %d: %v", i, errs[i])
		}
		if got[i].Conversation.ID != got[0].Conversation.ID {
			t.Errorf("start %d: conversation %d, want %d", i, got[i].Conversation.ID, got[0].Conversation.ID)
		}
		if got[i].Replayed {
			replays++
		}
	}
	if replays != 3 {
		t.Errorf("%d replays, want 3 of 4", replays)
	}
	if c, m := s.e.count(t, `SELECT count(*) FROM conversations`), s.e.count(t, `SELECT count(*) FROM messages`); c != 1 || m != 1 {
		t.Errorf("%d conversations and %d messages, want one of each", c, m)
	}
	if ev := s.log.ofType(inbox.EventMessageCreated); len(ev) != 1 {
		t.Errorf("%d message.created events, want 1: a replay announces nothing", len(ev))
	}
	other := n
	other.Text = "another text"
	if _, err := s.e.store.As(s.anaV).StartConversation(ctx, other, inbox.Actor{AgentID: s.ana.ID}); !errors.Is(err, inbox.ErrConflict) {
		t.Errorf("the key with another text: %v, want ErrConflict", err)
	}
	sue, err := s.e.store.As(s.supV).StartConversation(ctx, n, inbox.Actor{AgentID: s.sue.ID})
	if err != nil || sue.Replayed || sue.Conversation.ID == got[0].Conversation.ID {
		t.Errorf("another agent's same key: %+v, %v; want a conversation of theirs", sue, err)
	}
	bad := n
	bad.Key = "two words"
	var ve *inbox.ValidationError
	if _, err := s.e.store.As(s.anaV).StartConversation(ctx, bad, inbox.Actor{AgentID: s.ana.ID}); !errors.As(err, &ve) || ve.Field != "idempotency_key" {
		t.Errorf("a key with a space: %v, want a validation error of idempotency_key", err)
	}
}
