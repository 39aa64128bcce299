package slacktest

import (
	"encoding/json"
	"io"
	"testing"
	"time"
)

// Slack's worked example from "Verifying requests from Slack".
const (
	docSecret = "8f742231b10e8888abcd99yyyzzz85a5"
	docTS     = 1531420618
	docBody   = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	docSig    = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

func TestSignatureMatchesSlacksExample(t *testing.T) {
	if got := Signature(docSecret, time.Unix(docTS, 0), []byte(docBody)); got != docSig {
		t.Fatalf("Signature = %s, want %s", got, docSig)
	}
}

func TestRequestCarriesSignedBody(t *testing.T) {
	body := URLVerification("abc")
	r := Request("/webhooks/slack/events", docSecret, time.Unix(docTS, 0), body)
	SetRetry(r.Header, 2, "http_timeout")
	got, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(body) {
		t.Fatalf("body = %s", got)
	}
	if r.Header.Get("X-Slack-Request-Timestamp") != "1531420618" ||
		r.Header.Get("X-Slack-Signature") != Signature(docSecret, time.Unix(docTS, 0), body) ||
		r.Header.Get("X-Slack-Retry-Num") != "2" || r.Header.Get("X-Slack-Retry-Reason") != "http_timeout" {
		t.Fatalf("headers = %v", r.Header)
	}
}

func TestEventBuildersWriteSlacksShape(t *testing.T) {
	m := Message{Channel: "C1", User: "U1", Text: "new", TS: "1700000000.000001"}
	cases := map[string]struct {
		body []byte
		want map[string]any // fields of "event"
	}{
		"reply": {ThreadReply(m, "1699999999.000001", "U9"), map[string]any{
			"thread_ts": "1699999999.000001", "parent_user_id": "U9", "channel": "C1",
		}},
		"edit": {EditEvent(m, "old", "1700000001.000001"), map[string]any{
			"subtype": "message_changed", "ts": "1700000001.000001",
		}},
		"delete": {DeleteEvent(m, "1700000002.000001"), map[string]any{
			"subtype": "message_deleted", "deleted_ts": "1700000000.000001",
		}},
		"bot": {BotMessage(m, "B7", "zapier"), map[string]any{
			"subtype": "bot_message", "bot_id": "B7", "username": "zapier",
		}},
		"own": {OwnMessage(m, DefaultIdentity()), map[string]any{
			"user": "U0PARLEYBOT", "bot_id": "B0PARLEY", "app_id": "A0PARLEY",
		}},
	}
	for name, tc := range cases {
		var env struct {
			Type    string         `json:"type"`
			EventID string         `json:"event_id"`
			Event   map[string]any `json:"event"`
		}
		if err := json.Unmarshal(tc.body, &env); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if env.Type != "event_callback" || env.EventID == "" || env.Event["type"] != "message" {
			t.Errorf("%s: envelope = %+v", name, env)
		}
		for k, v := range tc.want {
			if env.Event[k] != v {
				t.Errorf("%s: event[%s] = %v, want %v", name, k, env.Event[k], v)
			}
		}
	}
}
