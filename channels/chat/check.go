package chat

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/httperr"
)

// CodeOriginNotAllowed is the code of the 403 that GET /chat/check and GET /chat/ws answer
// when the page's origin is not among the inbox's allowed origins.
const CodeOriginNotAllowed = "origin_not_allowed"

// Check is the answer of GET /chat/check when the page may chat.
type Check struct {
	InboxID int64  `json:"inbox_id"`
	Origin  string `json:"origin"` // the page's origin, as the server read it
}

// chatInbox loads the chat inbox of ?inbox=ID for a visitor request and checks the page's
// Origin against it. When the request may not go on it answers, as JSON (httperr), 400
// without a valid id, 404 for an unknown, disabled or non-chat inbox, 403
// (CodeOriginNotAllowed) for an origin the inbox does not allow and 503 or 500 when the
// database fails, and reports false.
func (s *Server) chatInbox(w http.ResponseWriter, r *http.Request) (inbox.Inbox, bool) {
	id, err := strconv.ParseInt(r.URL.Query().Get("inbox"), 10, 64)
	if err != nil || id <= 0 {
		httperr.Write(w, http.StatusBadRequest, "invalid", "inbox: want ?inbox=ID, the chat inbox's id")
		return inbox.Inbox{}, false
	}
	in, err := s.store.GetInbox(r.Context(), id)
	var settings Settings
	if err == nil {
		settings, err = inboxSettings(in)
	}
	if err == nil && in.Disabled() { // an admin turned the chat off: as if it did not exist
		err = inbox.ErrNotFound
	}
	if errors.Is(err, inbox.ErrNotFound) {
		httperr.Write(w, http.StatusNotFound, "not_found", "no chat inbox "+strconv.FormatInt(id, 10))
		return inbox.Inbox{}, false
	}
	if err != nil {
		s.log.Error("chat: inbox", "inbox", id, "err", err)
		if httperr.Unavailable(err) { // the database is down: the widget retries
			httperr.WriteUnavailable(w)
			return inbox.Inbox{}, false
		}
		httperr.Write(w, http.StatusInternalServerError, "internal", "could not load the inbox")
		return inbox.Inbox{}, false
	}
	if origin := r.Header.Get("Origin"); !AllowedOrigin(settings.Origins, origin) {
		if origin == "" {
			origin = "(none)"
		}
		httperr.Write(w, http.StatusForbidden, CodeOriginNotAllowed,
			"chat inbox "+strconv.FormatInt(id, 10)+" does not allow the origin "+origin+
				"; an administrator can add it to the inbox's allowed origins")
		return inbox.Inbox{}, false
	}
	return in, true
}

// serveCheck is GET /chat/check?inbox=ID: may the page that asks (its Origin) chat with the
// inbox? The widget asks when its socket fails before opening, because a browser hides a
// refused WebSocket handshake from scripts. It answers 200 with a Check, or what chatInbox
// refuses with: a 403 (code origin_not_allowed), 404 or 400 is for good and the widget
// stops; a 503 is not. Any page may read the answer (Access-Control-Allow-Origin: *): it
// tells only what the socket's refusal would.
func (s *Server) serveCheck(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	in, ok := s.chatInbox(w, r)
	if !ok {
		return
	}
	origin, _ := canonicalOrigin(r.Header.Get("Origin"))
	h.Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(Check{InboxID: in.ID, Origin: origin}) // a failed write: the client left
}
