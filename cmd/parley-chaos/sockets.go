package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// chatOrigin is the site the chat inbox allows.
const chatOrigin = "http://shop.chaos.test"

// visitor is a website chat visitor speaking the widget's protocol (channels/chat/doc.go): it
// keeps its token and the last message id, sends a message about three times a second,
// queues each until it is acknowledged and, when its socket drops, reconnects to a server that is
// up with hello{token, last_id} and resends the queue.
type visitor struct {
	ld *load
	n  int

	mu        sync.Mutex
	token     string
	visitorID string
	lastID    int64
	seen      map[int64]bool       // message ids received
	pending   map[string]time.Time // client ids sent, not yet acknowledged -> last sent
	newIDs    int                  // times the server made a new visitor of us
	sessions  int                  // connections that got as far as welcome
	seq       int
}

// frame is any frame of the visitor protocol, with the members the harness reads.
type frame struct {
	Type      string `json:"type"`
	Token     string `json:"token,omitempty"`
	VisitorID string `json:"visitor_id,omitempty"`
	ID        int64  `json:"id,omitempty"`
	ClientID  string `json:"client_id,omitempty"`
	Code      string `json:"code,omitempty"`
	Message   string `json:"message,omitempty"`
}

func (v *visitor) waiting() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.pending) > 0
}

func (v *visitor) run() {
	var down time.Time
	for try := 0; v.ld.hard.Err() == nil; try++ {
		s := v.ld.h.pick(v.n + try)
		if s == nil {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		up := v.session(s, &down)
		if v.ld.hard.Err() != nil {
			return
		}
		if !up && down.IsZero() {
			down = time.Now()
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// session runs one connection to s; it reports whether the connection got as far as welcome.
func (v *visitor) session(s *server, down *time.Time) bool {
	u := "ws" + strings.TrimPrefix(s.url, "http") + fmt.Sprintf("/chat/ws?inbox=%d", v.ld.h.chatInbox)
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	conn, resp, err := d.DialContext(v.ld.hard, u, http.Header{"Origin": {chatOrigin}})
	if err != nil {
		kind := "chat dial " + errKind(err)
		if resp != nil {
			kind = fmt.Sprintf("chat dial %d", resp.StatusCode)
			if resp.Header.Get("Retry-After") != "" {
				kind += " with Retry-After"
			}
		}
		v.ld.l.refused(kind, 0)
		return false
	}
	defer conn.Close()
	v.mu.Lock()
	hello := map[string]any{"type": "hello", "token": v.token, "last_id": v.lastID}
	v.mu.Unlock()
	_ = conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	var welcome frame
	if conn.WriteJSON(hello) != nil || conn.ReadJSON(&welcome) != nil || welcome.Type != "welcome" {
		v.ld.l.refused("chat hello unanswered", 0)
		return false
	}
	_ = conn.SetReadDeadline(time.Time{})
	v.mu.Lock()
	if v.visitorID != "" && welcome.VisitorID != v.visitorID {
		v.newIDs++
	}
	v.token, v.visitorID = welcome.Token, welcome.VisitorID
	v.sessions++
	v.mu.Unlock()
	if !down.IsZero() {
		v.ld.l.outage(time.Since(*down))
		*down = time.Time{}
	}
	var wmu sync.Mutex
	send := func(f map[string]any) error {
		wmu.Lock()
		defer wmu.Unlock()
		_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
		return conn.WriteJSON(f)
	}
	v.resend(send, 0)
	readErr := make(chan error, 1)
	go func() { readErr <- v.read(conn) }()
	tick := time.NewTicker(330 * time.Millisecond)
	defer tick.Stop()
	for i := 1; ; i++ {
		select {
		case <-readErr:
			*down = time.Now()
			return true
		case <-v.ld.hard.Done():
			return true
		case <-tick.C:
		}
		var err error
		if v.ld.gen.Err() == nil {
			err = v.send(send)
		}
		if err == nil && i%6 == 0 {
			v.resend(send, 2*time.Second)
		}
		if err != nil {
			*down = time.Now()
			return true
		}
	}
}

// send sends a new message and queues it until acknowledged.
func (v *visitor) send(send func(map[string]any) error) error {
	v.mu.Lock()
	v.seq++
	cid := fmt.Sprintf("c%d-%d", v.n, v.seq)
	v.pending[cid] = time.Now()
	v.mu.Unlock()
	v.ld.l.try("chat", cid)
	return send(map[string]any{"type": "message", "client_id": cid, "text": fmt.Sprintf("%s-chat-%d-%s", v.ld.prefix, v.n, cid)})
}

// resend sends again (same client_id) every queued message last sent longer than older ago.
func (v *visitor) resend(send func(map[string]any) error, older time.Duration) {
	v.mu.Lock()
	var again []string
	for cid, at := range v.pending {
		if time.Since(at) >= older {
			again = append(again, cid)
			v.pending[cid] = time.Now()
		}
	}
	v.mu.Unlock()
	for _, cid := range again {
		_ = send(map[string]any{"type": "message", "client_id": cid, "text": fmt.Sprintf("%s-chat-%d-%s", v.ld.prefix, v.n, cid)})
	}
}

// read takes frames until the connection fails.
func (v *visitor) read(conn *websocket.Conn) error {
	for {
		var f frame
		if err := conn.ReadJSON(&f); err != nil {
			return err
		}
		switch f.Type {
		case "message":
			v.mu.Lock()
			v.seen[f.ID] = true
			v.lastID = max(v.lastID, f.ID)
			_, acked := v.pending[f.ClientID]
			acked = acked && f.ClientID != ""
			delete(v.pending, f.ClientID)
			vid := v.visitorID
			v.mu.Unlock()
			if acked {
				v.ld.l.ack("chat", vid+":"+f.ClientID, f.ID)
			}
		case "error":
			if f.ClientID != "" && f.Code == "invalid" {
				v.mu.Lock()
				delete(v.pending, f.ClientID)
				v.mu.Unlock()
			}
			v.ld.l.refused("chat error "+f.Code, 0)
		}
	}
}

// agentSocket is an agent's live-events socket (GET /api/v1/events): it records the messages
// announced and the intervals it was connected, and reconnects to a server that is up.
type agentSocket struct {
	ld *load
	n  int

	mu        sync.Mutex
	seen      map[int64]bool
	intervals [][2]time.Time // connected from, to (zero: still connected)
	resumes   []time.Time    // when feed.resumed came: the page catches up then
}

func (a *agentSocket) run() {
	var down time.Time
	for try := 0; a.ld.hard.Err() == nil; try++ {
		s := a.ld.h.pick(a.n + try + 1)
		if s == nil {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		u := "ws" + strings.TrimPrefix(s.url, "http") + "/api/v1/events?access_token=" + a.ld.h.agentToken
		d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
		conn, _, err := d.DialContext(a.ld.hard, u, nil)
		if err != nil {
			if down.IsZero() {
				down = time.Now()
			}
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if !down.IsZero() {
			a.ld.l.outage(time.Since(down))
		}
		a.mu.Lock()
		a.intervals = append(a.intervals, [2]time.Time{time.Now()})
		a.mu.Unlock()
		a.read(conn)
		a.mu.Lock()
		a.intervals[len(a.intervals)-1][1] = time.Now()
		a.mu.Unlock()
		down = time.Now()
	}
}

func (a *agentSocket) read(conn *websocket.Conn) {
	stop := context.AfterFunc(a.ld.hard, func() { _ = conn.Close() })
	defer stop()
	defer conn.Close()
	for {
		_, raw, err := conn.ReadMessage()
		if err != nil {
			return
		}
		events, err := agentEvents(raw)
		if err != nil {
			return
		}
		a.mu.Lock()
		for _, e := range events {
			switch e.Type {
			case "message.created":
				a.seen[e.MessageID] = true
			case "feed.resumed":
				a.resumes = append(a.resumes, time.Now())
			}
		}
		a.mu.Unlock()
	}
}

// agentEvent is what the suite reads of an agent socket's event.
type agentEvent struct {
	Type      string `json:"type"`
	MessageID int64  `json:"message_id"`
}

// agentEvents decodes one frame of an agent event socket: an event, or an array of several.
func agentEvents(raw []byte) ([]agentEvent, error) {
	if len(raw) > 0 && raw[0] == '[' {
		var many []agentEvent
		err := json.Unmarshal(raw, &many)
		return many, err
	}
	var one agentEvent
	err := json.Unmarshal(raw, &one)
	return []agentEvent{one}, err
}

// missed returns the acknowledged messages this socket was connected for (from half a second
// before to two seconds after the acknowledgement) whose message.created it never got, unless a
// feed.resumed came after the message was stored (created: when its transaction began), since
// the page then catches up through the API.
func (a *agentSocket) missed(acked, created map[int64]time.Time) []int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []int64
	for id, at := range acked {
		stored, ok := created[id]
		if !ok {
			stored = at
		}
		if a.seen[id] || slices.ContainsFunc(a.resumes, func(r time.Time) bool { return !r.Before(stored) }) {
			continue
		}
		for _, iv := range a.intervals {
			end := iv[1]
			if end.IsZero() {
				end = time.Now()
			}
			if iv[0].Before(at.Add(-500*time.Millisecond)) && end.After(at.Add(2*time.Second)) {
				out = append(out, id)
				break
			}
		}
	}
	return out
}

// resyncedAfter reports whether the socket caught up after t: a feed.resumed, or a new
// connection, and then a message.created it got live.
func (a *agentSocket) resyncedAfter(t time.Time, live map[int64]time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	caught := slices.ContainsFunc(a.resumes, func(r time.Time) bool { return r.After(t) }) ||
		slices.ContainsFunc(a.intervals, func(iv [2]time.Time) bool { return iv[0].After(t) })
	if !caught {
		return false
	}
	for id, at := range live {
		if at.After(t) && a.seen[id] {
			return true
		}
	}
	return false
}

// describe tells when the socket was connected and resumed, for a failure's evidence.
func (a *agentSocket) describe() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var conn, res []string
	for _, iv := range a.intervals {
		end := "on"
		if !iv[1].IsZero() {
			end = clock(iv[1])
		}
		conn = append(conn, clock(iv[0])+"-"+end)
	}
	for _, r := range a.resumes {
		res = append(res, clock(r))
	}
	return fmt.Sprintf("connected %s, feed.resumed at %s", strings.Join(conn, " "), orNone(strings.Join(res, " ")))
}

// clock formats an instant for the report (UTC, milliseconds).
func clock(t time.Time) string { return t.UTC().Format("15:04:05.000") }
