package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/edgetest"
)

// inboundSeeds are JSON bodies for the inbound API's fuzz targets: a good message and the
// hostile ones (NUL bytes, invalid UTF-8, huge fields, wrong types, not JSON at all).
var inboundSeeds = []string{
	`{"external_id":"e1","contact":{"name":"Ann","email":"ann@example.com"},"subject":"Hi","text":"hello"}`,
	`{"external_id":"e2","contact":{"phone":"+447700900123"},"text":"by phone"}`,
	`{"external_id":"e3","contact":{"email":"b@example.com","phone":"+14155550100"},"text":"both"}`,
	`{"external_id":"nul\u0000","contact":{"name":"A\u0000","email":"a\u0000@x.example","phone":"+1\u0000"},"subject":"\u0000","text":"\u0000"}`,
	"{\"external_id\":\"bad\xff\xfe\",\"contact\":{\"name\":\"\xc3\x28\",\"email\":\"\xed\xa0\x80@x.example\"},\"text\":\"\xf0\x28\x8c\xbc\"}",
	`{"external_id":"big","contact":{"email":"big@example.com","name":"` + strings.Repeat("N", 200_001) + `"},"subject":"` +
		strings.Repeat("S", 5_000) + `","text":"` + strings.Repeat("T", 70_000) + `"}`,
	`{"external_id":"longaddr","contact":{"email":"` + strings.Repeat("a", 10_000) + `@example.com"},"text":"x"}`,
	`{"external_id":"longphone","contact":{"phone":"` + strings.Repeat("9", 10_000) + `"},"text":"x"}`,
	`{"external_id":` + `"` + strings.Repeat("x", 10_000) + `","contact":{"email":"c@example.com"},"text":"x"}`,
	`{"external_id":7,"contact":{"email":"d@example.com"},"text":"x"}`,
	`{"external_id":"t","contact":"ann@example.com","text":["x"]}`,
	`{"external_id":"t","contact":{"email":null},"text":null}`,
	`{"external_id":"","contact":{"email":"e@example.com"},"text":""}`,
	`{"external_id":"u","contact":{"email":"not an address"},"text":"x"}`,
	`{"external_id":"\ud800","contact":{"email":"\udfff@example.com"},"text":"\ud83d"}`,
	`[]`, `null`, `"x"`, `{`, ``, "\x00", `{"external_id":"d","external_id":"d2","contact":{"email":"f@example.com"}}`,
}

// FuzzInbound posts arbitrary bodies to POST /api/v1/inbound with a valid integration token,
// on a real database: never a 500, and a message is stored exactly when it is acknowledged
// (201, once; a 200 is a redelivery of one stored before).
func FuzzInbound(f *testing.F) {
	for _, s := range inboundSeeds {
		f.Add([]byte(s))
	}
	e := setup(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		e.postInbound(t, body)
	})
}

// FuzzInboundFields posts well-formed JSON whose every field is arbitrary, so the fuzzer
// reaches the store rather than the JSON decoder.
func FuzzInboundFields(f *testing.F) {
	for _, s := range inboundSeeds {
		var req struct {
			ExternalID string `json:"external_id"`
			Contact    struct{ Name, Email, Phone string }
			Subject    string
			Text       string
		}
		if json.Unmarshal([]byte(s), &req) == nil {
			f.Add(req.ExternalID, req.Contact.Name, req.Contact.Email, req.Contact.Phone, req.Subject, req.Text)
		}
	}
	f.Add("x\x00y", "\xff", "a@b\x00.example", "+1 (415) 555-0100\x00", "\xc0\xaf", "x\x00")
	e := setup(f)
	f.Fuzz(func(t *testing.T, ext, name, email, phone, subject, text string) {
		body, err := json.Marshal(map[string]any{"external_id": ext, "subject": subject, "text": text,
			"contact": map[string]string{"name": name, "email": email, "phone": phone}})
		if err != nil {
			t.Fatal(err)
		}
		e.postInbound(t, body)
	})
}

// postInbound posts body with the integration token and checks the promise of the edge: no
// 500, nothing stored unless acknowledged, an acknowledged message stored exactly once.
func (e *apiEnv) postInbound(t *testing.T, body []byte) {
	t.Helper()
	var raw []byte
	status, added := edgetest.Check(t, e.messages, func() (int, string) {
		req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/inbound", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+e.integration)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ = io.ReadAll(resp.Body)
		return resp.StatusCode, string(raw)
	}, func(status int) bool { return status == http.StatusCreated || status == http.StatusOK })
	if status != http.StatusCreated && status != http.StatusOK {
		return
	}
	var got ids
	if err := json.Unmarshal(raw, &got); err != nil || got.MessageID == 0 {
		t.Fatalf("acknowledged with %d %q: %v", status, raw, err)
	}
	if (status == http.StatusCreated) != (added == 1) {
		t.Fatalf("answered %d but stored %d messages", status, added)
	}
	var copies int
	err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM messages WHERE channel = 'api'
		AND external_id = (SELECT external_id FROM messages WHERE id = $1)`, got.MessageID).Scan(&copies)
	if err != nil || copies != 1 {
		t.Fatalf("acknowledged message %d stored %d times (%v)", got.MessageID, copies, err)
	}
}

// messages counts the stored messages.
func (e *apiEnv) messages(t *testing.T) int {
	t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM messages`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
