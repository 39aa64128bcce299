package slacktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"time"
)

// Click describes a member's click on a Block Kit button, for BlockActions. Empty TeamID and
// UserTeam get the server's defaults.
type Click struct {
	TeamID      string // the workspace the app is installed in; default DefaultIdentity().TeamID
	User        string // the member who clicked, "U..."
	UserTeam    string // the member's workspace when it differs (Slack Connect)
	Channel     string // where the clicked message is
	MessageTS   string // the clicked message's ts
	ThreadTS    string // its thread's parent ts, when in a thread
	ActionID    string // the button's action_id
	Value       string // the button's value
	URL         string // a link button's URL
	ResponseURL string // where the app may answer the click (Server.ResponseURL)
}

// BlockActions is the form body Slack posts to the interactivity URL for a click: one field,
// "payload", holding the block_actions interaction as JSON.
func BlockActions(c Click) []byte {
	id := DefaultIdentity()
	if c.TeamID == "" {
		c.TeamID = id.TeamID
	}
	if c.UserTeam == "" {
		c.UserTeam = c.TeamID
	}
	action := map[string]any{
		"action_id": c.ActionID, "block_id": "b1", "type": "button", "action_ts": "1700000999.000001",
		"text": map[string]any{"type": "plain_text", "text": c.Value, "emoji": true},
	}
	put(action, "value", c.Value)
	put(action, "url", c.URL)
	container := map[string]any{"type": "message", "message_ts": c.MessageTS, "channel_id": c.Channel, "is_ephemeral": false}
	message := map[string]any{"type": "message", "user": id.BotUserID, "bot_id": id.BotID, "ts": c.MessageTS, "text": ""}
	if c.ThreadTS != "" {
		container["thread_ts"], message["thread_ts"] = c.ThreadTS, c.ThreadTS
	}
	p := map[string]any{
		"type":                  "block_actions",
		"user":                  map[string]any{"id": c.User, "username": "member", "name": "member", "team_id": c.UserTeam},
		"api_app_id":            id.AppID,
		"token":                 "Jhj5dZrVaK7ZwHHjRyZWjbDl",
		"container":             container,
		"trigger_id":            "1700000999.1.abcdef",
		"team":                  map[string]any{"id": c.TeamID, "domain": "parley-test"},
		"enterprise":            nil,
		"is_enterprise_install": false,
		"channel":               map[string]any{"id": c.Channel, "name": "support"},
		"message":               message,
		"state":                 map[string]any{"values": map[string]any{}},
		"response_url":          c.ResponseURL,
		"actions":               []any{action},
	}
	return []byte(url.Values{"payload": {string(mustJSON(p))}}.Encode())
}

// FormRequest builds an incoming form-encoded POST of body to target, signed with secret at
// ts, as Slack posts interactions.
func FormRequest(target, secret string, ts time.Time, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	Sign(r.Header, secret, ts, body)
	return r
}

// Response is one answer an app posted to a response_url.
type Response struct {
	URL             string
	Text            string
	ResponseType    string // "ephemeral" or "in_channel"
	ReplaceOriginal bool
}

// ResponseURL hands out a new response_url on the server, shaped like Slack's
// ("/actions/TEAM/ID/SECRET"); what is posted to it shows in Responses.
func (s *Server) ResponseURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks++
	return fmt.Sprintf("%s/actions/%s/%d/hook%06d", s.srv.URL, s.id.TeamID, 7000000+s.hooks, s.hooks)
}

// Responses returns what was posted to the server's response_urls, oldest first.
func (s *Server) Responses() []Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Response(nil), s.responses...)
}

// respond records a post to a response_url and answers as Slack does.
func (s *Server) respond(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Text            string `json:"text"`
		ResponseType    string `json:"response_type"`
		ReplaceOriginal bool   `json:"replace_original"`
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || r.Method != http.MethodPost || json.Unmarshal(raw, &body) != nil {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.responses = append(s.responses, Response{URL: s.srv.URL + r.URL.Path, Text: body.Text,
		ResponseType: body.ResponseType, ReplaceOriginal: body.ReplaceOriginal})
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}
