package chat_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/channels/chat"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/httperr"
)

// disable turns inbox id off, as an admin would.
func disable(t *testing.T, e *env, id int64) {
	t.Helper()
	if err := e.store.InTx(context.Background(), func(tx pgx.Tx) error {
		_, err := e.store.SetInboxDisabledTx(context.Background(), tx, id, true)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// namedInbox creates a chat inbox called name: chatInbox names inboxes by their number of
// origins, and these tests need several with as many.
func namedInbox(t *testing.T, e *env, name string, s chat.Settings) inbox.Inbox {
	t.Helper()
	in, err := e.store.CreateInbox(context.Background(), inbox.NewInbox{Kind: inbox.ChannelChat, Name: name, Settings: s})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// check asks GET /chat/check for inbox as a page at origin ("" sends no Origin) and
// returns the status, the CORS header and the body.
func check(t *testing.T, n *node, inbox string, origin string) (int, string, []byte) {
	t.Helper()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	resp, body := get(t, n, "/chat/check?inbox="+inbox, h)
	return resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"), []byte(body)
}

func TestCheck(t *testing.T) {
	t.Parallel()
	e := setup(t)
	n := e.node(t, chat.Config{Store: e.store})
	in := e.chatInbox(t, chat.Settings{Origins: []string{shopOrigin}})
	off := namedInbox(t, e, "Off", chat.Settings{Origins: []string{shopOrigin}})
	disable(t, e, off.ID)
	id := strconv.FormatInt(in.ID, 10)

	status, cors, body := check(t, n, id, "https://SHOP.example.com:443")
	var ok chat.Check
	if err := json.Unmarshal(body, &ok); status != http.StatusOK || cors != "*" || err != nil ||
		ok != (chat.Check{InboxID: in.ID, Origin: shopOrigin}) {
		t.Fatalf("an allowed origin: %d, CORS %q, %s; want 200, *, the inbox and the origin", status, cors, body)
	}

	for _, tc := range []struct {
		name, inbox, origin string
		status              int
		code, says          string
	}{
		{"origin not allowed", id, "https://evil.example.com", http.StatusForbidden, chat.CodeOriginNotAllowed, "https://evil.example.com"},
		{"no origin", id, "", http.StatusForbidden, chat.CodeOriginNotAllowed, "(none)"},
		{"unknown inbox", strconv.FormatInt(in.ID+100, 10), shopOrigin, http.StatusNotFound, "not_found", "no chat inbox"},
		{"disabled inbox", strconv.FormatInt(off.ID, 10), shopOrigin, http.StatusNotFound, "not_found", "no chat inbox"},
		{"no inbox id", "x", shopOrigin, http.StatusBadRequest, "invalid", "inbox"},
	} {
		status, cors, body := check(t, n, tc.inbox, tc.origin)
		var b httperr.Body
		if err := json.Unmarshal(body, &b); err != nil || status != tc.status || cors != "*" ||
			b.Code != tc.code || !strings.Contains(b.Error, tc.says) {
			t.Errorf("%s: %d, CORS %q, %s; want %d, *, code %s saying %q", tc.name, status, cors, body, tc.status, tc.code, tc.says)
		}
	}
}

// TestSocketRefusesOriginLikeCheck: the socket's handshake refuses a page's origin with the
// same answer as GET /chat/check, which the widget reads instead.
func TestSocketRefusesOriginLikeCheck(t *testing.T) {
	t.Parallel()
	e := setup(t)
	n := e.node(t, chat.Config{Store: e.store})
	in := e.chatInbox(t, chat.Settings{Origins: []string{shopOrigin}})

	_, resp, err := tryDial(t, n, in.ID, "https://evil.example.com")
	if !errors.Is(err, websocket.ErrBadHandshake) || resp == nil {
		t.Fatalf("dial from a refused origin: %v", err)
	}
	sb, _ := io.ReadAll(resp.Body)
	status, _, cb := check(t, n, strconv.FormatInt(in.ID, 10), "https://evil.example.com")
	if resp.StatusCode != http.StatusForbidden || status != resp.StatusCode || string(sb) != string(cb) {
		t.Fatalf("socket %d %s, check %d %s: want the same 403", resp.StatusCode, sb, status, cb)
	}
}
