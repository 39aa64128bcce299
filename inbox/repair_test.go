package inbox_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parleyhq/parley/inbox"
)

// TestIngestRepairsWhatPostgreSQLRefuses: a NUL character or invalid UTF-8 in any field a
// customer or provider filled is removed, the message is stored, and its metadata says what was
// repaired. Before the repair, each of these made the whole ingest fail with a 500.
func TestIngestRepairsWhatPostgreSQLRefuses(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	res := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelEmail, ExternalID: "<nul\x00@x>", From: emailFrom("nul@example.com"),
		Name: "Ann\x00 Lee", Subject: "Bro\x00ken \xff parcel", Text: "it\x00 arrived\x00 torn", HTML: "<p>it\x00 arrived</p>",
		Email:       &inbox.EmailHeaders{MessageID: "nul\x00@x", References: []string{"a\x00@x"}},
		Attachments: []inbox.NewAttachment{{Filename: "photo\x00.jpg", ContentType: "image/jpeg", Content: []byte("\x00binary is fine\x00")}},
		Metadata: map[string]any{"headers": map[string]any{"X-Odd\x00": "v\x00al"}, "list": []any{"a\x00"},
			"media": []map[string]string{{"content_type": "image/p\x00ng"}}}})
	m, err := e.store.GetMessage(ctx, res.MessageID)
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "it arrived torn" || m.ExternalID == nil || *m.ExternalID != "<nul@x>" {
		t.Fatalf("stored text %q external id %v", m.Text, m.ExternalID)
	}
	conv, err := e.store.GetConversation(ctx, res.ConversationID)
	if err != nil || conv.Subject != "Broken \uFFFD parcel" {
		t.Fatalf("subject = %q, %v", conv.Subject, err)
	}
	c, err := e.store.ContactByIdentity(ctx, inbox.IdentityEmail, "nul@example.com")
	if err != nil || c.Name != "Ann Lee" {
		t.Fatalf("contact = %+v, %v", c, err)
	}
	repaired, _ := m.Metadata[inbox.MetaRepaired].(map[string]any)
	for _, field := range []string{"external_id", "name", "subject", "text", "html", "message_id", "references", "attachment_name", "metadata"} {
		if s, _ := repaired[field].(string); s == "" {
			t.Errorf("metadata.repaired has no note for %s: %v", field, repaired)
		}
	}
	if media, _ := json.Marshal(m.Metadata["media"]); string(media) != `[{"content_type":"image/png"}]` {
		t.Errorf("metadata.media = %s, want the NUL removed from a channel's own value type", media)
	}
	if !strings.Contains(repaired["subject"].(string), "invalid UTF-8") {
		t.Errorf("subject note = %q", repaired["subject"])
	}
	// The binary content of an attachment is bytes, not text: it is kept as it came.
	if got := e.attachmentContent(t, res.MessageID, "photo.jpg"); got != "\x00binary is fine\x00" {
		t.Fatalf("attachment with its bytes: %q", got)
	}
	// The same provider message again is the same message: the repaired id is its key.
	again := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelEmail, ExternalID: "<nul\x00@x>", From: emailFrom("nul@example.com"), Text: "it\x00 arrived"})
	if !again.Duplicate || again.MessageID != res.MessageID {
		t.Fatalf("redelivery = %+v", again)
	}
}

// TestIngestCutsOverlongCustomerTextAndAttachesIt: a customer's overlong subject, name and text
// are cut to their limits, never refused, and the full subject and text are attached.
func TestIngestCutsOverlongCustomerTextAndAttachesIt(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	subject := strings.Repeat("é", inbox.MaxSubjectChars+5)
	text := strings.Repeat("ü", inbox.MaxInboundText) // two bytes each: twice the limit
	name := strings.Repeat("N", 200_000)
	res := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "long-1", From: emailFrom("long@example.com"),
		Name: name, Subject: subject, Text: text})
	m, err := e.store.GetMessage(ctx, res.MessageID)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Text) > inbox.MaxInboundText || !utf8.ValidString(m.Text) || !strings.HasPrefix(text, m.Text) || len(m.Text) < inbox.MaxInboundText-1 {
		t.Fatalf("text cut to %d bytes (valid %v)", len(m.Text), utf8.ValidString(m.Text))
	}
	conv, _ := e.store.GetConversation(ctx, res.ConversationID)
	if utf8.RuneCountInString(conv.Subject) != inbox.MaxSubjectChars {
		t.Fatalf("subject has %d characters", utf8.RuneCountInString(conv.Subject))
	}
	c, _ := e.store.ContactByIdentity(ctx, inbox.IdentityEmail, "long@example.com")
	if utf8.RuneCountInString(c.Name) != inbox.MaxNameChars {
		t.Fatalf("name has %d characters", utf8.RuneCountInString(c.Name))
	}
	for file, want := range map[string]string{inbox.FullTextFile: text, inbox.FullSubjectFile: subject} {
		if got := e.attachmentContent(t, res.MessageID, file); got != want {
			t.Errorf("%s with the full content: %d bytes", file, len(got))
		}
	}
	raw, _ := json.Marshal(m.Metadata[inbox.MetaRepaired])
	for _, field := range []string{`"text"`, `"subject"`, `"name"`} {
		if !strings.Contains(string(raw), field) {
			t.Errorf("metadata.repaired %s lacks %s", raw, field)
		}
	}
}

// TestCleanAgentText: what an agent or API caller typed is refused with the field named, not
// repaired behind their back.
func TestCleanAgentText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		fail bool
	}{{"fine", false}, {"", false}, {"a\x00b", true}, {"bad \xff byte", true}} {
		err := inbox.CleanAgentText("note", tc.in)
		if (err != nil) != tc.fail {
			t.Errorf("CleanAgentText(%q) = %v", tc.in, err)
		}
		if err != nil && !strings.Contains(err.Error(), "note") {
			t.Errorf("error %q does not name the field", err)
		}
	}
}
