package email_test

import (
	"context"
	"strings"
	"testing"

	"github.com/parleyhq/parley/channels/email"
	"github.com/parleyhq/parley/inbox"
)

// TestAttachmentsBothWays: an inbound PDF and inline image are stored as attachments (the image
// keeps its Content-ID for the cid: URL in the HTML); an outbound reply carries its attachment.
func TestAttachmentsBothWays(t *testing.T) {
	e := setup(t, envOptions{})
	ctx := context.Background()
	e.imap.Append(t, mail([]string{
		"From: Carol <carol@customer.example>",
		"To: support@example.com",
		"Subject: Broken part",
		"Message-ID: <att@customer.example>",
		"MIME-Version: 1.0",
		`Content-Type: multipart/mixed; boundary="m"`,
	},
		"--m",
		`Content-Type: multipart/related; boundary="r"`,
		"",
		"--r",
		"Content-Type: text/html; charset=utf-8",
		"",
		`<p>See the photo <img src="cid:photo1@customer.example"></p>`,
		"--r",
		"Content-Type: image/png",
		"Content-ID: <photo1@customer.example>",
		"Content-Transfer-Encoding: base64",
		"",
		"iVBORw0KGgo=",
		"--r--",
		"--m",
		`Content-Type: application/pdf; name="invoice.pdf"`,
		`Content-Disposition: attachment; filename="invoice.pdf"`,
		"Content-Transfer-Encoding: base64",
		"",
		"JVBERi0xLjQK",
		"--m--"))
	e.poll()
	in := e.messageByEmailID("att@customer.example")
	msgs, err := e.store.Messages(ctx, in.ConversationID, in.ID-1, 1)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("messages: %v", err)
	}
	byName := map[string]inbox.Attachment{}
	for _, a := range msgs[0].Attachments {
		byName[a.Filename] = a
	}
	pdf, img := byName["invoice.pdf"], byName["attachment-1.png"]
	if pdf.ContentType != "application/pdf" || pdf.Size != 9 || img.ContentID != "photo1@customer.example" {
		t.Errorf("attachments %+v", msgs[0].Attachments)
	}
	if !strings.Contains(in.HTML, "cid:photo1@customer.example") {
		t.Errorf("HTML %q lost the cid: reference the web rewrites", in.HTML)
	}

	r := e.reply(in.ConversationID, "Here is the corrected invoice.")
	if _, err := e.pool.Exec(ctx, `INSERT INTO attachments (message_id, filename, content_type, size, content)
		VALUES ($1, 'fixed.pdf', 'application/pdf', 9, '%PDF-1.4'::bytea)`, r.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.deliver(r.ID, 1); err != nil {
		t.Fatal(err)
	}
	sent := e.smtp.Messages()
	if len(sent) != 1 || !strings.HasPrefix(header(sent[0].Data, "Content-Type"), "multipart/mixed") {
		t.Fatalf("sent %d messages, want one multipart/mixed", len(sent))
	}
	p := email.NewParser(email.ParseOptions{}).ParseBytes(sent[0].Data)
	if len(p.Attachments) != 1 || p.Attachments[0].Filename != "fixed.pdf" || string(p.Attachments[0].Data) != "%PDF-1.4" ||
		!strings.Contains(p.Text, "corrected invoice") {
		t.Errorf("sent mail parses to text %q, attachments %+v", p.Text, p.Attachments)
	}
}

// TestRecipientFromMetadata: a message carrying metadata "to" (the chat fallback's copy of a
// chat reply) goes to that address, without "Re:" when it answers no email, and a system
// message is marked automatic.
func TestRecipientFromMetadata(t *testing.T) {
	e := setup(t, envOptions{})
	ctx := context.Background()
	res, err := e.store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelChat, ExternalID: "chat-1",
		From: inbox.Identity{Kind: inbox.IdentityChat, Address: "visitor-1"}, Subject: "Shipping", Text: "Where is my parcel?"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.store.Send(ctx, inbox.Reply{ConversationID: res.ConversationID, Text: "It left today.", Auto: "chat-fallback",
		Channel: inbox.ChannelEmail, InboxID: e.inbox.ID, Metadata: map[string]any{"to": "visitor@customer.example"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.deliver(m.ID, 1); err != nil {
		t.Fatal(err)
	}
	sent := e.smtp.Messages()
	if len(sent) != 1 || sent[0].To[0] != "visitor@customer.example" {
		t.Fatalf("sent %+v", sent)
	}
	if got := header(sent[0].Data, "Subject"); strings.HasPrefix(got, "Re:") || !strings.HasPrefix(got, "Shipping [#") {
		t.Errorf("Subject = %q, want the subject and token without Re:", got)
	}
	if header(sent[0].Data, "Auto-Submitted") != "auto-generated" || header(sent[0].Data, "In-Reply-To") != "" {
		t.Errorf("headers: Auto-Submitted %q, In-Reply-To %q", header(sent[0].Data, "Auto-Submitted"), header(sent[0].Data, "In-Reply-To"))
	}

	// Without "to", a customer who never wrote by email and has no address cannot be written to.
	m2, err := e.store.Send(ctx, inbox.Reply{ConversationID: res.ConversationID, Text: "Hello?",
		Channel: inbox.ChannelEmail, InboxID: e.inbox.ID})
	if err != nil {
		t.Fatal(err)
	}
	_ = e.deliver(m2.ID, 1)
	if got, _ := e.store.GetMessage(ctx, m2.ID); got.DeliveryStatus != inbox.DeliveryFailed ||
		!strings.Contains(got.DeliveryError, "no email address") {
		t.Errorf("reply to a customer without email: %q %q", got.DeliveryStatus, got.DeliveryError)
	}
}

// TestOwnAndOversizedMail: mail from the inbox's own address is skipped (a loop, a copy of a
// reply); a message over the fetch cap is stored cut and flagged, over the keep cap without its
// raw bytes.
func TestOwnAndOversizedMail(t *testing.T) {
	e := setup(t, envOptions{fetcher: email.FetcherConfig{MaxRawBytes: 4000, KeepRawBytes: 1000}})
	e.imap.Append(t, customerMail("own@example.com", "support+abc@example.com", "Re: x", "our own reply"))
	big := customerMail("big@customer.example", "carol@customer.example", "Logs", strings.Repeat("log line\r\n", 600))
	e.imap.Append(t, big)
	mid := customerMail("mid@customer.example", "carol@customer.example", "Logs", strings.Repeat("log line\r\n", 150))
	e.imap.Append(t, mid)
	e.poll()
	if n := e.count(`SELECT count(*) FROM messages WHERE external_id = 'own@example.com'`); n != 0 {
		t.Error("mail from the inbox's own address was ingested")
	}
	b := e.messageByEmailID("big@customer.example")
	if b.Metadata["raw_truncated"] != true || len(b.Text) >= 6000 || len(b.Text) < 3000 {
		t.Errorf("oversized message: metadata %v, text %d bytes", b.Metadata, len(b.Text))
	}
	for _, m := range []inbox.Message{b, e.messageByEmailID("mid@customer.example")} {
		src, err := email.LoadSource(context.Background(), e.pool, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if src.Raw != nil || src.Size < 1500 {
			t.Errorf("source of %d: %d raw bytes kept, size %d; want none kept over the cap", m.ID, len(src.Raw), src.Size)
		}
	}
}
