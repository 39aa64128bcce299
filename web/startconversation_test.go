package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
)

// TestStartConversationAPI starts an email through POST /api/v1/conversations: 201 with the
// conversation as GET /api/v1/conversations/{id} shows it; every bad body is a 400 saying what
// is wrong and stores nothing; an inbox of a team the agent is not in is a 404.
func TestStartConversationAPI(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	mail, err := e.store.CreateInbox(ctx, inbox.NewInbox{Kind: inbox.ChannelEmail, Name: "Support mail"})
	if err != nil {
		t.Fatal(err)
	}
	text, err := e.store.CreateInbox(ctx, inbox.NewInbox{Kind: inbox.ChannelSMS, Name: "Support SMS"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.store.CreateTeam(ctx, "Billing", nil)
	if err != nil {
		t.Fatal(err)
	}
	billing, err := e.store.CreateInbox(ctx, inbox.NewInbox{Kind: inbox.ChannelEmail, Name: "Billing mail", TeamID: other.ID})
	if err != nil {
		t.Fatal(err)
	}
	inboxID := strconv.FormatInt(mail.ID, 10)

	type started struct {
		inbox.Conversation
		Messages []inbox.Message `json:"messages"`
	}
	var got started
	if st := e.do(t, "POST", "/api/v1/conversations", `{"to":"kim@customer.example","channel":"email","inbox_id":`+inboxID+
		`,"subject":"Your refund","text":"Hello Kim, your refund is on its way."}`, &got); st != http.StatusCreated {
		t.Fatalf("start: %d", st)
	}
	if got.Status != inbox.StatusPending || got.Subject != "Your refund" || got.AssigneeID == nil || *got.AssigneeID != e.agent.ID ||
		len(got.Messages) != 1 || got.Messages[0].DeliveryStatus != inbox.DeliveryQueued || got.Messages[0].Text != "Hello Kim, your refund is on its way." {
		t.Fatalf("started %+v, want a pending conversation of the agent with the queued message", got)
	}
	var again started
	if st := e.do(t, "GET", "/api/v1/conversations/"+strconv.FormatInt(got.ID, 10), "", &again); st != http.StatusOK ||
		again.ID != got.ID || len(again.Messages) != 1 || again.Messages[0].ID != got.Messages[0].ID {
		t.Errorf("GET the started conversation: %d %+v", st, again)
	}

	count := func() int {
		var n int
		if err := e.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM conversations) + (SELECT count(*) FROM contacts)`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	smsID := strconv.FormatInt(text.ID, 10)
	for _, c := range []struct {
		name, body, says string
		status           int
	}{
		{"unknown channel", `{"to":"kim@customer.example","channel":"fax","inbox_id":` + inboxID + `,"text":"hi"}`, `not "fax"`, 400},
		{"no subject", `{"to":"kim@customer.example","channel":"email","inbox_id":` + inboxID + `,"text":"hi"}`, "subject: an email needs a subject", 400},
		{"bad address", `{"to":"kim at customer","channel":"email","inbox_id":` + inboxID + `,"subject":"s","text":"hi"}`, "to: not an email address", 400},
		{"bad number", `{"to":"call me","channel":"sms","inbox_id":` + smsID + `,"text":"hi"}`, "to: not a phone number", 400},
		{"both", `{"contact_id":` + strconv.FormatInt(got.ContactID, 10) + `,"to":"kim@customer.example","channel":"email","inbox_id":` + inboxID + `,"subject":"s","text":"hi"}`, "not both", 400},
		{"neither", `{"channel":"email","inbox_id":` + inboxID + `,"subject":"s","text":"hi"}`, "give contact_id or to", 400},
		{"no text", `{"to":"kim@customer.example","channel":"email","inbox_id":` + inboxID + `,"subject":"s"}`, "text: is empty", 400},
		{"no inbox", `{"to":"kim@customer.example","channel":"email","subject":"s","text":"hi"}`, "inbox_id: is required", 400},
		{"inbox of another channel", `{"to":"kim@customer.example","channel":"email","inbox_id":` + smsID + `,"subject":"s","text":"hi"}`, "is a sms inbox, not email", 400},
		{"unknown field", `{"to":"kim@customer.example","channel":"email","inbox_id":` + inboxID + `,"subject":"s","text":"hi","cc":"x"}`, `unknown field "cc"`, 400},
		{"contact without a phone", `{"contact_id":` + strconv.FormatInt(got.ContactID, 10) + `,"channel":"sms","inbox_id":` + smsID + `,"text":"hi"}`, "the contact has no phone number", 400},
		{"another team's inbox", `{"to":"kim@customer.example","channel":"email","inbox_id":` + strconv.FormatInt(billing.ID, 10) + `,"subject":"s","text":"hi"}`, "not found", 404},
		{"unknown contact", `{"contact_id":999999,"channel":"email","inbox_id":` + inboxID + `,"subject":"s","text":"hi"}`, "not found", 404},
	} {
		var ae apiErr
		if st := e.do(t, "POST", "/api/v1/conversations", c.body, &ae); st != c.status || !strings.Contains(ae.Error, c.says) {
			t.Errorf("%s: %d %+v, want %d saying %q", c.name, st, ae, c.status, c.says)
		}
	}
	if after := count(); after != before {
		t.Errorf("refused starts stored %d conversations and contacts", after-before)
	}
}

// TestStartConversationAPIIdempotencyKey: a repeated request with the same Idempotency-Key
// answers the conversation it started, marked Idempotent-Replayed, and the key with another
// body is a 409.
func TestStartConversationAPIIdempotencyKey(t *testing.T) {
	t.Parallel()
	e := setup(t)
	mail, err := e.store.CreateInbox(context.Background(), inbox.NewInbox{Kind: inbox.ChannelEmail, Name: "Support mail"})
	if err != nil {
		t.Fatal(err)
	}
	body := `{"to":"lee@customer.example","channel":"email","inbox_id":` + strconv.FormatInt(mail.ID, 10) + `,"subject":"Hello","text":"Hi Lee"}`
	send := func(body string) (int, string, map[string]any) {
		req, err := http.NewRequest("POST", e.srv.URL+"/api/v1/conversations", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+e.token)
		req.Header.Set("Idempotency-Key", "welcome-lee")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, resp.Header.Get("Idempotent-Replayed"), out
	}
	st1, replay1, first := send(body)
	st2, replay2, second := send(body)
	if st1 != http.StatusCreated || st2 != http.StatusCreated || replay1 != "" || replay2 != "true" || first["id"] != second["id"] {
		t.Errorf("first %d %q id %v, again %d %q id %v: want the same conversation, the second marked replayed",
			st1, replay1, first["id"], st2, replay2, second["id"])
	}
	if st, _, out := send(strings.Replace(body, "Hi Lee", "Hi again", 1)); st != http.StatusConflict || !strings.Contains(out["error"].(string), "Idempotency-Key") {
		t.Errorf("the key with another body: %d %v, want 409 naming the key", st, out)
	}
}
