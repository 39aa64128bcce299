package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestNULCharactersNeverGive500: a customer's message with \u0000 anywhere is stored with the
// character removed (before, the API answered 500 and lost it); an agent's note or tag with one
// is refused with a 400 that names the field; too many or too long tags are 400s too, and none of
// the refusals changes anything.
func TestNULCharactersNeverGive500(t *testing.T) {
	t.Parallel()
	e := setup(t)
	var created struct {
		ConversationID int64 `json:"conversation_id"`
		MessageID      int64 `json:"message_id"`
	}
	body := `{"external_id":"nul\u0000-1","contact":{"name":"Ann\u0000 Lee","email":"ann\u0000@example.com"},` +
		`"subject":"Br\u0000oken","text":"my parcel\u0000 is torn"}`
	if st := e.do(t, "POST", "/api/v1/inbound", body, &created); st != http.StatusCreated {
		t.Fatalf("inbound with NULs: status %d", st)
	}
	var conv struct {
		Subject  string `json:"subject"`
		Messages []struct {
			Text     string         `json:"text"`
			Metadata map[string]any `json:"metadata"`
		} `json:"messages"`
	}
	if st := e.do(t, "GET", "/api/v1/conversations/"+itoa(created.ConversationID), "", &conv); st != http.StatusOK {
		t.Fatalf("get: %d", st)
	}
	if conv.Subject != "Broken" || len(conv.Messages) != 1 || conv.Messages[0].Text != "my parcel is torn" ||
		conv.Messages[0].Metadata["repaired"] == nil {
		t.Fatalf("stored conversation = %+v", conv)
	}
	// The same external id (NUL and all) again is the same message.
	if st := e.do(t, "POST", "/api/v1/inbound", body, nil); st != http.StatusOK {
		t.Fatalf("redelivery: status %d, want 200", st)
	}

	path := "/api/v1/conversations/" + itoa(created.ConversationID)
	tooMany := make([]string, 20_000)
	for i := range tooMany {
		tooMany[i] = "t" + itoa(int64(i))
	}
	many, _ := json.Marshal(map[string]any{"add": tooMany})
	fifty := make([]string, 50)
	for i := range fifty {
		fifty[i] = "f" + itoa(int64(i))
	}
	fiftyJSON, _ := json.Marshal(map[string]any{"add": fifty})
	for _, tc := range []struct {
		name, path, body, field string
	}{
		{"note with NUL", path + "/messages", `{"type":"note","text":"a\u0000b"}`, "text"},
		{"reply with NUL", path + "/messages", `{"type":"reply","text":"a\u0000b"}`, "text"},
		{"tag with NUL", path + "/tags", `{"add":["vip\u0000"]}`, "tags"},
		{"tag too long", path + "/tags", `{"add":["` + strings.Repeat("x", 65) + `"]}`, "tags"},
		{"20,000 tags", path + "/tags", string(many), "tags"},
	} {
		var out struct{ Error, Code string }
		st := e.do(t, "POST", tc.path, tc.body, &out)
		if st != http.StatusBadRequest || !strings.Contains(out.Error, tc.field) {
			t.Errorf("%s: status %d, error %q; want 400 naming %s", tc.name, st, out.Error, tc.field)
		}
	}
	// 50 tags are accepted; one more is a 400 and leaves the 50.
	if st := e.do(t, "POST", path+"/tags", string(fiftyJSON), nil); st != http.StatusOK {
		t.Fatalf("50 tags: %d", st)
	}
	if st := e.do(t, "POST", path+"/tags", `{"add":["one-more"]}`, nil); st != http.StatusBadRequest {
		t.Fatalf("51st tag: %d, want 400", st)
	}
	var after struct {
		Tags     []string          `json:"tags"`
		Messages []json.RawMessage `json:"messages"`
	}
	e.do(t, "GET", path, "", &after)
	if len(after.Tags) != 50 || len(after.Messages) != 1 {
		t.Fatalf("after the refusals: %d tags, %d messages", len(after.Tags), len(after.Messages))
	}
}

// TestBodyLimitIsExactlyOneMiB: a JSON body of exactly 1 MiB is read (here: stored), one byte
// more is a 413 that stores nothing.
func TestBodyLimitIsExactlyOneMiB(t *testing.T) {
	t.Parallel()
	e := setup(t)
	body := func(id string, size int) string {
		head := `{"external_id":"` + id + `","contact":{"email":"big@example.com"},"text":"`
		tail := `"}`
		return head + strings.Repeat("x", size-len(head)-len(tail)) + tail
	}
	if st := e.do(t, "POST", "/api/v1/inbound", body("at-limit", 1<<20), nil); st != http.StatusCreated {
		t.Fatalf("a body of exactly 1 MiB: %d, want 201", st)
	}
	var out struct{ Code string }
	if st := e.do(t, "POST", "/api/v1/inbound", body("over-limit", 1<<20+1), &out); st != http.StatusRequestEntityTooLarge || out.Code != "too_large" {
		t.Fatalf("1 MiB + 1 byte: %d %q, want 413 too_large", st, out.Code)
	}
	var n int
	if err := e.pool.QueryRow(t.Context(), "SELECT count(*) FROM messages WHERE external_id = 'over-limit'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("the refused body stored %d messages (%v)", n, err)
	}
}
