package chat_test

import (
	"context"
	"strings"
	"testing"

	"github.com/parleyhq/parley/channels/chat"
	"github.com/parleyhq/parley/inbox"
)

// TestSignedAttributesOfAVerifiedUser: a verified user's contact attributes, signed by the
// site with the user_id (AttributesHash), are set with their next message; attributes that are
// unsigned, signed for other text or another user, or given by an anonymous visitor are
// ignored with an "attributes" error frame before the welcome, and change nothing.
func TestSignedAttributesOfAVerifiedUser(t *testing.T) {
	t.Parallel()
	e := setup(t)
	n := e.node(t, chat.Config{Store: e.store})
	in := e.chatInbox(t, chat.Settings{})
	ctx := context.Background()
	if _, err := e.store.SaveAttributeDef(ctx, inbox.AttributeDef{Object: inbox.AttrContact, Key: "plan", Label: "Plan",
		Type: inbox.AttrList, Options: []string{"free", "enterprise"}}, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	const user = "user-7"
	userHash := chat.UserHash(identitySecret, user)
	free, enterprise := `{"plan":"free"}`, `{"plan": "enterprise"}`

	// hello sends a hello with attributes and returns the error frame before the welcome, if any.
	// last is the id of the last message the user's widgets hold: nothing is replayed.
	var last int64
	hello := func(v *visitor, userID, hash, attrs, attrsHash string) string {
		t.Helper()
		v.write(map[string]any{"type": "hello", "last_id": last, "user_id": userID, "user_hash": hash,
			"attributes": attrs, "attributes_hash": attrsHash})
		f := v.read()
		refused := ""
		if f.Type == "error" {
			if f.Code != chat.CodeAttributes {
				t.Fatalf("error frame %+v, want code %q", f, chat.CodeAttributes)
			}
			refused = f.Message
			f = v.read()
		}
		if f.Type != "welcome" {
			t.Fatalf("got %+v, want the welcome", f)
		}
		return refused
	}
	// say sends a message and returns its acknowledgement, passing over the live copies of the
	// user's earlier messages on other sockets.
	say := func(v *visitor, clientID, text string) frame {
		t.Helper()
		v.send(clientID, text)
		for {
			if f := v.read(); f.Type == "message" && f.ClientID == clientID {
				return f
			}
		}
	}
	planOf := func(messageID int64) any {
		t.Helper()
		last = messageID
		c, err := e.store.GetContact(ctx, *mustMessage(t, e, messageID).ContactID)
		if err != nil {
			t.Fatal(err)
		}
		return c.Attributes["plan"]
	}

	v := dial(t, n, in.ID)
	if why := hello(v, user, userHash, free, chat.AttributesHash(identitySecret, user, free)); why != "" {
		t.Fatalf("signed attributes refused: %s", why)
	}
	m := say(v, "c1", "hello")
	if got := planOf(m.ID); got != "free" {
		t.Fatalf("plan after a signed hello = %v, want free", got)
	}

	forgeries := []struct {
		name, userID, hash, attrs, attrsHash, reason string
	}{
		{"unsigned", user, userHash, enterprise, "", "unsigned"},
		{"signed for other text", user, userHash, enterprise, chat.AttributesHash(identitySecret, user, free), "does not verify"},
		{"signed for another user", user, userHash, enterprise, chat.AttributesHash(identitySecret, "user-8", enterprise), "does not verify"},
		{"signed with another secret", user, userHash, enterprise, chat.AttributesHash("guessed", user, enterprise), "does not verify"},
		{"anonymous visitor", "", "", enterprise, chat.AttributesHash(identitySecret, user, enterprise), "verified user"},
	}
	for i, f := range forgeries {
		v := dial(t, n, in.ID)
		why := hello(v, f.userID, f.hash, f.attrs, f.attrsHash)
		if !strings.Contains(why, f.reason) {
			t.Errorf("%s: refusal %q, want one saying %q", f.name, why, f.reason)
		}
		if f.userID == "" {
			continue // an anonymous visitor is another contact: nothing of user-7's to change
		}
		m := say(v, "f"+string(rune('a'+i)), "try "+f.name)
		if got := planOf(m.ID); got != "free" {
			t.Fatalf("%s: plan = %v, want free kept", f.name, got)
		}
	}

	// Signed but not a value the definition accepts: ignored, said why.
	bad := `{"plan":"gold"}`
	v = dial(t, n, in.ID)
	if why := hello(v, user, userHash, bad, chat.AttributesHash(identitySecret, user, bad)); !strings.Contains(why, "attributes.plan") {
		t.Fatalf("invalid signed attributes: refusal %q", why)
	}
	m = say(v, "c9", "still here")
	if got := planOf(m.ID); got != "free" {
		t.Fatalf("plan = %v after invalid attributes, want free", got)
	}

	// The site changes the plan and signs it: applied.
	v = dial(t, n, in.ID)
	if why := hello(v, user, userHash, enterprise, chat.AttributesHash(identitySecret, user, enterprise)); why != "" {
		t.Fatalf("refused: %s", why)
	}
	m = say(v, "c10", "upgraded")
	if got := planOf(m.ID); got != "enterprise" {
		t.Fatalf("plan = %v, want enterprise", got)
	}
}
