package chat

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/custtext"
	"github.com/parleyhq/parley/internal/httperr"
)

// TextsPrefix starts the keys of the customer texts (custtext) the widget shows; GET
// /chat/texts gives them without it.
const TextsPrefix = "widget."

// Texts is the answer of GET /chat/texts: the widget's words in Lang.
type Texts struct {
	// Lang is the language of Texts: the first of the browser's the inbox speaks when it
	// follows the browser, the inbox's own otherwise.
	Lang string `json:"lang"`
	// Texts are by key without TextsPrefix ("send"); placeholders are {name}.
	Texts map[string]string `json:"texts"`
}

// textsMaxAge is how long a browser may keep the texts: an admin's change shows within it.
const textsMaxAge = "60"

// serveTexts is GET /chat/texts?inbox=ID&lang=fr-FR,fr,en: the texts the widget shows, in the
// language the inbox speaks to this browser (lang is navigator.languages, best first), with the
// inbox's own wording where it has one. It answers 400 without a valid id and 404 for an
// unknown, disabled or non-chat inbox, which the widget takes as for good, and 503 while the
// database is down. Any page may read it: the widget's words are no secret, and the page's
// origin is checked where it matters, on the socket.
func (s *Server) serveTexts(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Vary", "Accept-Encoding")
	id, err := strconv.ParseInt(r.URL.Query().Get("inbox"), 10, 64)
	if err != nil || id <= 0 {
		httperr.Write(w, http.StatusBadRequest, "invalid", "inbox: want ?inbox=ID, the chat inbox's id")
		return
	}
	in, err := s.store.GetInbox(r.Context(), id)
	if err == nil && (in.Kind != inbox.ChannelChat || in.Disabled()) {
		err = inbox.ErrNotFound
	}
	var lang string
	if err == nil && in.FollowBrowserLanguage {
		lang, _ = custtext.Match(strings.Split(r.URL.Query().Get("lang"), ","))
	}
	var texts custtext.Set
	if err == nil {
		texts, err = s.store.InboxTexts(r.Context(), id, lang)
	}
	switch {
	case errors.Is(err, inbox.ErrNotFound):
		httperr.Write(w, http.StatusNotFound, "not_found", "no chat inbox "+strconv.FormatInt(id, 10))
		return
	case err != nil:
		s.log.Error("chat: texts", "inbox", id, "err", err)
		httperr.Failed(w, err)
		return
	}
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "public, max-age="+textsMaxAge)
	_ = json.NewEncoder(w).Encode(Texts{Lang: texts.Lang, Texts: texts.Prefixed(TextsPrefix)}) // a failed write: the client left
}
