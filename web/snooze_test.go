package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// TestAPISnooze: POST /api/v1/conversations/{id}/snooze sets the conversation aside until its
// instant; a bad, past or too distant instant is a 400 that changes nothing, a resolved
// conversation a 409 saying why, another team's conversation a 404; setting it open wakes it.
func TestAPISnooze(t *testing.T) {
	t.Parallel()
	e := setup(t)
	var in ids
	if st := e.do(t, "POST", "/api/v1/inbound", `{"external_id":"sz-1","contact":{"email":"sz@example.com"},"text":"hello"}`, &in); st != http.StatusCreated {
		t.Fatalf("inbound: %d", st)
	}
	path := fmt.Sprintf("/api/v1/conversations/%d/snooze", in.ConversationID)
	instant := func(d time.Duration) string { return time.Now().Add(d).UTC().Format(time.RFC3339) }
	for _, body := range []string{`{}`, `{"until":""}`, `{"until":"tomorrow"}`, `{"until":"2026-13-01T09:00:00Z"}`,
		`{"until":"` + instant(-time.Minute) + `"}`, `{"until":"` + instant(400*24*time.Hour) + `"}`, `{"until":1}`,
		`{"until":"` + instant(time.Hour) + `","x":1}`} {
		var out apiErr
		if st := e.do(t, "POST", path, body, &out); st != http.StatusBadRequest || out.Error == "" {
			t.Errorf("%s: %d %+v, want 400 with a reason", body, st, out)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM conversations WHERE id = $1 AND status = 'new'`, in.ConversationID); n != 1 {
		t.Fatal("a refused snooze changed the conversation")
	}

	// Another agent, of no team that sees it, is told it does not exist.
	_, stranger := e.newAgent(t, "stranger", inbox.RoleAgent)
	if st := e.doAs(t, stranger, "POST", path, `{"until":"`+instant(time.Hour)+`"}`, nil); st != http.StatusNotFound {
		t.Errorf("a conversation the caller cannot see: %d, want 404", st)
	}

	until := time.Now().Add(2 * time.Hour).Truncate(time.Second)
	var c inbox.Conversation
	if st := e.do(t, "POST", path, `{"until":"`+until.Format(time.RFC3339)+`"}`, &c); st != http.StatusOK {
		t.Fatalf("snooze: %d", st)
	}
	if c.Status != inbox.StatusSnoozed || c.SnoozedUntil == nil || !c.SnoozedUntil.Equal(until) {
		t.Fatalf("snoozed: %s until %v, want until %s", c.Status, c.SnoozedUntil, until)
	}
	var list struct{ Conversations []inbox.Conversation }
	e.do(t, "GET", "/api/v1/conversations?status=snoozed", "", &list)
	if len(list.Conversations) != 1 || list.Conversations[0].ID != in.ConversationID {
		t.Errorf("the snoozed list: %+v", list.Conversations)
	}
	var out apiErr
	if st := e.do(t, "POST", fmt.Sprintf("/api/v1/conversations/%d/status", in.ConversationID), `{"status":"snoozed"}`, &out); st != http.StatusBadRequest {
		t.Errorf("status snoozed: %d %+v, want 400", st, out)
	}
	c = inbox.Conversation{}
	if st := e.do(t, "POST", fmt.Sprintf("/api/v1/conversations/%d/status", in.ConversationID), `{"status":"open"}`, &c); st != http.StatusOK || c.Status != inbox.StatusOpen || c.SnoozedUntil != nil {
		t.Errorf("woken by the agent: %d %+v", st, c)
	}
	if n := e.count(t, `SELECT count(*) FROM river_job WHERE kind = 'snooze_wake' AND scheduled_at = $1`, until); n != 1 {
		t.Errorf("%d wake timers at the instant, want 1", n)
	}

	if st := e.do(t, "POST", fmt.Sprintf("/api/v1/conversations/%d/status", in.ConversationID), `{"status":"resolved"}`, nil); st != http.StatusOK {
		t.Fatalf("resolve: %d", st)
	}
	out = apiErr{}
	if st := e.do(t, "POST", path, `{"until":"`+instant(time.Hour)+`"}`, &out); st != http.StatusConflict || out.Code != "not_snoozable" || !strings.Contains(out.Error, "resolved") {
		t.Errorf("a resolved conversation: %d %+v, want 409 not_snoozable", st, out)
	}
}
