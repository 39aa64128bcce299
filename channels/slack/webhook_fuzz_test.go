package slack_test

import (
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parleyhq/parley/channels/slack"
	"github.com/parleyhq/parley/channels/slack/slacktest"
	"github.com/parleyhq/parley/internal/edgetest"
)

// FuzzEventsWebhook posts Events API requests built from arbitrary fields, signed as Slack
// signs them (v0 HMAC-SHA256 of the timestamp and body, X-Slack-Signature), to the events
// handler on a real database: never a 500; nothing stored unless answered 200; a customer's
// message answered 200 is stored exactly once. kind picks a message, a thread reply, an edit,
// a deletion, a file share or a bot's post.
func FuzzEventsWebhook(f *testing.F) {
	for _, s := range []struct {
		kind                                                byte
		event, user, channel, channelType, text, ts, thread string
	}{
		{0, "Ev1", "U1", "C1", "channel", "hello", "1700000000.000001", ""},
		{0, "Ev1", "U1", "C1", "channel", "hello again, same event", "1700000000.000001", ""},
		{1, "Ev2", "U1", "C1", "channel", "in the thread", "1700000001.000001", "1700000000.000001"},
		{0, "Ev\x00", "U\x00", "C\x00", "im\x00", "nul\x00text", "1700000002.00\x00", "17\x00"},
		{1, "Ev3", "U1", "C\x00", "channel", "reply", "1700000003.000001", "1700000000.00\x00"},
		{0, "Ev4", "\xff\xfe", "C\xc3\x28", "channel", "bad \xff utf8", "1700000004.000001", ""},
		{0, "Ev5", strings.Repeat("U", 10_000), strings.Repeat("C", 10_000), "channel", strings.Repeat("t", 70_000), "1700000005.000001", ""},
		{0, "Ev6", "U1", "C1", "channel", "x", "not a ts", ""},
		{0, "", "U1", "C1", "", "no event id", "", ""},
		{2, "Ev7", "U1", "C1", "channel", "edited\x00", "1700000000.000001", ""},
		{3, "Ev8", "U1", "C1", "channel", "", "1700000000.000001", ""},
		{4, "Ev9", "U1", "C1", "channel", "file", "1700000009.000001", ""},
		{4, "Ev10", "U1", "C1", "channel", "file\x00", "1700000010.000001", "\x00"},
		{5, "Ev11", "", "C1", "channel", "bot says", "1700000011.000001", ""},
	} {
		f.Add(s.kind, s.event, s.user, s.channel, s.channelType, s.text, s.ts, s.thread)
	}
	e := setup(f)
	f.Fuzz(func(t *testing.T, kind byte, event, user, channel, channelType, text, ts, thread string) {
		m := slacktest.Message{EventID: event, User: user, Channel: channel, ChannelType: channelType, Text: text, TS: ts}
		var body []byte
		switch kind % 6 {
		case 0:
			body = slacktest.MessageEvent(m)
		case 1:
			body = slacktest.ThreadReply(m, thread, "U2")
		case 2:
			body = slacktest.EditEvent(m, "before", thread)
		case 3:
			body = slacktest.DeleteEvent(m, thread)
		case 4:
			m.Files = []slacktest.File{{ID: thread, Name: text, Mimetype: thread, URL: e.fake.URL() + "/files/" + thread}}
			body = slacktest.FileShare(m)
		case 5:
			body = slacktest.BotMessage(m, "B7", user)
		}
		e.postEvent(t, body)
	})
}

// FuzzEventsWebhookBody posts arbitrary bodies, validly signed, to the events handler, with
// the same promise as FuzzEventsWebhook.
func FuzzEventsWebhookBody(f *testing.F) {
	m := customer("U1", "hi", "1700000000.000001")
	for _, seed := range [][]byte{
		slacktest.URLVerification("challenge"),
		slacktest.MessageEvent(m),
		slacktest.ThreadReply(m, "1699999999.000001", "U2"),
		slacktest.EditEvent(m, "before", "1700000001.000001"),
		slacktest.DeleteEvent(m, "1700000002.000001"),
		[]byte(strings.Replace(string(slacktest.MessageEvent(m)), `"hi"`, `"h\u0000i"`, 1)),
		[]byte(strings.Replace(string(slacktest.MessageEvent(m)), `"hi"`, "\"h\xffi\"", 1)),
		[]byte(strings.Replace(string(slacktest.MessageEvent(m)), `"hi"`, `7`, 1)),
		[]byte(strings.Replace(string(slacktest.MessageEvent(m)), `"C0SHARED"`, `{"id":"C1"}`, 1)),
		[]byte(`{"type":"event_callback","team_id":"T0PARLEY","api_app_id":"A0PARLEY","event":null}`),
		[]byte(`{"type":"url_verification","challenge":"\u0000"}`),
		[]byte(`[]`), []byte(`null`), {}, {0},
	} {
		f.Add(seed)
	}
	e := setup(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		e.postEvent(t, body)
	})
}

// postEvent posts body, signed, and checks the promise of the edge. A customer's message
// acknowledged is stored exactly once, unless its event id was handled before (Slack's
// redelivery, which changes nothing even when its message differs).
func (e *env) postEvent(t *testing.T, body []byte) {
	t.Helper()
	id := slacktest.DefaultIdentity()
	ev, err := slack.Parse(body, slack.Self{BotUserID: id.BotUserID, BotID: id.BotID, AppID: id.AppID})
	customers := err == nil && ev.Kind == slack.KindMessage && !ev.FromBot && !(ev.ExtShared && ev.UserTeam == id.TeamID)
	if customers && ev.EventID != "" {
		customers = e.count(t, `SELECT count(*) FROM slack_events WHERE event_id = $1`, ev.EventID) == 0
	}
	status, _ := edgetest.Check(t, e.messages, func() (int, string) {
		w := e.post(t, body)
		return w.Code, w.Body.String()
	}, func(status int) bool { return status == http.StatusOK })
	if status != http.StatusOK || !customers {
		return
	}
	ext := storable(ev.Channel) + ":" + storable(ev.TS)
	if n := e.count(t, `SELECT count(*) FROM messages WHERE channel = 'slack' AND external_id = $1`, ext); n != 1 {
		t.Fatalf("acknowledged message %q stored %d times", ext, n)
	}
}

// storable is s as the store keeps an external id: invalid UTF-8 replaced, NUL removed.
func storable(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.ReplaceAll(s, "\x00", "")
}

// messages counts the stored messages.
func (e *env) messages(t *testing.T) int {
	t.Helper()
	return e.count(t, `SELECT count(*) FROM messages`)
}
