package slacktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
)

// baseTS is the first second of the timestamps chat.postMessage hands out.
const baseTS = 1700000000

// readArgs decodes a Web API call's arguments from a form body, a JSON body
// or the query string. Non-string JSON values (blocks) are kept as raw JSON.
func readArgs(r *http.Request) (map[string]string, error) {
	args := make(map[string]string)
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ctype == "application/json" {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			return nil, fmt.Errorf("slacktest: read body: %w", err)
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(body, &fields); err != nil {
			return nil, fmt.Errorf("slacktest: decode json: %w", err)
		}
		for k, raw := range fields {
			var s string
			if json.Unmarshal(raw, &s) == nil {
				args[k] = s
			} else {
				args[k] = string(raw)
			}
		}
		return args, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, fmt.Errorf("slacktest: parse form: %w", err)
	}
	for k := range r.Form {
		args[k] = r.Form.Get(k)
	}
	return args, nil
}

// authTest answers auth.test for the bot token.
func (s *Server) authTest(w http.ResponseWriter) {
	writeJSON(w, http.StatusOK, map[string]any{
		"ok":      true,
		"url":     "https://parley-test.slack.com/",
		"team":    "Parley Test",
		"user":    "parley",
		"team_id": s.id.TeamID,
		"user_id": s.id.BotUserID,
		"bot_id":  s.id.BotID,
	})
}

// botsInfo answers bots.info for the server's own bot.
func (s *Server) botsInfo(w http.ResponseWriter, args map[string]string) {
	if args["bot"] != s.id.BotID {
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "bot_not_found"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"ok": true,
		"bot": map[string]any{
			"id": s.id.BotID, "app_id": s.id.AppID, "user_id": s.id.BotUserID,
			"name": "parley", "deleted": false,
		},
	})
}

// usersInfo answers users.info from the registered users.
func (s *Server) usersInfo(w http.ResponseWriter, args map[string]string) {
	s.mu.Lock()
	u, ok := s.users[args["user"]]
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "user_not_found"})
		return
	}
	team := u.TeamID
	if team == "" {
		team = s.id.TeamID
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"ok": true,
		"user": map[string]any{
			"id": u.ID, "team_id": team, "name": u.Name, "real_name": u.RealName,
			"deleted": false, "is_bot": u.IsBot,
			"profile": map[string]any{
				"real_name": u.RealName, "display_name": u.Name, "email": u.Email, "team": team,
			},
		},
	})
}

// postMessage records a chat.postMessage call and answers with its new ts.
func (s *Server) postMessage(w http.ResponseWriter, args map[string]string) {
	p := Post{Channel: args["channel"], Text: args["text"], ThreadTS: args["thread_ts"]}
	if raw := args["blocks"]; raw != "" {
		var blocks []json.RawMessage
		if json.Unmarshal([]byte(raw), &blocks) != nil {
			writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "invalid_blocks"})
			return
		}
		var compact bytes.Buffer
		_ = json.Compact(&compact, []byte(raw))
		p.Blocks = compact.Bytes()
	}
	if raw := args["metadata"]; raw != "" {
		p.Metadata = &Metadata{}
		if json.Unmarshal([]byte(raw), p.Metadata) != nil || p.Metadata.EventType == "" {
			writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "invalid_metadata_format"})
			return
		}
	}
	switch {
	case p.Channel == "":
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "channel_not_found"})
		return
	case p.Text == "" && p.Blocks == nil:
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "no_text"})
		return
	}
	s.mu.Lock()
	n := len(s.posts) + 1
	p.TS = fmt.Sprintf("%d.%06d", baseTS+n*100/1e6, n*100%1e6)
	s.posts = append(s.posts, p)
	s.mu.Unlock()

	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "channel": p.Channel, "ts": p.TS, "message": s.message(p, false)})
}

// message is a post as the Web API shows it; metadata only when asked for, as Slack does.
func (s *Server) message(p Post, withMetadata bool) map[string]any {
	msg := map[string]any{
		"type": "message", "text": p.Text, "ts": p.TS,
		"user": s.id.BotUserID, "bot_id": s.id.BotID, "app_id": s.id.AppID, "team": s.id.TeamID,
	}
	if p.ThreadTS != "" {
		msg["thread_ts"] = p.ThreadTS
	}
	if withMetadata && p.Metadata != nil {
		msg["metadata"] = p.Metadata
	}
	return msg
}

// replies answers conversations.replies: the thread's parent, then the posts in the thread,
// oldest first, in one page. The fake knows only its own posts, so a parent it did not post
// (a customer's message) is shown by its ts alone.
func (s *Server) replies(w http.ResponseWriter, args map[string]string) {
	channel, ts := args["channel"], args["ts"]
	if channel == "" || ts == "" {
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "invalid_arguments"})
		return
	}
	meta := args["include_all_metadata"] == "1" || args["include_all_metadata"] == "true"
	parent := map[string]any{"type": "message", "ts": ts, "thread_ts": ts}
	var thread []map[string]any
	for _, p := range s.Posts() {
		switch {
		case p.Channel == channel && p.TS == ts:
			parent = s.message(p, meta)
			parent["thread_ts"] = ts
		case p.Channel == channel && p.ThreadTS == ts:
			thread = append(thread, s.message(p, meta))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "has_more": false,
		"messages": append([]map[string]any{parent}, thread...)})
}

// history answers conversations.history: the channel's top-level posts, newest first, in one
// page. oldest and latest are not applied: the fake's timestamps are not wall-clock times.
func (s *Server) history(w http.ResponseWriter, args map[string]string) {
	channel := args["channel"]
	if channel == "" {
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "channel_not_found"})
		return
	}
	meta := args["include_all_metadata"] == "1" || args["include_all_metadata"] == "true"
	posts := s.Posts()
	msgs := []map[string]any{}
	for i := len(posts) - 1; i >= 0; i-- {
		if p := posts[i]; p.Channel == channel && p.ThreadTS == "" {
			msgs = append(msgs, s.message(p, meta))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "has_more": false, "messages": msgs})
}
