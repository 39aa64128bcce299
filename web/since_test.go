package web_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/teamtest"
	"github.com/parleyhq/parley/internal/wstest"
)

// sinceQuery is the ?since= of a page whose request began at t.
func sinceQuery(t time.Time) string { return "?since=" + strconv.FormatInt(t.UnixMilli(), 10) }

// firstFrame reads a socket's first frame, whole.
func firstFrame(t *testing.T, conn *wstest.Events) []inbox.Event {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	_, raw, err := conn.ReadMessage()
	if err != nil {
		t.Fatalf("read the first frame: %v", err)
	}
	events, err := wstest.DecodeEvents(raw)
	if err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return events
}

// TestASocketOpenedLateGetsTheEventsItsPageMissedFirst is a page's race: the page is read from
// the database, customers write, and only then does its socket open. Its first frame must hold
// the events since the page's request began that its agent may see, and nothing of another
// team's conversation; a later change then arrives as usual, once.
func TestASocketOpenedLateGetsTheEventsItsPageMissedFirst(t *testing.T) {
	t.Parallel()
	e := setup(t)
	other, err := e.store.CreateTeam(t.Context(), "Billing", nil)
	if err != nil {
		t.Fatal(err)
	}
	settleFeed(t, e)
	_, supTok := e.newAgent(t, "watcher", inbox.RoleSupervisor)
	listening := dialEvents(t, e, supTok)
	// A page read in the hub's first second (less than the allowance for clocks) may come from
	// before the process began: the hub must have been up longer to replay rather than resume.
	time.Sleep(1100 * time.Millisecond)

	rendered := time.Now() // the page's request began
	var hidden, shown ids
	e.do(t, "POST", "/api/v1/inbound", `{"external_id":"late-h","contact":{"email":"h@example.com"},"text":"a billing question"}`, &hidden)
	teamtest.Move(t, e.store, hidden.ConversationID, other.ID)
	e.do(t, "POST", "/api/v1/inbound", `{"external_id":"late-h2","contact":{"email":"h@example.com"},"text":"billing again"}`, &hidden)
	e.do(t, "POST", "/api/v1/inbound", `{"external_id":"late-s","contact":{"email":"s@example.com"},"text":"where is my order?"}`, &shown)
	// The hub has delivered all of it once a socket open before gets the last message.
	nextEvent(t, listening, func(ev inbox.Event) bool { return ev.MessageID == shown.MessageID })

	late := dialEventsQuery(t, e, e.token, sinceQuery(rendered))
	got := map[string]bool{}
	for _, ev := range firstFrame(t, late) {
		if ev.TeamID == other.ID && ev.Type != inbox.EventConversationTeam {
			t.Fatalf("an agent outside team %d was replayed %+v", other.ID, ev)
		}
		if ev.ConversationID == shown.ConversationID {
			got[ev.Type] = true
		}
	}
	if !got[inbox.EventConversationCreated] || !got[inbox.EventMessageCreated] {
		t.Fatalf("the first frame of a socket whose page missed a new conversation has of it %v", got)
	}
	if st := e.do(t, "POST", "/api/v1/conversations/"+itoa(shown.ConversationID)+"/status", `{"status":"pending"}`, nil); st != 200 {
		t.Fatalf("status change %d", st)
	}
	if ev := late.Next(t); ev.Type != inbox.EventConversationStatus || ev.ConversationID != shown.ConversationID {
		t.Fatalf("after the replay: %+v, want the status change", ev)
	}
}

// TestASocketOfAPageNewerThanEveryEventGetsNoReplay: a page read after every event so far (its
// clock ahead of any slack between processes), or a socket that gives no since (a reconnect,
// which catches up anyway), starts with the next change.
func TestASocketOfAPageNewerThanEveryEventGetsNoReplay(t *testing.T) {
	t.Parallel()
	e := setup(t)
	settleFeed(t, e)
	fresh := dialEventsQuery(t, e, e.token, sinceQuery(time.Now().Add(time.Minute)))
	plain := dialEvents(t, e, e.token)
	var in ids
	e.do(t, "POST", "/api/v1/inbound", `{"external_id":"fresh-1","contact":{"email":"f@example.com"},"text":"hello"}`, &in)
	for name, conn := range map[string]*wstest.Events{"fresh": fresh, "plain": plain} {
		if ev := conn.Next(t); ev.ConversationID != in.ConversationID {
			t.Fatalf("%s socket's first event = %+v, want the new conversation's", name, ev)
		}
	}
}

// TestASocketOfAPageOlderThanTheHubsMemoryIsToldToCatchUp: events from before the hub began (a
// page read before this process started) are not held, so the socket is told to read again.
func TestASocketOfAPageOlderThanTheHubsMemoryIsToldToCatchUp(t *testing.T) {
	t.Parallel()
	e := setup(t)
	old := dialEventsQuery(t, e, e.token, sinceQuery(time.Now().Add(-time.Hour)))
	if ev := old.Next(t); ev.Type != inbox.EventFeedResumed {
		t.Fatalf("first event = %+v, want %s", ev, inbox.EventFeedResumed)
	}
}

// TestASocketWithAMalformedSinceIsRefused: ?since= must be milliseconds since 1970; anything
// else is a 400 that says so, before the upgrade.
func TestASocketWithAMalformedSinceIsRefused(t *testing.T) {
	t.Parallel()
	e := setup(t)
	for _, since := range []string{"yesterday", "-5", "0", "1e9", "%00"} {
		url := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/api/v1/events?since=" + since
		_, resp, err := websocket.DefaultDialer.Dial(url, http.Header{"Authorization": {"Bearer " + e.token}})
		if err == nil || resp == nil || resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("since=%s: %v, %v", since, err, resp)
		}
		body, _ := io.ReadAll(resp.Body)
		if !strings.Contains(string(body), "since") {
			t.Fatalf("since=%s: the answer %q does not name the field", since, body)
		}
	}
}
