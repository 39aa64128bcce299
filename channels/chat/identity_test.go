package chat_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley/channels/chat"
	"github.com/parleyhq/parley/inbox"
)

// A visitor who chatted anonymously signs in on the site as a user whose email the inbox
// already knows, verified (they wrote by email): their chat contact merges into that
// customer, one timeline for the agents. The widget shows the chat's messages, not the mail.
func TestVerifiedIdentityMergesIntoKnownCustomer(t *testing.T) {
	t.Parallel()
	e := setup(t)
	n := e.node(t, chat.Config{Store: e.store})
	in := e.chatInbox(t, chat.Settings{})
	ctx := context.Background()
	known, err := e.store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "mail-1",
		From: inbox.Identity{Kind: inbox.IdentityEmail, Address: "Jane@Example.com", Verified: true}, Name: "Jane Doe",
		Subject: "Refund", Text: "Where is my refund?"})
	if err != nil {
		t.Fatal(err)
	}

	v := dial(t, n, in.ID)
	w := v.hello(chat.Hello{})
	anon := v.say("c1", "hi, anonymous here")
	anonContact := *mustMessage(t, e, anon.ID).ContactID
	if anonContact == known.ContactID {
		t.Fatal("an anonymous visitor joined a known customer")
	}

	// Signed in: user_id is the site's user (their email), user_hash signed by the site.
	v2 := dial(t, n, in.ID)
	w2 := v2.hello(chat.Hello{Token: w.Token, UserID: "jane@example.com", UserHash: chat.UserHash(identitySecret, "jane@example.com")})
	if w2.VisitorID != w.VisitorID || w2.Conversation == nil {
		t.Fatalf("welcome %+v", w2)
	}
	if got := v2.message(); got.ID != anon.ID {
		t.Fatalf("replayed %+v, want the chat message %d (and never the mail %d)", got, anon.ID, known.MessageID)
	}
	merged, err := e.store.GetContact(ctx, anonContact)
	if err != nil {
		t.Fatal(err)
	}
	if merged.ID != known.ContactID {
		t.Fatalf("visitor's contact resolves to %d, want the customer %d", merged.ID, known.ContactID)
	}
	next := v2.say("c2", "now signed in")
	if m := mustMessage(t, e, next.ID); *m.ContactID != known.ContactID {
		t.Fatalf("signed-in message went to contact %d, want %d", *m.ContactID, known.ContactID)
	}
}

// An opaque user id, signed: two browsers of the same user share one contact.
func TestVerifiedUserAcrossBrowsers(t *testing.T) {
	t.Parallel()
	e := setup(t)
	n := e.node(t, chat.Config{Store: e.store})
	in := e.chatInbox(t, chat.Settings{})
	hash := chat.UserHash(identitySecret, "user-42")

	laptop := dial(t, n, in.ID)
	laptop.hello(chat.Hello{UserID: "user-42", UserHash: hash, Name: "Kim"})
	first := laptop.say("c1", "from the laptop")

	phone := dial(t, n, in.ID)
	phone.hello(chat.Hello{UserID: "user-42", UserHash: hash})
	if got := phone.message(); got.ID != first.ID {
		t.Fatalf("the phone replayed %+v, want the laptop's message %d", got, first.ID)
	}
	second := phone.say("c1", "from the phone")
	a, b := mustMessage(t, e, first.ID), mustMessage(t, e, second.ID)
	if *a.ContactID != *b.ContactID || a.ConversationID != b.ConversationID {
		t.Fatalf("laptop %d/%d and phone %d/%d: want one contact and conversation", *a.ContactID, a.ConversationID, *b.ContactID, b.ConversationID)
	}
	if got := laptop.message(); got.ID != second.ID {
		t.Fatalf("the laptop got %+v, want the phone's message %d", got, second.ID)
	}
}

// A bad hash is refused (error frame) and the visitor chats anonymously; an email only
// claimed by someone (typed into a chat) is never merged into.
func TestUnverifiedIdentityNeverMerges(t *testing.T) {
	t.Parallel()
	e := setup(t)
	n := e.node(t, chat.Config{Store: e.store})
	in := e.chatInbox(t, chat.Settings{})

	claimer := dial(t, n, in.ID)
	claimer.hello(chat.Hello{Email: "boss@example.com"})
	claimed := claimer.say("c1", "I am the boss")

	v := dial(t, n, in.ID)
	v.write(map[string]any{"type": "hello", "user_id": "boss@example.com", "user_hash": chat.UserHash("wrong secret", "boss@example.com")})
	if f := v.expect("error"); f.Code != chat.CodeIdentity {
		t.Fatalf("error frame %+v, want identity", f)
	}
	if w := v.expect("welcome"); w.Conversation != nil {
		t.Fatalf("refused identity got a conversation: %+v", w)
	}
	// Correctly signed now, but the address is only claimed by another visitor's contact.
	v2 := dial(t, n, in.ID)
	if w := v2.hello(chat.Hello{UserID: "boss@example.com", UserHash: chat.UserHash(identitySecret, "boss@example.com")}); w.Conversation != nil {
		t.Fatalf("signed-in user joined a stranger's claim: %+v", w)
	}
	mine := v2.say("c1", "the real boss")
	if a, b := mustMessage(t, e, claimed.ID), mustMessage(t, e, mine.ID); *a.ContactID == *b.ContactID {
		t.Fatal("a verified user was merged into a contact that only claimed their email")
	}
}
