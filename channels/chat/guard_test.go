package chat_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/channels/chat"
)

func TestSocketRefusals(t *testing.T) {
	t.Parallel()
	e := setup(t)
	n := e.node(t, chat.Config{Store: e.store})
	in := e.chatInbox(t, chat.Settings{})
	off := e.chatInbox(t, chat.Settings{Origins: []string{shopOrigin, "https://other.example.com"}})
	if err := e.store.InTx(context.Background(), func(tx pgx.Tx) error {
		_, err := e.store.SetInboxDisabledTx(context.Background(), tx, off.ID, true)
		return err
	}); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name   string
		inbox  int64
		origin string
		status int
	}{
		{"origin not allowed", in.ID, "https://evil.example.com", http.StatusForbidden},
		{"no origin", in.ID, "", http.StatusForbidden},
		{"unknown inbox", in.ID + 100, shopOrigin, http.StatusNotFound},
		{"disabled inbox", off.ID, shopOrigin, http.StatusNotFound},
		{"no inbox id", 0, shopOrigin, http.StatusBadRequest},
	} {
		_, resp, err := tryDial(t, n, tc.inbox, tc.origin)
		if !errors.Is(err, websocket.ErrBadHandshake) || resp == nil || resp.StatusCode != tc.status {
			status := 0
			if resp != nil {
				status = resp.StatusCode
			}
			t.Errorf("%s: err %v, status %d; want the upgrade refused with %d", tc.name, err, status, tc.status)
		}
	}
}

func TestHelloFirst(t *testing.T) {
	t.Parallel()
	e := setup(t)
	n := e.node(t, chat.Config{Store: e.store})
	in := e.chatInbox(t, chat.Settings{})

	v := dial(t, n, in.ID)
	v.send("c1", "no hello")
	if f := v.expect("error"); f.Code != chat.CodeHelloFirst {
		t.Fatalf("error frame %+v, want hello_first", f)
	}
	if code := v.closeCode(); code != websocket.ClosePolicyViolation {
		t.Fatalf("closed with %d, want 1008", code)
	}

	v2 := dial(t, n, in.ID)
	v2.write(map[string]any{"type": "hello", "email": "not an address"})
	if f := v2.expect("error"); f.Code != chat.CodeInvalid {
		t.Fatalf("error frame %+v, want invalid", f)
	}
	if code := v2.closeCode(); code != websocket.ClosePolicyViolation {
		t.Fatalf("closed with %d, want 1008", code)
	}
}

func TestOversizedFrameClosesWith1009(t *testing.T) {
	t.Parallel()
	e := setup(t)
	n := e.node(t, chat.Config{Store: e.store})
	in := e.chatInbox(t, chat.Settings{})

	v := dial(t, n, in.ID)
	v.hello(chat.Hello{})
	big := `{"type":"message","client_id":"c1","text":"` + strings.Repeat("x", chat.MaxFrameBytes) + `"}`
	if err := v.conn.WriteMessage(websocket.TextMessage, []byte(big)); err != nil {
		t.Fatal(err)
	}
	if code := v.closeCode(); code != websocket.CloseMessageTooBig {
		t.Fatalf("closed with %d, want 1009", code)
	}
	var stored int
	if err := e.store.Pool().QueryRow(context.Background(), "SELECT count(*) FROM messages").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != 0 {
		t.Fatalf("%d messages stored from an oversized frame", stored)
	}
}

func TestFlooderIsRateLimitedAlone(t *testing.T) {
	t.Parallel()
	e := setup(t)
	// A frozen limiter clock: buckets never refill during the test.
	frozen := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	n := e.node(t, chat.Config{Store: e.store, Limiter: chat.LimiterConfig{Rate: 5, Burst: 10, Now: func() time.Time { return frozen }}})
	in := e.chatInbox(t, chat.Settings{})

	flooder := dial(t, n, in.ID)
	flooder.hello(chat.Hello{})
	const sent = 15
	for i := range sent {
		flooder.send("f"+string(rune('a'+i)), "spam")
	}
	acks, limited := map[int64]bool{}, 0
	for range sent {
		switch f := flooder.read(); {
		case f.Type == "message" && f.Direction == "inbound":
			acks[f.ID] = true
		case f.Type == "error" && f.Code == chat.CodeRateLimited && f.ClientID != "":
			limited++
		default:
			t.Fatalf("unexpected frame %+v", f)
		}
	}
	if len(acks) != 10 || limited != 5 {
		t.Fatalf("%d acknowledged, %d rate-limited; want 10 and 5", len(acks), limited)
	}

	calm := dial(t, n, in.ID)
	calm.hello(chat.Hello{})
	calm.say("c1", "Hello, I have a question")

	var stored int
	if err := e.store.Pool().QueryRow(context.Background(), "SELECT count(*) FROM messages WHERE text = 'spam'").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != 10 {
		t.Fatalf("%d flood messages stored, want 10", stored)
	}
}
