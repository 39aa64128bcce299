package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/teamtest"
	"github.com/parleyhq/parley/internal/wstest"
)

// dial opens the user's event socket on env's server with their session cookie.
func (u *user) dial(t *testing.T, env *uiEnv) *wstest.Events {
	t.Helper()
	base, _ := url.Parse(u.e.http.URL)
	var cookie []string
	for _, c := range u.client.Jar.Cookies(base) {
		cookie = append(cookie, c.Name+"="+c.Value)
	}
	conn, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(env.http.URL, "http")+"/api/v1/events",
		http.Header{"Cookie": {strings.Join(cookie, "; ")}})
	if err != nil {
		t.Fatalf("dial events: %v (%v)", err, resp)
	}
	t.Cleanup(func() { conn.Close() })
	return &wstest.Events{Conn: conn}
}

func send(t *testing.T, c *wstest.Events, typ string, conv int64) {
	t.Helper()
	if err := c.WriteJSON(presenceFrame{Type: typ, ConversationID: conv}); err != nil {
		t.Fatal(err)
	}
}

// next reads the socket's next presence event.
func next(t *testing.T, c *wstest.Events) inbox.Event {
	t.Helper()
	return c.NextMatch(t, func(e inbox.Event) bool { return strings.HasPrefix(e.Type, "presence.") })
}

func TestPresenceCrossesProcessesAndRespectsVisibility(t *testing.T) {
	t.Parallel()
	a := newUIEnv(t)
	b := newUIEnvOn(t, a.pool) // a second parley process on the same database
	ctx := context.Background()
	ana := a.newUser(t, "ana", inbox.RoleAgent)
	bob := a.newUser(t, "bob", inbox.RoleAgent)
	cat := a.newUser(t, "cat", inbox.RoleAgent)
	team, err := a.store.CreateTeam(ctx, "Billing", []string{"ana@example.com", "bob@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	billing := a.customer(t, "p-1", "p1@example.com", "P One", "Invoice", "hello")
	teamtest.Move(t, a.store, billing.ConversationID, team.ID)
	open := a.customer(t, "p-2", "p2@example.com", "P Two", "Hi", "hello")

	onA := ana.dial(t, a)
	onB := bob.dial(t, b)
	onC := cat.dial(t, b)
	send(t, onA, "viewing", billing.ConversationID)
	got := next(t, onB)
	if got.Type != EventPresenceViewing || got.AgentID != ana.agent.ID || got.ConversationID != billing.ConversationID || got.Data["name"] != "ana" {
		t.Fatalf("bob got %+v", got)
	}
	// Frames of one socket are handled in order, so each step is settled by what bob sees next.
	b1, o := i64(billing.ConversationID), i64(open.ConversationID)
	expect := func(want string) {
		t.Helper()
		if e := next(t, onB); e.Type+" "+i64(e.ConversationID) != want {
			t.Fatalf("bob saw %s %d, want %s", e.Type, e.ConversationID, want)
		}
	}
	send(t, onA, "typing", billing.ConversationID)
	expect("presence.typing " + b1)
	send(t, onA, "typing", billing.ConversationID) // within typingEvery of the last: dropped
	send(t, onA, "viewing", billing.ConversationID)
	expect("presence.viewing " + b1)
	a.advance(typingEvery)
	send(t, onA, "typing", billing.ConversationID)
	expect("presence.typing " + b1)
	send(t, onA, "viewing", open.ConversationID) // leaves billing, views a conversation of no team
	expect("presence.left " + b1)
	expect("presence.viewing " + o)
	// Cat is not in Billing: the first presence she sees is about the conversation of no team.
	if e := next(t, onC); e.Type != EventPresenceViewing || e.ConversationID != open.ConversationID {
		t.Fatalf("cat saw %+v", e)
	}
	// Bob cannot announce himself on a conversation he may not see: cat hears nothing of it.
	send(t, onC, "viewing", billing.ConversationID)
	onA.Close()
	if e := next(t, onC); e.Type != EventPresenceLeft || e.AgentID != ana.agent.ID || e.ConversationID != open.ConversationID {
		t.Fatalf("after ana's tab closed, cat saw %+v", e)
	}
	var stored int
	if err := a.pool.QueryRow(ctx, `SELECT count(*) FROM conversation_events WHERE kind LIKE 'presence%'`).Scan(&stored); err != nil || stored != 0 {
		t.Fatalf("presence was stored: %d %v", stored, err)
	}
}
