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
)

// TestASocketOpenedAfterAnEventItsPageMissedSaysCatchUp is a page's race: the page is read from
// the database, a customer writes, and only then does its socket open. The socket's first frame
// must tell the page to catch up; a socket of a page rendered after the last event must not.
func TestASocketOpenedAfterAnEventItsPageMissedSaysCatchUp(t *testing.T) {
	t.Parallel()
	e := setup(t)
	settleFeed(t, e)
	listening := dialEvents(t, e, e.token)

	rendered := time.Now() // the page's request began
	var in ids
	if st := e.do(t, "POST", "/api/v1/inbound", `{"external_id":"since-1","contact":{"email":"since@example.com"},"text":"where is my order?"}`, &in); st != 201 {
		t.Fatalf("inbound status %d", st)
	}
	// The hub has been handed the message's event once a socket open before it gets it.
	nextEvent(t, listening, func(ev inbox.Event) bool { return ev.MessageID == in.MessageID })

	late := dialEventsQuery(t, e, e.token, "?since="+strconv.FormatInt(rendered.UnixMilli(), 10))
	if ev := late.Next(t); ev.Type != inbox.EventFeedResumed {
		t.Fatalf("first frame of a socket whose page missed an event = %+v, want %s", ev, inbox.EventFeedResumed)
	}

	// A page rendered after every event so far (its clock ahead of any slack between processes)
	// gets no catch-up: its first event is the next change.
	fresh := dialEventsQuery(t, e, e.token, "?since="+strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10))
	if st := e.do(t, "POST", "/api/v1/conversations/"+itoa(in.ConversationID)+"/status", `{"status":"pending"}`, nil); st != 200 {
		t.Fatalf("status change %d", st)
	}
	if ev := fresh.Next(t); ev.Type != inbox.EventConversationStatus || ev.ConversationID != in.ConversationID {
		t.Fatalf("first frame of a fresh page's socket = %+v, want the status change", ev)
	}
	// A socket that asks nothing (a reconnect, which catches up anyway) is not told either.
	again := dialEvents(t, e, e.token)
	if st := e.do(t, "POST", "/api/v1/conversations/"+itoa(in.ConversationID)+"/status", `{"status":"open"}`, nil); st != 200 {
		t.Fatalf("status change %d", st)
	}
	if ev := again.Next(t); ev.Type != inbox.EventConversationStatus || ev.Status != inbox.StatusOpen {
		t.Fatalf("first frame of a socket without since = %+v, want the status change", ev)
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
