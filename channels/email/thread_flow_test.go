package email_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/channels/email"
	"github.com/parleyhq/parley/inbox"
)

// TestMailThreadsBothWays follows one thread: the customer's first mail starts a conversation;
// the agent's reply leaves over SMTP with the headers that thread it; the customer's answer to
// that reply (built from what the sink received) comes back into the same conversation by its
// References, and again by the plus-address token when a mail program drops the References.
func TestMailThreadsBothWays(t *testing.T) {
	e := setup(t, envOptions{})
	ctx := context.Background()
	e.imap.Append(t, customerMail("first@customer.example", "carol@customer.example", "Order 77 never arrived",
		"Hello,\r\nmy order 77 never arrived.\r\nCarol"))
	e.poll()

	first := e.messageByEmailID("first@customer.example")
	conv, err := e.store.GetConversation(ctx, first.ConversationID)
	if err != nil {
		t.Fatal(err)
	}
	if conv.Subject != "Order 77 never arrived" || conv.Channel != inbox.ChannelEmail || first.ThreadedBy != inbox.ThreadedByNew {
		t.Fatalf("conversation %+v, first message threaded by %q", conv, first.ThreadedBy)
	}
	if first.ExternalID == nil || *first.ExternalID != "first@customer.example" {
		t.Errorf("external id = %v, want the Message-ID", first.ExternalID)
	}
	contact, err := e.store.GetContact(ctx, conv.ContactID)
	if err != nil {
		t.Fatal(err)
	}
	if contact.Name != "Carol Customer" || len(contact.Identities) != 1 || contact.Identities[0].Verified {
		t.Errorf("contact %+v: want Carol with one claimed (unverified) email identity", contact)
	}

	// The agent answers; the delivery job sends it through the sink.
	reply := e.reply(conv.ID, "Hi Carol,\n\nit ships today <b>for sure</b> & arrives Friday.\nAda")
	if err := e.deliver(reply.ID, 1); err != nil {
		t.Fatalf("deliver: %v", err)
	}
	sent := e.smtp.Messages()
	if len(sent) != 1 {
		t.Fatalf("sink received %d messages, want 1", len(sent))
	}
	out := sent[0]
	if out.From != "support@example.com" || len(out.To) != 1 || out.To[0] != "carol@customer.example" {
		t.Errorf("envelope from %q to %v", out.From, out.To)
	}
	stored, err := e.store.GetMessage(ctx, reply.ID)
	if err != nil {
		t.Fatal(err)
	}
	msgID := header(out.Data, "Message-Id")
	if stored.EmailMessageID == nil || msgID != "<"+*stored.EmailMessageID+">" || !strings.HasSuffix(msgID, "@example.com>") {
		t.Fatalf("Message-ID header %q, stored %v: want our own <random@example.com>, recorded", msgID, stored.EmailMessageID)
	}
	if stored.ExternalID == nil || *stored.ExternalID != *stored.EmailMessageID || stored.DeliveryStatus != inbox.DeliverySent {
		t.Errorf("stored reply: external id %v, status %q; want the Message-ID and sent", stored.ExternalID, stored.DeliveryStatus)
	}
	if got := header(out.Data, "In-Reply-To"); got != "<first@customer.example>" {
		t.Errorf("In-Reply-To = %q", got)
	}
	if got := header(out.Data, "References"); got != "<first@customer.example>" {
		t.Errorf("References = %q", got)
	}
	wantSubject := "Re: Order 77 never arrived [#" + strconv.FormatInt(conv.ID, 10) + "]"
	if got := header(out.Data, "Subject"); got != wantSubject {
		t.Errorf("Subject = %q, want %q", got, wantSubject)
	}
	replyTo := header(out.Data, "Reply-To")
	m := regexp.MustCompile(`<support\+([a-z2-7]+)@example\.com>`).FindStringSubmatch(replyTo)
	if m == nil {
		t.Fatalf("Reply-To = %q, want the inbox's plus-address with a token", replyTo)
	}
	if id, ok := email.NewThreadTokens(secretKey).Conversation(m[1]); !ok || id != conv.ID {
		t.Errorf("Reply-To token names conversation %d (%v), want %d", id, ok, conv.ID)
	}
	if ct := header(out.Data, "Content-Type"); !strings.HasPrefix(ct, "multipart/alternative") {
		t.Errorf("Content-Type = %q, want multipart/alternative", ct)
	}
	parsed := email.NewParser(email.ParseOptions{}).ParseBytes(out.Data)
	if !strings.Contains(parsed.Text, "it ships today <b>for sure</b> & arrives Friday.") {
		t.Errorf("text part = %q", parsed.Text)
	}
	if !strings.Contains(string(out.Data), "&lt;b&gt;for sure&lt;/b&gt; &amp; arrives") || strings.Contains(parsed.HTML, "<b>") {
		t.Errorf("HTML part does not escape the text: %q", parsed.HTML)
	}

	// The customer answers the reply: In-Reply-To and References name our Message-ID.
	ourID := strings.Trim(msgID, "<>")
	e.imap.Append(t, customerMail("second@customer.example", "carol@customer.example", "Re: "+header(out.Data, "Subject"),
		"Thanks!\r\n\r\nOn Monday Acme Support wrote:\r\n> it ships today",
		"In-Reply-To: <"+ourID+">", "References: <first@customer.example> <"+ourID+">"))
	// Resolve first, so that the contact's open conversation cannot be what threads it.
	if _, err := e.store.SetStatus(ctx, conv.ID, inbox.StatusResolved, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	e.poll()
	second := e.messageByEmailID("second@customer.example")
	if second.ConversationID != conv.ID || second.ThreadedBy != inbox.ThreadedByReference {
		t.Errorf("answer went to conversation %d by %q, want %d by references", second.ConversationID, second.ThreadedBy, conv.ID)
	}
	if second.Text != "Thanks!" {
		t.Errorf("answer text = %q, want the reply without the quote", second.Text)
	}
	if reopened, _ := e.store.GetConversation(ctx, conv.ID); reopened.Status != inbox.StatusOpen {
		t.Errorf("status after the customer's answer = %q, want open (reopened)", reopened.Status)
	}

	// Outlook-style: no In-Reply-To nor References, sent to the Reply-To address. Without the
	// token the contact's resolved conversation would still take it, but as "reopened".
	if _, err := e.store.SetStatus(ctx, conv.ID, inbox.StatusResolved, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	e.imap.Append(t, mail([]string{
		"From: Carol Customer <carol@customer.example>",
		"To: \"Acme Support\" <support+" + m[1] + "@example.com>",
		"Subject: RE: Order 77 never arrived",
		"Message-ID: <third@customer.example>",
		"Content-Type: text/plain; charset=utf-8",
	}, "It arrived, thanks."))
	// A colleague of hers answers the same address: only the token can place it.
	e.imap.Append(t, mail([]string{
		"From: Dave <dave@customer.example>",
		"To: support+" + m[1] + "@example.com",
		"Subject: Order 77",
		"Message-ID: <fourth@customer.example>",
	}, "Confirming for Carol."))
	e.poll()
	for _, id := range []string{"third@customer.example", "fourth@customer.example"} {
		got := e.messageByEmailID(id)
		if got.ConversationID != conv.ID || got.ThreadedBy != email.ThreadedByPlusToken {
			t.Errorf("%s went to conversation %d by %q, want %d by plus-token", id, got.ConversationID, got.ThreadedBy, conv.ID)
		}
	}
}

// TestSubjectTokenThreading threads "[#id]" only for the conversation's own customer: a stranger naming
// it starts a conversation of their own.
func TestSubjectTokenThreading(t *testing.T) {
	e := setup(t, envOptions{})
	ctx := context.Background()
	e.imap.Append(t, customerMail("a1@customer.example", "carol@customer.example", "Invoice copy", "Please send the invoice."))
	e.poll()
	convA := e.messageByEmailID("a1@customer.example").ConversationID
	if _, err := e.store.SetStatus(ctx, convA, inbox.StatusResolved, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	// Without the token, her resolved conversation would take the mail as "reopened".
	token := "[#" + strconv.FormatInt(convA, 10) + "]"
	e.imap.Append(t, customerMail("a2@customer.example", "carol@customer.example", "About my invoice "+token, "Still need it."))
	e.imap.Append(t, customerMail("x1@stranger.example", "mallory@stranger.example", "Re: "+token, "Let me in."))
	e.poll()
	a2 := e.messageByEmailID("a2@customer.example")
	if a2.ConversationID != convA || a2.ThreadedBy != email.ThreadedBySubjectToken {
		t.Errorf("customer's token mail went to %d by %q, want %d by subject-token", a2.ConversationID, a2.ThreadedBy, convA)
	}
	x1 := e.messageByEmailID("x1@stranger.example")
	if x1.ConversationID == convA || x1.ThreadedBy != inbox.ThreadedByNew {
		t.Errorf("stranger's token mail went to %d by %q, want a new conversation", x1.ConversationID, x1.ThreadedBy)
	}
}

// TestReplyToClosedConversation: an answer to a reply in a closed conversation starts a new
// conversation linked to the closed one.
func TestReplyToClosedConversation(t *testing.T) {
	e := setup(t, envOptions{})
	ctx := context.Background()
	convID, sent := e.startThread(t)
	if _, err := e.store.SetStatus(ctx, convID, inbox.StatusClosed, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	e.imap.Append(t, customerMail("late@customer.example", "carol@customer.example", "Re: Help", "One more thing.",
		"In-Reply-To: <"+*sent.EmailMessageID+">"))
	e.poll()
	m := e.messageByEmailID("late@customer.example")
	conv, err := e.store.GetConversation(ctx, m.ConversationID)
	if err != nil {
		t.Fatal(err)
	}
	if conv.ID == convID || conv.PreviousID == nil || *conv.PreviousID != convID || m.ThreadedBy != inbox.ThreadedByAfterClosed {
		t.Errorf("answer went to %d (previous %v) by %q, want a new conversation after %d", conv.ID, conv.PreviousID, m.ThreadedBy, convID)
	}
}
