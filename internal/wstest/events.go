package wstest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parleyhq/parley/inbox"
)

// Events is the client side of an agent event socket, holding the events of the last frame
// not read yet: a frame carries one event or an array of several.
type Events struct {
	*websocket.Conn
	pending []inbox.Event
}

// DecodeEvents decodes a frame of the agent event socket: one event, or an array of several.
func DecodeEvents(raw []byte) ([]inbox.Event, error) {
	if len(raw) > 0 && raw[0] == '[' {
		var many []inbox.Event
		err := json.Unmarshal(raw, &many)
		return many, err
	}
	var one inbox.Event
	err := json.Unmarshal(raw, &one)
	return []inbox.Event{one}, err
}

// Next returns the socket's next event; it fails the test when none comes within 15 s.
func (c *Events) Next(t testing.TB) inbox.Event {
	t.Helper()
	for len(c.pending) == 0 {
		_ = c.SetReadDeadline(time.Now().Add(15 * time.Second))
		_, raw, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("read event: %v", err)
		}
		if c.pending, err = DecodeEvents(raw); err != nil {
			t.Fatalf("decode event %s: %v", raw, err)
		}
	}
	ev := c.pending[0]
	c.pending = c.pending[1:]
	return ev
}

// NextMatch reads events until one matches; it fails the test when none does within 15 s.
func (c *Events) NextMatch(t testing.TB, match func(inbox.Event) bool) inbox.Event {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); {
		if ev := c.Next(t); match(ev) {
			return ev
		}
	}
	t.Fatal("no matching event within 15 s")
	return inbox.Event{}
}
