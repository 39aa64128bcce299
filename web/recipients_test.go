package web

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
)

// emailThread makes an email inbox and a customer's email to it, copied to a colleague, to
// the inbox itself and to a plus-address of it; it returns the conversation.
func emailThread(t *testing.T, e *uiEnv) int64 {
	t.Helper()
	ctx := context.Background()
	in, err := e.store.CreateInbox(ctx, inbox.NewInbox{Kind: inbox.ChannelEmail, Name: "Acme",
		Settings: map[string]any{"address": "support@acme.example"}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.store.Ingest(ctx, inbox.Inbound{InboxID: in.ID, Channel: inbox.ChannelEmail, ExternalID: "<cc@x>",
		From: inbox.Identity{Kind: inbox.IdentityEmail, Address: "carol@customer.example"}, Subject: "Parcel", Text: "broken",
		Metadata: map[string]any{"email": map[string]any{"from": "carol@customer.example",
			"to": []string{"support@acme.example", "dave@customer.example"}, "cc": []string{"Support+x@Acme.example", "erin@customer.example"}}}})
	if err != nil {
		t.Fatal(err)
	}
	return res.ConversationID
}

// TestReplyRecipientsThroughTheAPI: the composer is filled with reply-all (never the inbox's
// addresses); a reply without addresses goes reply-all; given ones are kept, Bcc included; a
// bad address is 400 naming it and stores nothing; addresses on a non-email reply are 400.
func TestReplyRecipientsThroughTheAPI(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	u := e.newUser(t, "ana", inbox.RoleAgent)
	conv := emailThread(t, e)
	path := "/api/v1/conversations/" + i64(conv) + "/messages"

	_, page := u.get(t, "/inbox/"+i64(conv))
	mustContain(t, "composer", page, `id="reply-to" name="to" value="carol@customer.example"`,
		`id="reply-cc" name="cc" value="dave@customer.example, erin@customer.example"`)
	mustNotContain(t, "composer", page, `support+x@acme.example,`)

	st, body := u.postJSON(t, path, `{"type":"reply","text":"hi","to":["carol@customer.example"],"cc":["ok@x.example","bad address"]}`)
	if st != http.StatusBadRequest || !strings.Contains(body, `bad address`) || !strings.Contains(body, "cc") {
		t.Fatalf("a bad cc: %d %s", st, body)
	}
	recipients := func(body string) inbox.EmailRecipients {
		t.Helper()
		var m inbox.Message
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		r, _ := inbox.RecipientsOf(m)
		return r
	}
	st, body = u.postJSON(t, path, `{"type":"reply","text":"to all"}`)
	if r := recipients(body); st != http.StatusCreated || !slices.Equal(r.To, []string{"carol@customer.example"}) ||
		!slices.Equal(r.Cc, []string{"dave@customer.example", "erin@customer.example"}) || len(r.Bcc) != 0 {
		t.Errorf("reply-all: %d %+v", st, r)
	}
	st, body = u.postJSON(t, path, `{"type":"reply","text":"edited","to":["Carol <carol@customer.example>"],"cc":[],"bcc":["boss@acme.example"]}`)
	if r := recipients(body); st != http.StatusCreated || !slices.Equal(r.To, []string{"carol@customer.example"}) ||
		len(r.Cc) != 0 || !slices.Equal(r.Bcc, []string{"boss@acme.example"}) {
		t.Errorf("edited: %d %+v", st, r)
	}
	st, body = u.postJSON(t, path, `{"type":"reply","text":"only her","to":[],"cc":[]}`)
	if r := recipients(body); st != http.StatusCreated || !r.Empty() {
		t.Errorf("cleared fields: %d %+v, want the customer alone", st, r)
	}
	_, page = u.get(t, "/inbox/"+i64(conv))
	mustContain(t, "timeline", page, `<p class="recipients muted">To: carol@customer.example · Cc: dave@customer.example, erin@customer.example</p>`,
		`<p class="recipients muted">To: carol@customer.example · Bcc: boss@acme.example</p>`)
	if n := e.countRows(t, `SELECT count(*) FROM messages WHERE conversation_id = $1 AND direction = 'outbound'`, conv); n != 3 {
		t.Errorf("%d replies stored, want 3 (the refused one not)", n)
	}
	api := e.customer(t, "a-1", "zed@example.com", "Zed", "Hi", "hello")
	st, body = u.postJSON(t, "/api/v1/conversations/"+i64(api.ConversationID)+"/messages", `{"type":"reply","text":"x","channel":"api","cc":["a@b.example"]}`)
	if st != http.StatusBadRequest {
		t.Errorf("cc on an API reply: %d %s", st, body)
	}
}

// TestForwardAndSignaturesThroughTheAPI: a forward is stored as an outbound "forward" message
// to the address given (a bad one is 400); signatures are saved sanitized, the agent's by
// themselves, an inbox's by admins only.
func TestForwardAndSignaturesThroughTheAPI(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	u := e.newUser(t, "ana", inbox.RoleAgent)
	admin := e.newUser(t, "root", inbox.RoleAdmin)
	conv := emailThread(t, e)
	fwd := "/api/v1/conversations/" + i64(conv) + "/forward"
	if st, body := u.postJSON(t, fwd, `{"to":"not-an-address","note":"x"}`); st != http.StatusBadRequest || !strings.Contains(body, "not-an-address") {
		t.Errorf("forward to a bad address: %d %s", st, body)
	}
	st, body := u.postJSON(t, fwd, `{"to":"claims@carrier.example","note":"Please open a claim."}`)
	var m inbox.Message
	_ = json.Unmarshal([]byte(body), &m)
	if r, _ := inbox.RecipientsOf(m); st != http.StatusCreated || m.Auto != inbox.AutoForward || !slices.Equal(r.To, []string{"claims@carrier.example"}) {
		t.Errorf("forward: %d %s", st, body)
	}
	_, page := u.get(t, "/inbox/"+i64(conv))
	mustContain(t, "timeline", page, `<p class="recipients muted">Forwarded to claims@carrier.example</p>`)

	st, body = u.do(t, http.MethodPut, "/api/v1/me/signature", "application/json", `{"text":"Ana","html":"<b>Ana</b><script>x()</script><a href=\"javascript:x()\" onclick=\"y()\">l</a>"}`)
	if st != http.StatusOK || strings.Contains(body, "script") || strings.Contains(body, "onclick") || !strings.Contains(body, `\u003cb\u003eAna\u003c/b\u003e`) {
		t.Errorf("own signature: %d %s", st, body)
	}
	var in int64
	if err := e.pool.QueryRow(context.Background(), `SELECT id FROM inboxes WHERE kind = 'email'`).Scan(&in); err != nil {
		t.Fatal(err)
	}
	sig := "/api/v1/inboxes/" + i64(in) + "/signature"
	if st, _ := u.do(t, http.MethodPut, sig, "application/json", `{"text":"Acme"}`); st != http.StatusForbidden {
		t.Errorf("an agent sets an inbox's signature: %d", st)
	}
	if st, body := admin.do(t, http.MethodPut, sig, "application/json", `{"text":"`+strings.Repeat("x", inbox.MaxSignatureText+1)+`"}`); st != http.StatusBadRequest {
		t.Errorf("a long signature: %d %.200s", st, body)
	}
	if st, body := admin.do(t, http.MethodPut, sig, "application/json", `{"text":"Acme support"}`); st != http.StatusOK || !strings.Contains(body, "Acme support") {
		t.Errorf("inbox signature: %d %s", st, body)
	}
	if _, body := admin.get(t, sig); !strings.Contains(body, "Acme support") {
		t.Errorf("inbox signature read back: %s", body)
	}
}
