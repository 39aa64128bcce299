package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// The sandbox's Slack workspace, as auth.test and bots.info describe it.
const (
	slackTeam = "T0SANDBOX"
	slackBot  = "U0SANDBOXBOT"
	slackBot2 = "B0SANDBOX"
	slackApp  = "A0SANDBOX"
)

// slackRoutes answers Slack's Web API methods the Slack channel calls, in Slack's wire format:
// chat.postMessage (recorded), auth.test, bots.info, users.info (a made-up member),
// conversations.replies and .history (nothing posted is found, so an interrupted delivery
// posts again). Other methods answer unknown_method.
func (s *Sandbox) slackRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/{method}", s.slackMethod)
	mux.HandleFunc("GET /api/{method}", s.slackMethod)
}

func (s *Sandbox) slackMethod(w http.ResponseWriter, r *http.Request) {
	args, err := slackArgs(w, r)
	if err != nil {
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "invalid_form_data"})
		return
	}
	token := args.Get("token")
	if token == "" {
		token = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	}
	if token == "" {
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "not_authed"})
		return
	}
	args.Del("token")
	switch method := r.PathValue("method"); method {
	case "chat.postMessage":
		s.slackPost(w, r, args)
	case "auth.test":
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "url": "https://sandbox.slack.invalid/", "team": "Sandbox",
			"user": "parley", "team_id": slackTeam, "user_id": slackBot, "bot_id": slackBot2})
	case "bots.info":
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "bot": map[string]any{"id": slackBot2, "app_id": slackApp,
			"user_id": slackBot, "name": "parley", "deleted": false}})
	case "users.info":
		id := args.Get("user")
		name := "Slack member " + id
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "user": map[string]any{"id": id, "team_id": slackTeam,
			"name": strings.ToLower(id), "real_name": name, "is_bot": false,
			"profile": map[string]any{"real_name": name, "display_name": strings.ToLower(id)}}})
	case "conversations.replies", "conversations.history":
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "has_more": false, "messages": []any{}})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "unknown_method"})
	}
}

// slackPost records a chat.postMessage and answers with the new message's ts.
func (s *Sandbox) slackPost(w http.ResponseWriter, r *http.Request, args url.Values) {
	channel, text, thread := args.Get("channel"), args.Get("text"), args.Get("thread_ts")
	switch {
	case channel == "":
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "channel_not_found"})
		return
	case text == "" && args.Get("blocks") == "":
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "no_text"})
		return
	}
	dest := channel
	if thread != "" {
		dest += " (thread " + thread + ")"
	}
	e, err := s.store.Record(r.Context(), Entry{Channel: ChannelSlack, Request: "POST /api/chat.postMessage",
		Destination: dest, Summary: text, Payload: args.Encode()})
	if err != nil {
		s.log.Error("sandbox: slack", "err", err)
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "internal_error"})
		return
	}
	ts := fmt.Sprintf("%d.%06d", e.CreatedAt.Unix(), e.ID%1_000_000)
	msg := map[string]any{"type": "message", "text": text, "ts": ts, "user": slackBot, "bot_id": slackBot2,
		"app_id": slackApp, "team": slackTeam}
	if thread != "" {
		msg["thread_ts"] = thread
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "channel": channel, "ts": ts, "message": msg})
}

// slackArgs reads a method's arguments: a form (slack-go's way), JSON, or the query.
func slackArgs(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	args := r.URL.Query()
	if r.Method != http.MethodPost {
		return args, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequest))
	if err != nil {
		return nil, err
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, err
		}
		for k, v := range m {
			if str, ok := v.(string); ok {
				args.Set(k, str)
				continue
			}
			b, _ := json.Marshal(v)
			args.Set(k, string(b))
		}
		return args, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, err
	}
	for k, v := range form {
		args[k] = v
	}
	return args, nil
}
