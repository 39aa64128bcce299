package chat_test

import (
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parleyhq/parley/channels/chat"
)

// refused reads the error frame and the close of a socket a limit refused.
func (v *visitor) refused(code string) frame {
	v.t.Helper()
	f := v.expect("error")
	if f.Code != code || f.RetryAfter < 1 || f.Message == "" {
		v.t.Fatalf("error frame %+v, want %s with a retry_after and a message", f, code)
	}
	if c := v.closeCode(); c != chat.CloseLimited {
		v.t.Fatalf("closed with %d, want %d", c, chat.CloseLimited)
	}
	return f
}

func TestSocketsPerAddressAreCapped(t *testing.T) {
	t.Parallel()
	e := setup(t)
	n := e.node(t, chat.Config{Store: e.store, Limits: chat.Limits{SocketsPerAddress: 2, NewVisitorsPerMinute: -1}})
	in := e.chatInbox(t, chat.Settings{})

	first := dial(t, n, in.ID)
	w := first.hello(chat.Hello{})
	second := dial(t, n, in.ID)
	second.hello(chat.Hello{Token: w.Token})

	third := dial(t, n, in.ID) // 127.0.0.1 holds two: refused after the upgrade, with a reason
	third.refused(chat.CodeTooManySockets)

	// One closes: its slot is free again (the server notices the close on its own time).
	first.conn.Close()
	for i := 0; ; i++ {
		v := dial(t, n, in.ID)
		v.write(map[string]any{"type": "hello", "token": w.Token, "last_id": 0})
		f := v.read()
		if f.Type == "welcome" {
			break
		}
		if f.Code != chat.CodeTooManySockets || i == 200 {
			t.Fatalf("after a socket closed: %+v", f)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestNewVisitorsPerAddressAreLimited(t *testing.T) {
	t.Parallel()
	e := setup(t)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	n := e.node(t, chat.Config{Store: e.store, Limits: chat.Limits{NewVisitorsPerMinute: 3, Now: clock}})
	in := e.chatInbox(t, chat.Settings{})

	var tokens []string
	for range 3 {
		v := dial(t, n, in.ID)
		tokens = append(tokens, v.hello(chat.Hello{}).Token)
		v.say("m1", "hello from a new visitor")
	}
	v := dial(t, n, in.ID)
	v.write(map[string]any{"type": "hello", "last_id": 0})
	if f := v.refused(chat.CodeTooManyVisitors); f.RetryAfter > 20 {
		t.Fatalf("retry_after %d s, want at most the 20 s one new visitor takes to earn", f.RetryAfter)
	}
	// A returning visitor is no new one: their token still opens the chat.
	dial(t, n, in.ID).hello(chat.Hello{Token: tokens[0]})
	// An invalid token makes a new visitor, and counts.
	v = dial(t, n, in.ID)
	v.write(map[string]any{"type": "hello", "token": "forged", "last_id": 0})
	v.refused(chat.CodeTooManyVisitors)
}

func TestARateLimitedMessageSaysWhenToRetry(t *testing.T) {
	t.Parallel()
	e := setup(t)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	n := e.node(t, chat.Config{Store: e.store, Limiter: chat.LimiterConfig{Rate: 0.5, Burst: 1, Now: func() time.Time { return now }}})
	in := e.chatInbox(t, chat.Settings{})

	v := dial(t, n, in.ID)
	v.hello(chat.Hello{})
	v.say("m1", "first")
	v.send("m2", "second")
	f := v.expect("error")
	if f.Code != chat.CodeRateLimited || f.ClientID != "m2" || f.RetryAfter != 2 {
		t.Fatalf("error frame %+v, want rate_limited for m2 with retry_after 2", f)
	}
}

// TestClosingTheServerSaysGoingAway: a process shutting down closes its visitor sockets with
// 1001, which the widget answers by reconnecting at once (to another process).
func TestClosingTheServerSaysGoingAway(t *testing.T) {
	t.Parallel()
	e := setup(t)
	n := e.node(t, chat.Config{Store: e.store})
	in := e.chatInbox(t, chat.Settings{})
	v := dial(t, n, in.ID)
	v.hello(chat.Hello{})
	n.srv.Close()
	if code := v.closeCode(); code != websocket.CloseGoingAway {
		t.Fatalf("closed with %d, want 1001", code)
	}
}
