package slacktest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"
)

// Signature is Slack's v0 request signature of body sent at ts with the app's
// signing secret: "v0=" and the hex HMAC-SHA256 of "v0:{unix ts}:{body}".
func Signature(secret string, ts time.Time, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + strconv.FormatInt(ts.Unix(), 10) + ":"))
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// Sign sets the X-Slack-Request-Timestamp and X-Slack-Signature headers Slack
// sends with every Events API request.
func Sign(h http.Header, secret string, ts time.Time, body []byte) {
	h.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts.Unix(), 10))
	h.Set("X-Slack-Signature", Signature(secret, ts, body))
}

// SetRetry marks a request as Slack's num-th redelivery, with its reason
// ("http_timeout", "http_error", ...).
func SetRetry(h http.Header, num int, reason string) {
	h.Set("X-Slack-Retry-Num", strconv.Itoa(num))
	h.Set("X-Slack-Retry-Reason", reason)
}

// Request builds an incoming POST of body to target (a path such as
// "/webhooks/slack/events"), signed with secret at ts, for a handler under
// test. For a request over the network, use http.NewRequest and Sign.
func Request(target, secret string, ts time.Time, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	Sign(r.Header, secret, ts, body)
	return r
}

// URLVerification is the body Slack posts once to confirm the request URL;
// the app must echo challenge.
func URLVerification(challenge string) []byte {
	return mustJSON(map[string]any{
		"token":     "Jhj5dZrVaK7ZwHHjRyZWjbDl",
		"challenge": challenge,
		"type":      "url_verification",
	})
}

// Message describes a message in a channel for the event builders. Empty
// EventID, TeamID, ChannelType and TS get plausible defaults.
type Message struct {
	EventID     string // "Ev..."; default "Ev" + the message's ts digits
	TeamID      string // the workspace the app is installed in; default DefaultIdentity().TeamID
	UserTeam    string // the author's workspace, when it differs (Slack Connect)
	Channel     string
	ChannelType string // "channel", "group", "im", "mpim"; default "channel"
	User        string
	Text        string
	TS          string // default "1700000000.000001"
	ThreadTS    string // the parent's ts for a thread reply
	BotID       string // set for messages posted by a bot or app
	AppID       string // set for messages posted by an app
	Files       []File // files shared with the message (see Server.AddFile); FileShare sets the subtype
}

// withDefaults fills the zero fields of m.
func (m Message) withDefaults() Message {
	if m.TeamID == "" {
		m.TeamID = DefaultIdentity().TeamID
	}
	if m.ChannelType == "" {
		m.ChannelType = "channel"
	}
	if m.TS == "" {
		m.TS = "1700000000.000001"
	}
	if m.EventID == "" {
		m.EventID = "Ev" + digits(m.TS)
	}
	return m
}

// fields is the message object as Slack writes it inside an event.
func (m Message) fields() map[string]any {
	f := map[string]any{"type": "message", "text": m.Text, "ts": m.TS}
	put(f, "user", m.User)
	put(f, "team", m.TeamID)
	put(f, "thread_ts", m.ThreadTS)
	put(f, "bot_id", m.BotID)
	put(f, "app_id", m.AppID)
	if m.User != "" {
		team := m.UserTeam
		if team == "" {
			team = m.TeamID
		}
		f["user_team"], f["source_team"] = team, team
	}
	return f
}

// inner is the message as the inner event of a message.* subscription.
func (m Message) inner() map[string]any {
	f := m.fields()
	f["channel"], f["channel_type"], f["event_ts"] = m.Channel, m.ChannelType, m.TS
	return f
}

// envelope wraps an inner event in Slack's event_callback envelope.
func envelope(m Message, event map[string]any) []byte {
	return mustJSON(map[string]any{
		"token":      "Jhj5dZrVaK7ZwHHjRyZWjbDl",
		"team_id":    m.TeamID,
		"api_app_id": DefaultIdentity().AppID,
		"event":      event,
		"type":       "event_callback",
		"event_id":   m.EventID,
		"event_time": baseTS,
		"authorizations": []map[string]any{{
			"team_id": m.TeamID, "user_id": DefaultIdentity().BotUserID,
			"is_bot": true, "is_enterprise_install": false,
		}},
		"is_ext_shared_channel": m.UserTeam != "" && m.UserTeam != m.TeamID,
		"event_context":         "4-eyJldCI6Im1lc3NhZ2UifQ",
	})
}

// MessageEvent is the event_callback Slack posts for a new message (a thread
// reply when m.ThreadTS is set).
func MessageEvent(m Message) []byte {
	m = m.withDefaults()
	return envelope(m, m.inner())
}

// FileShare is the event for m sharing m.Files (subtype file_share).
func FileShare(m Message) []byte {
	m = m.withDefaults()
	event := m.inner()
	event["subtype"] = "file_share"
	files := make([]map[string]any, len(m.Files))
	for i, f := range m.Files {
		files[i] = map[string]any{"id": f.ID, "name": f.Name, "title": f.Name, "mimetype": f.Mimetype,
			"size": f.Size, "url_private": f.URL, "url_private_download": f.URL + "?download=1"}
	}
	event["files"] = files
	return envelope(m, event)
}

// ThreadReply is the event for m posted as a reply in the thread whose parent
// message, by parentUser, has ts parentTS.
func ThreadReply(m Message, parentTS, parentUser string) []byte {
	m.ThreadTS = parentTS
	m = m.withDefaults()
	event := m.inner()
	event["parent_user_id"] = parentUser
	return envelope(m, event)
}

// BotMessage is the event for a message posted by another integration
// (subtype bot_message, no user).
func BotMessage(m Message, botID, username string) []byte {
	m.User, m.BotID = "", botID
	m = m.withDefaults()
	event := m.inner()
	event["subtype"], event["username"] = "bot_message", username
	return envelope(m, event)
}

// OwnMessage is the event Slack echoes back for a message the app itself
// posted with its bot token: authored by the bot user, with bot_id, app_id
// and bot_profile.
func OwnMessage(m Message, id Identity) []byte {
	m.User, m.BotID, m.AppID, m.TeamID = id.BotUserID, id.BotID, id.AppID, id.TeamID
	m = m.withDefaults()
	event := m.inner()
	event["bot_profile"] = map[string]any{
		"id": id.BotID, "app_id": id.AppID, "name": "parley", "team_id": id.TeamID, "deleted": false,
	}
	return envelope(m, event)
}

// EditEvent is the message_changed event Slack posts when the author of m
// changes its text from previousText at editTS. m.TS is the edited
// message's ts.
func EditEvent(m Message, previousText, editTS string) []byte {
	if m.EventID == "" {
		m.EventID = "Ev" + digits(editTS)
	}
	m = m.withDefaults()
	edited := m.fields()
	edited["edited"] = map[string]any{"user": m.User, "ts": editTS}
	previous := m.fields()
	previous["text"] = previousText
	return envelope(m, map[string]any{
		"type": "message", "subtype": "message_changed", "hidden": true,
		"channel": m.Channel, "channel_type": m.ChannelType,
		"ts": editTS, "event_ts": editTS,
		"message": edited, "previous_message": previous,
	})
}

// DeleteEvent is the message_deleted event Slack posts when m is deleted at
// deleteTS.
func DeleteEvent(m Message, deleteTS string) []byte {
	if m.EventID == "" {
		m.EventID = "Ev" + digits(deleteTS)
	}
	m = m.withDefaults()
	previous := m.fields()
	return envelope(m, map[string]any{
		"type": "message", "subtype": "message_deleted", "hidden": true,
		"channel": m.Channel, "channel_type": m.ChannelType,
		"ts": deleteTS, "event_ts": deleteTS, "deleted_ts": m.TS,
		"previous_message": previous,
	})
}

// put sets f[k] when v is not empty, as Slack omits absent fields.
func put(f map[string]any, k, v string) {
	if v != "" {
		f[k] = v
	}
}

// digits keeps the decimal digits of s, turning a ts into an id suffix.
func digits(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			out = append(out, s[i])
		}
	}
	return string(out)
}

// mustJSON encodes v, which is always encodable here.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("slacktest: encode event: " + err.Error())
	}
	return b
}
