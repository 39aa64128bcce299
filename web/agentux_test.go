package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
)

// TestReplyOnAStaleViewIsRefusedUntilConfirmed: a reply that says which message it answers is
// refused (409 stale_reply, naming who wrote) when the customer or a colleague wrote since,
// and stored once confirmed; the author's own messages, notes and API calls without the field
// pass; nothing is stored by a refusal.
func TestReplyOnAStaleViewIsRefusedUntilConfirmed(t *testing.T) {
	t.Parallel()
	e := setup(t)
	var in ids
	e.do(t, "POST", "/api/v1/inbound", `{"external_id":"s1","contact":{"name":"Li","email":"li@example.org"},"text":"Where is my parcel?"}`, &in)
	conv := "/api/v1/conversations/" + itoa(in.ConversationID)
	seen := itoa(in.MessageID)

	// A note and the agent's own reply do not make the view stale.
	var own inbox.Message
	if st := e.do(t, "POST", conv+"/messages", `{"type":"note","text":"checking"}`, nil); st != 201 {
		t.Fatalf("note = %d", st)
	}
	if st := e.do(t, "POST", conv+"/messages", `{"text":"Looking into it.","after_message_id":`+seen+`}`, &own); st != 201 {
		t.Fatalf("first reply = %d", st)
	}
	if st := e.do(t, "POST", conv+"/messages", `{"text":"Found it.","after_message_id":`+seen+`}`, nil); st != 201 {
		t.Fatalf("the author's second reply = %d", st)
	}

	// A colleague replies: the agent's reply on the old view is refused, naming the colleague.
	_, bobToken := e.newAgent(t, "bob", inbox.RoleAdmin)
	if st := e.doAs(t, bobToken, "POST", conv+"/messages", `{"text":"Bob here."}`, nil); st != 201 {
		t.Fatalf("colleague = %d", st)
	}
	count := func() int {
		var n int
		if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM messages WHERE conversation_id = $1`, in.ConversationID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	var refused apiErr
	if st := e.do(t, "POST", conv+"/messages", `{"text":"A double answer","after_message_id":`+seen+`}`, &refused); st != http.StatusConflict ||
		refused.Code != "stale_reply" || !strings.HasPrefix(refused.Error, "bob replied while you were typing") {
		t.Fatalf("stale reply = %d %+v", st, refused)
	}
	if count() != before {
		t.Fatal("a refused reply was stored")
	}

	// The customer writes again: said so.
	var again ids
	e.do(t, "POST", "/api/v1/inbound", `{"external_id":"s2","contact":{"email":"li@example.org"},"text":"Hello?"}`, &again)
	if st := e.do(t, "POST", conv+"/messages", `{"text":"x","after_message_id":`+itoa(own.ID)+`}`, &refused); st != http.StatusConflict ||
		!strings.HasPrefix(refused.Error, "The customer wrote while you were typing") {
		t.Fatalf("stale after the customer = %d %+v", st, refused)
	}
	// Confirmed, or answering the latest, or without the field (API clients): stored.
	if st := e.do(t, "POST", conv+"/messages", `{"text":"Sent anyway.","after_message_id":`+seen+`,"confirm":true}`, nil); st != 201 {
		t.Fatalf("confirmed = %d", st)
	}
	if st := e.do(t, "POST", conv+"/messages", `{"text":"On the latest.","after_message_id":`+itoa(again.MessageID)+`}`, nil); st != 201 {
		t.Fatalf("on the latest = %d", st)
	}
	if st := e.do(t, "POST", conv+"/messages", `{"text":"Plain API."}`, nil); st != 201 {
		t.Fatalf("without the field = %d", st)
	}
	if st := e.do(t, "POST", conv+"/messages", `{"text":"x","after_message_id":-1}`, &refused); st != http.StatusBadRequest {
		t.Fatalf("a negative id = %d", st)
	}

	// A closed conversation says so in words, with its own code.
	if st := e.do(t, "POST", conv+"/status", `{"status":"closed"}`, nil); st != 200 {
		t.Fatalf("close = %d", st)
	}
	if st := e.do(t, "POST", conv+"/messages", `{"text":"too late"}`, &refused); st != http.StatusConflict || refused.Code != "closed" ||
		refused.Error != "This conversation is closed: it can no longer be answered or changed." {
		t.Fatalf("reply to a closed conversation = %d %+v", st, refused)
	}
}

// TestBrowsersGetPagesAndTheAPIGetsJSON: a path nobody serves is an HTML page for a browser and
// JSON under /api/ or for a script; /favicon.ico is an icon.
func TestBrowsersGetPagesAndTheAPIGetsJSON(t *testing.T) {
	t.Parallel()
	e := setup(t)
	get := func(path, accept string) (int, string, string) {
		req, err := http.NewRequest("GET", e.srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return resp.StatusCode, resp.Header.Get("Content-Type"), b.String()
	}
	html := "text/html,application/xhtml+xml,*/*;q=0.8"
	if st, ct, body := get("/no/such/page", html); st != 404 || !strings.HasPrefix(ct, "text/html") || !strings.Contains(body, "Page not found") {
		t.Errorf("a browser's missing page = %d %s %.200s", st, ct, body)
	}
	if st, ct, _ := get("/no/such/page", ""); st != 404 || ct != "application/json" {
		t.Errorf("a script's missing page = %d %s", st, ct)
	}
	if st, ct, _ := get("/api/v1/nothing", html); st != 404 || ct != "application/json" {
		t.Errorf("a missing API path = %d %s", st, ct)
	}
	if st, ct, body := get("/favicon.ico", ""); st != 200 || ct != "image/svg+xml" || !strings.HasPrefix(body, "<svg") {
		t.Errorf("favicon = %d %s", st, ct)
	}
}
