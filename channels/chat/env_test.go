package chat_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/channels/chat"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
	"github.com/parleyhq/parley/internal/pgrelay"
	"github.com/parleyhq/parley/workflow"
)

const (
	shopOrigin     = "https://shop.example.com"
	identitySecret = "site-identity-secret-0123456789"
	tokenSecret    = "parley-secret-key-for-tests"
)

// env is one test's database. Each node on it is a parley process: its own pool, store,
// event feed and chat server behind an httptest server.
//
// The tests use workflow for end-to-end setup only: its Enqueuer is the store's job inserter
// and its River workers deliver and fetch as a server's would. The channel's own code imports
// no workflow (internal/arch checks it).
type env struct {
	t     *testing.T
	url   string
	store *inbox.Store // the first node's, for acting as an agent
	clock *clock
}

// clock is the injected clock; tests move it, never sleep.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

func setup(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, url: dbtest.URL(t), clock: &clock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}}
	e.store = e.newStore(t)
	return e
}

func (e *env) newStore(t testing.TB) *inbox.Store {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(e.url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 10
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	jobs, err := workflow.NewEnqueuer(pool)
	if err != nil {
		t.Fatal(err)
	}
	return inbox.New(pool, inbox.Options{Jobs: jobs, Clock: e.clock.Now, SecretKey: "test-key"})
}

// node is one parley process serving the chat.
type node struct {
	store *inbox.Store
	feed  *inbox.Feed
	srv   *chat.Server
	http  *httptest.Server
}

// node starts a process; the first one shares e.store.
func (e *env) node(t *testing.T, cfg chat.Config) *node {
	t.Helper()
	return e.nodeListening(t, cfg, nil)
}

// nodeListening starts a process whose LISTEN connection has the settings of listen (nil: the
// store's pool).
func (e *env) nodeListening(t *testing.T, cfg chat.Config, listen *pgxpool.Pool) *node {
	t.Helper()
	n := &node{store: cfg.Store}
	if n.store == nil {
		n.store = e.newStore(t)
	}
	if listen == nil {
		listen = n.store.Pool()
	}
	relay := pgrelay.New(listen, nil)
	n.feed = inbox.NewFeed(relay, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = relay.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-n.feed.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("feed never listened")
	}
	cfg.Store, cfg.Events, cfg.Relay = n.store, n.feed, relay
	if cfg.TokenSecret == "" {
		cfg.TokenSecret = tokenSecret
	}
	srv, err := chat.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n.srv = srv
	select {
	case <-srv.PresenceReady():
	case <-time.After(10 * time.Second):
		t.Fatal("presence listener never listened")
	}
	mux := http.NewServeMux()
	for p, h := range srv.Handlers() {
		mux.Handle(p, h)
	}
	n.http = httptest.NewServer(mux)
	t.Cleanup(func() { srv.Close(); n.http.Close() })
	return n
}

// chatInbox creates a chat inbox allowing shopOrigin, with an identity secret.
func (e *env) chatInbox(t *testing.T, s chat.Settings) inbox.Inbox {
	t.Helper()
	if s.Origins == nil {
		s.Origins = []string{shopOrigin}
	}
	in, err := e.store.CreateInbox(context.Background(), inbox.NewInbox{Kind: inbox.ChannelChat,
		Name: "Shop " + strconv.Itoa(len(s.Origins)) + s.FallbackAfter, Settings: s,
		Secrets: chat.Secrets{IdentitySecret: identitySecret}})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func (e *env) agent(t *testing.T, name string) inbox.Agent {
	t.Helper()
	a, err := e.store.CreateAgent(context.Background(), inbox.NewAgent{Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@parley.test",
		Name: name, Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// reply sends an agent's reply into a conversation, as the web inbox does.
func (e *env) reply(t *testing.T, convID int64, by inbox.Agent, text string) inbox.Message {
	t.Helper()
	m, err := e.store.Send(context.Background(), inbox.Reply{ConversationID: convID, Author: inbox.Actor{AgentID: by.ID}, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// frame is any server frame, decoded.
type frame struct {
	Type         string             `json:"type"`
	Token        string             `json:"token"`
	VisitorID    string             `json:"visitor_id"`
	Conversation *chat.Conversation `json:"conversation"`
	ID           int64              `json:"id"`
	ClientID     string             `json:"client_id"`
	Direction    string             `json:"direction"`
	AuthorName   string             `json:"author_name"`
	Text         string             `json:"text"`
	Code         string             `json:"code"`
	RetryAfter   int                `json:"retry_after"`
	Message      string             `json:"message"`
	Status       string             `json:"status"`
	AgentName    string             `json:"agent_name"`
	On           bool               `json:"on"`
	SurveyID     string             `json:"survey_id"`
	Prompt       string             `json:"prompt"`
	Files        []chat.FileLink    `json:"files"`
}

// visitor is a browser's widget, speaking the protocol over a real socket.
type visitor struct {
	t    *testing.T
	conn *websocket.Conn
}

// dial opens a visitor socket from origin; it fails the test unless the upgrade succeeds.
func dial(t *testing.T, n *node, inboxID int64) *visitor {
	t.Helper()
	v, resp, err := tryDial(t, n, inboxID, shopOrigin)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial: %v (HTTP %d)", err, status)
	}
	return v
}

func tryDial(t *testing.T, n *node, inboxID int64, origin string) (*visitor, *http.Response, error) {
	t.Helper()
	u := "ws" + strings.TrimPrefix(n.http.URL, "http") + "/chat/ws?inbox=" + strconv.FormatInt(inboxID, 10)
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	conn, resp, err := websocket.DefaultDialer.Dial(u, h)
	if err != nil {
		return nil, resp, err
	}
	t.Cleanup(func() { conn.Close() })
	return &visitor{t: t, conn: conn}, resp, nil
}

func (v *visitor) write(f any) {
	v.t.Helper()
	if err := v.conn.WriteJSON(f); err != nil {
		v.t.Fatalf("write %v: %v", f, err)
	}
}

// read returns the next frame; a frame that never comes fails the test after 10 s.
func (v *visitor) read() frame {
	v.t.Helper()
	f, err := v.tryRead()
	if err != nil {
		v.t.Fatalf("read: %v", err)
	}
	return f
}

func (v *visitor) tryRead() (frame, error) {
	_ = v.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var f frame
	_, data, err := v.conn.ReadMessage()
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal(data, &f); err != nil {
		v.t.Fatalf("undecodable frame %s: %v", data, err)
	}
	return f, nil
}

// expect reads the next frame and checks its type.
func (v *visitor) expect(typ string) frame {
	v.t.Helper()
	f := v.read()
	if f.Type != typ {
		v.t.Fatalf("got a %s frame %+v, want %s", f.Type, f, typ)
	}
	return f
}

// message returns the next message frame, passing over status frames (an agent's first reply
// opens the conversation).
func (v *visitor) message() frame {
	v.t.Helper()
	for {
		f := v.read()
		switch f.Type {
		case "message":
			return f
		case "status":
			continue
		}
		v.t.Fatalf("got a %s frame %+v, want a message", f.Type, f)
	}
}

// hello opens the session and returns the welcome.
func (v *visitor) hello(h chat.Hello) frame {
	v.t.Helper()
	v.write(map[string]any{"type": "hello", "token": h.Token, "last_id": h.LastID, "name": h.Name,
		"email": h.Email, "user_id": h.UserID, "user_hash": h.UserHash})
	return v.expect("welcome")
}

// send writes a message frame.
func (v *visitor) send(clientID, text string) {
	v.t.Helper()
	v.write(map[string]any{"type": "message", "client_id": clientID, "text": text})
}

// say sends a message and returns its acknowledgement.
func (v *visitor) say(clientID, text string) frame {
	v.t.Helper()
	v.send(clientID, text)
	f := v.message() // a status frame may come first: a reply's live event can trail its replay
	if f.ClientID != clientID || f.Direction != "inbound" || f.Text != text {
		v.t.Fatalf("ack %+v for %s %q", f, clientID, text)
	}
	return f
}

// untilDropped reads until the server drops the socket (a feed reconnect does) and returns the
// message frames read meanwhile; a socket still open after the read timeout fails the test.
func (v *visitor) untilDropped() []frame {
	v.t.Helper()
	var msgs []frame
	for {
		f, err := v.tryRead()
		var timeout net.Error
		if errors.As(err, &timeout) && timeout.Timeout() {
			v.t.Fatal("the socket was not dropped when the feed came back")
		}
		if err != nil {
			return msgs
		}
		if f.Type == "message" {
			msgs = append(msgs, f)
		}
	}
}

// closeCode reads until the socket closes and returns the close status.
func (v *visitor) closeCode() int {
	v.t.Helper()
	for {
		_, err := v.tryRead()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		v.t.Fatalf("socket ended without a close frame: %v", err)
	}
}

// events collects the feed's events of one type, for waiting on asynchronous effects.
func events(t *testing.T, n *node, typ string) <-chan inbox.Event {
	ch := make(chan inbox.Event, 256)
	cancel := n.feed.Subscribe(func(e inbox.Event) {
		if e.Type == typ {
			select {
			case ch <- e:
			default:
			}
		}
	})
	t.Cleanup(cancel)
	return ch
}

// await returns the first event ok accepts; none within 10 s fails the test.
func await(t *testing.T, ch <-chan inbox.Event, ok func(inbox.Event) bool) inbox.Event {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e := <-ch:
			if ok(e) {
				return e
			}
		case <-timeout:
			t.Fatal("the awaited event never came")
		}
	}
}
