package email_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/channels/email/emailtest"
	"github.com/parleyhq/parley/inbox"
)

// part is one leaf of a parsed MIME tree: its media type, the types of the multiparts above
// it (outermost first), its headers and its decoded bytes.
type part struct {
	typ, disposition, filename, contentID string
	path                                  []string
	body                                  []byte
}

// mimeTree parses raw with go-message and returns its leaves in order and the top header.
func mimeTree(t *testing.T, raw []byte) (gomail.Header, []part) {
	t.Helper()
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var out []part
	var walk func(e *message.Entity, path []string)
	walk = func(e *message.Entity, path []string) {
		typ, _, _ := e.Header.ContentType()
		if mr := e.MultipartReader(); mr != nil {
			for {
				p, err := mr.NextPart()
				if errors.Is(err, io.EOF) {
					return
				}
				if err != nil {
					t.Fatalf("next part: %v", err)
				}
				walk(p, append(slices.Clone(path), typ))
			}
		}
		disp, params, _ := e.Header.ContentDisposition()
		body, err := io.ReadAll(e.Body)
		if err != nil {
			t.Fatalf("body: %v", err)
		}
		out = append(out, part{typ: typ, disposition: disp, filename: params["filename"],
			contentID: e.Header.Get("Content-Id"), path: path, body: body})
	}
	walk(e, nil)
	return gomail.Header{Header: e.Header}, out
}

// attach stores a file on message id as an attachment, as the file store does.
func (e *env) attach(id int64, filename, contentType, contentID string, content []byte) {
	e.t.Helper()
	if _, err := e.pool.Exec(context.Background(), `INSERT INTO attachments (message_id, filename, content_type, content_id, size, content)
		VALUES ($1, $2, $3, $4, $5, $6)`, id, filename, contentType, contentID, len(content), content); err != nil {
		e.t.Fatal(err)
	}
}

// sent is the one message the sink holds.
func (e *env) sent() emailtest.SMTPMessage {
	e.t.Helper()
	msgs := e.smtp.Messages()
	if len(msgs) != 1 {
		e.t.Fatalf("the sink holds %d messages, want 1", len(msgs))
	}
	return msgs[0]
}

// TestReplyIsAMIMETreeToEveryone: a reply to an email the customer sent to the inbox and two
// colleagues goes to all three (reply-all, never to the inbox's own addresses), carries its
// files as MIME parts (the inline image as a cid: part of a multipart/related, the PDF as an
// attachment, both bytes for bytes), and ends with the agent's and the inbox's signatures.
func TestReplyIsAMIMETreeToEveryone(t *testing.T) {
	e := setup(t, envOptions{})
	ctx := context.Background()
	e.imap.Append(t, customerMail("cc@customer.example", "carol@customer.example", "Broken parcel", "It arrived broken.",
		"Cc: Dave <Dave@Customer.example>, support+abc@example.com, SUPPORT@example.com, bob@supplier.example"))
	e.poll()
	in := e.messageByEmailID("cc@customer.example")
	if got := in.Metadata["email"].(map[string]any)["cc"]; len(got.([]any)) != 4 {
		t.Fatalf("the inbound email keeps Cc %v", got)
	}
	def, err := e.store.ReplyAll(ctx, in.ConversationID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(def.To, []string{"carol@customer.example"}) || !slices.Equal(def.Cc, []string{"dave@customer.example", "bob@supplier.example"}) {
		t.Fatalf("reply-all = %+v", def)
	}
	r := e.reply(in.ConversationID, "Sorry!\nA new one is on its way.")
	if _, err := e.store.SetAgentSignature(ctx, *r.AuthorAgentID, inbox.Signature{Text: "Ada"}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.InTx(ctx, func(tx pgx.Tx) error {
		_, err := e.store.SetInboxSignatureTx(ctx, tx, e.inbox.ID, inbox.Signature{
			HTML: `<p><b>Acme</b> support</p><script>alert(1)</script><img src=x onerror="alert(2)">`})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	logo := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 1, 2, 254, 255}, 3000)...)
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("stream\x00\xff"), 5000)...)
	e.attach(r.ID, "logo.png", "image/png", "logo@acme.example", logo)
	e.attach(r.ID, "label ünïcode.pdf", "application/pdf", "", pdf)
	if err := e.deliver(r.ID, 1); err != nil {
		t.Fatal(err)
	}
	got := e.sent()
	if want := []string{"carol@customer.example", "dave@customer.example", "bob@supplier.example"}; !slices.Equal(got.To, want) {
		t.Errorf("RCPT TO %v, want %v", got.To, want)
	}
	h, parts := mimeTree(t, got.Data)
	cc, _ := h.AddressList("Cc")
	if len(cc) != 2 || cc[0].Address != "dave@customer.example" || cc[1].Address != "bob@supplier.example" {
		t.Errorf("Cc %v", cc)
	}
	if to, _ := h.AddressList("To"); len(to) != 1 || to[0].Address != "carol@customer.example" {
		t.Errorf("To %v", to)
	}
	if typ, _, _ := h.ContentType(); typ != "multipart/mixed" {
		t.Errorf("top type %s", typ)
	}
	if len(parts) != 4 {
		t.Fatalf("%d leaves: %+v", len(parts), parts)
	}
	alt := []string{"multipart/mixed", "multipart/related", "multipart/alternative"}
	if parts[0].typ != "text/plain" || !slices.Equal(parts[0].path, alt) || parts[1].typ != "text/html" || !slices.Equal(parts[1].path, alt) {
		t.Errorf("alternatives %s %v, %s %v", parts[0].typ, parts[0].path, parts[1].typ, parts[1].path)
	}
	text, html := strings.ReplaceAll(string(parts[0].body), "\r\n", "\n"), string(parts[1].body)
	if !strings.HasSuffix(strings.TrimSpace(text), "A new one is on its way.\n\n-- \nAda\n\nAcme support") {
		t.Errorf("text %q does not end with the signatures", text)
	}
	if !strings.Contains(html, "<p><b>Acme</b> support</p>") || strings.Contains(html, "alert") || !strings.Contains(html, "<p>Ada</p>") {
		t.Errorf("html %q: signatures missing or unsanitized", html)
	}
	img := parts[2]
	if img.typ != "image/png" || img.disposition != "inline" || img.contentID != "<logo@acme.example>" ||
		!slices.Equal(img.path, []string{"multipart/mixed", "multipart/related"}) || !bytes.Equal(img.body, logo) {
		t.Errorf("inline image %s %s %s %v, %d bytes", img.typ, img.disposition, img.contentID, img.path, len(img.body))
	}
	doc := parts[3]
	if doc.typ != "application/pdf" || doc.disposition != "attachment" || doc.filename != "label ünïcode.pdf" ||
		!slices.Equal(doc.path, []string{"multipart/mixed"}) || !bytes.Equal(doc.body, pdf) {
		t.Errorf("attachment %s %s %q %v, %d bytes", doc.typ, doc.disposition, doc.filename, doc.path, len(doc.body))
	}
}

// TestExplicitRecipientsAndBcc: recipients given with the reply replace reply-all; a Bcc
// address is an envelope recipient and appears in no header; a bad address is refused,
// named, and nothing is stored.
func TestExplicitRecipientsAndBcc(t *testing.T) {
	e := setup(t, envOptions{})
	ctx := context.Background()
	e.imap.Append(t, customerMail("x@customer.example", "carol@customer.example", "Invoice", "Where is it?",
		"Cc: dave@customer.example"))
	e.poll()
	conv := e.messageByEmailID("x@customer.example").ConversationID
	agent := e.reply(conv, "first").AuthorAgentID
	before := e.count(`SELECT count(*) FROM messages WHERE conversation_id = $1`, conv)
	_, err := e.store.Send(ctx, inbox.Reply{ConversationID: conv, Author: inbox.Actor{AgentID: *agent}, Text: "x",
		Recipients: &inbox.EmailRecipients{To: []string{"carol@customer.example"}, Cc: []string{"ok@x.example", "not an address"}}})
	var ve *inbox.ValidationError
	if !errors.As(err, &ve) || ve.Field != "cc" || !strings.Contains(ve.Reason, `"not an address"`) {
		t.Fatalf("a bad cc = %v, want a validation error naming it", err)
	}
	if n := e.count(`SELECT count(*) FROM messages WHERE conversation_id = $1`, conv); n != before {
		t.Fatalf("a refused reply stored a message")
	}
	r, err := e.store.Send(ctx, inbox.Reply{ConversationID: conv, Author: inbox.Actor{AgentID: *agent}, Text: "Here it is.",
		Recipients: &inbox.EmailRecipients{To: []string{"Carol@Customer.example"}, Cc: []string{"accounts@customer.example"},
			Bcc: []string{"audit@acme.example", "carol@customer.example"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.deliver(r.ID, 1); err != nil {
		t.Fatal(err)
	}
	got := e.sent()
	if want := []string{"carol@customer.example", "accounts@customer.example", "audit@acme.example"}; !slices.Equal(got.To, want) {
		t.Errorf("RCPT TO %v, want %v", got.To, want)
	}
	head, _, _ := strings.Cut(string(got.Data), "\r\n\r\n")
	if strings.Contains(head, "audit@acme.example") || strings.Contains(strings.ToLower(head), "\nbcc:") {
		t.Errorf("the Bcc address shows in the header:\n%s", head)
	}
	if header(got.Data, "Cc") != "<accounts@customer.example>" || strings.Contains(header(got.Data, "Cc"), "dave") {
		t.Errorf("Cc %q", header(got.Data, "Cc"))
	}
}

// TestForwardQuotesTheConversation: a forward goes to the outside address alone, as "Fwd:",
// with the note, the customer's words quoted (the internal note left out) and the customer's
// file attached; it is stored in the timeline and counts as no response.
func TestForwardQuotesTheConversation(t *testing.T) {
	e := setup(t, envOptions{})
	ctx := context.Background()
	photo := bytes.Repeat([]byte("JPEGDATA"), 2000)
	raw := photoMail(photo)
	e.imap.Append(t, raw)
	e.poll()
	in := e.messageByEmailID("fw@customer.example")
	agent := e.reply(in.ConversationID, "We are on it.").AuthorAgentID
	if _, err := e.store.Note(ctx, inbox.Reply{ConversationID: in.ConversationID, Author: inbox.Actor{AgentID: *agent}, Text: "secret margin"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Forward(ctx, inbox.Forward{ConversationID: in.ConversationID, Author: inbox.Actor{AgentID: *agent}, To: "bad", Note: "x"}); !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("forward to a bad address = %v", err)
	}
	f, err := e.store.Forward(ctx, inbox.Forward{ConversationID: in.ConversationID, Author: inbox.Actor{AgentID: *agent},
		To: "claims@carrier.example", Note: "Please open a claim."})
	if err != nil {
		t.Fatal(err)
	}
	if f.Auto != inbox.AutoForward || f.Direction != inbox.DirectionOutbound {
		t.Errorf("forward stored as %+v", f)
	}
	if err := e.deliver(f.ID, 1); err != nil {
		t.Fatal(err)
	}
	got := e.sent()
	if !slices.Equal(got.To, []string{"claims@carrier.example"}) {
		t.Errorf("RCPT TO %v", got.To)
	}
	h, parts := mimeTree(t, got.Data)
	subject, _ := h.Subject()
	if !strings.HasPrefix(subject, "Fwd: Damaged") || h.Get("In-Reply-To") != "" || h.Get("Auto-Submitted") != "" {
		t.Errorf("subject %q, In-Reply-To %q, Auto-Submitted %q", subject, h.Get("In-Reply-To"), h.Get("Auto-Submitted"))
	}
	text := string(parts[0].body)
	for _, want := range []string{"Please open a claim.", "> The box was crushed.", "> We are on it.", "carol@customer.example"} {
		if !strings.Contains(text, want) {
			t.Errorf("the forward's text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "secret margin") {
		t.Errorf("the forward quotes an internal note:\n%s", text)
	}
	last := parts[len(parts)-1]
	if last.filename != "crushed.jpg" || last.disposition != "attachment" || !bytes.Equal(last.body, photo) {
		t.Errorf("attachment %q %s %d bytes", last.filename, last.disposition, len(last.body))
	}
	c, err := e.store.GetConversation(ctx, in.ConversationID)
	if err != nil {
		t.Fatal(err)
	}
	if c.FirstResponseAt == nil {
		t.Fatal("the agent's reply should have been the first response")
	}
}

// photoMail is a customer's email with a photo attached.
func photoMail(photo []byte) []byte {
	var b bytes.Buffer
	var h gomail.Header
	h.SetAddressList("From", []*gomail.Address{{Name: "Carol", Address: "carol@customer.example"}})
	h.SetAddressList("To", []*gomail.Address{{Address: "support@example.com"}})
	h.SetSubject("Damaged parcel")
	h.SetMessageID("fw@customer.example")
	w, _ := gomail.CreateWriter(&b, h)
	iw, _ := w.CreateInline()
	var th gomail.InlineHeader
	th.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	pw, _ := iw.CreatePart(th)
	_, _ = io.WriteString(pw, "The box was crushed.")
	pw.Close()
	iw.Close()
	var ah gomail.AttachmentHeader
	ah.SetContentType("image/jpeg", nil)
	ah.SetFilename("crushed.jpg")
	aw, _ := w.CreateAttachment(ah)
	_, _ = aw.Write(photo)
	aw.Close()
	w.Close()
	return b.Bytes()
}
