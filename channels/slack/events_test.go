package slack

import (
	"errors"
	"net/http"
	"reflect"
	"testing"

	"github.com/parleyhq/parley/channels/slack/slacktest"
)

// self is the identity slacktest's events are addressed to.
func self() Self {
	id := slacktest.DefaultIdentity()
	return Self{BotUserID: id.BotUserID, BotID: id.BotID, AppID: id.AppID}
}

func TestParseURLVerification(t *testing.T) {
	ev, err := Parse(slacktest.URLVerification("3eZbrw1aBm2rZgRNFdxV"), self())
	if err != nil {
		t.Fatal(err)
	}
	if ev.Kind != KindURLVerification || ev.Challenge != "3eZbrw1aBm2rZgRNFdxV" {
		t.Fatalf("event = %+v", ev)
	}
}

func TestParseMessage(t *testing.T) {
	body := slacktest.MessageEvent(slacktest.Message{
		EventID: "Ev1", Channel: "C1", ChannelType: "im", User: "U1",
		Text: "my order is late", TS: "1700000000.000001",
	})
	ev, err := Parse(body, self())
	if err != nil {
		t.Fatal(err)
	}
	want := Event{
		Kind: KindMessage, EventID: "Ev1", TeamID: "T0PARLEY",
		Channel: "C1", ChannelType: "im", User: "U1", UserTeam: "T0PARLEY",
		Text: "my order is late", TS: "1700000000.000001",
	}
	if !reflect.DeepEqual(ev, want) {
		t.Fatalf("event = %+v\nwant    %+v", ev, want)
	}
	if ev.Address() != "T0PARLEY:U1" || ev.IsReply() {
		t.Fatalf("address %q, reply %v", ev.Address(), ev.IsReply())
	}
}

func TestParseThreadReply(t *testing.T) {
	body := slacktest.ThreadReply(slacktest.Message{
		Channel: "C1", User: "U1", Text: "any news?", TS: "1700000050.000001",
	}, "1700000000.000001", "U0PARLEYBOT")
	ev, err := Parse(body, self())
	if err != nil {
		t.Fatal(err)
	}
	if ev.Kind != KindMessage || ev.ThreadTS != "1700000000.000001" || !ev.IsReply() || ev.Text != "any news?" {
		t.Fatalf("event = %+v", ev)
	}
}

func TestParseSlackConnectAuthor(t *testing.T) {
	body := slacktest.MessageEvent(slacktest.Message{
		Channel: "C1", User: "U9", UserTeam: "T0CUSTOMER", Text: "hi from a partner",
	})
	ev, err := Parse(body, self())
	if err != nil {
		t.Fatal(err)
	}
	if ev.TeamID != "T0PARLEY" || ev.UserTeam != "T0CUSTOMER" || ev.Address() != "T0CUSTOMER:U9" {
		t.Fatalf("event = %+v, address %q", ev, ev.Address())
	}
}

func TestParseEdit(t *testing.T) {
	m := slacktest.Message{Channel: "C1", User: "U1", UserTeam: "T0CUSTOMER", Text: "order 42", TS: "1700000000.000001"}
	ev, err := Parse(slacktest.EditEvent(m, "order 24", "1700000100.000001"), self())
	if err != nil {
		t.Fatal(err)
	}
	if ev.Kind != KindEdit || ev.TargetTS != "1700000000.000001" || ev.TS != "1700000100.000001" ||
		ev.Text != "order 42" || ev.Address() != "T0CUSTOMER:U1" {
		t.Fatalf("event = %+v", ev)
	}
}

func TestParseEditWithSameTextIsIgnored(t *testing.T) {
	m := slacktest.Message{Channel: "C1", User: "U1", Text: "see https://example.com"}
	ev, err := Parse(slacktest.EditEvent(m, "see https://example.com", "1700000100.000001"), self())
	if err != nil {
		t.Fatal(err)
	}
	if ev.Kind != KindIgnored || ev.Reason != "text unchanged" {
		t.Fatalf("event = %+v", ev)
	}
}

func TestParseDelete(t *testing.T) {
	m := slacktest.Message{Channel: "C1", User: "U1", Text: "oops", TS: "1700000000.000001", ThreadTS: "1699999999.000001"}
	ev, err := Parse(slacktest.DeleteEvent(m, "1700000200.000001"), self())
	if err != nil {
		t.Fatal(err)
	}
	if ev.Kind != KindDelete || ev.TargetTS != "1700000000.000001" || ev.TS != "1700000200.000001" ||
		ev.User != "U1" || ev.ThreadTS != "1699999999.000001" {
		t.Fatalf("event = %+v", ev)
	}
}

func TestParseOwnMessagesAreIgnored(t *testing.T) {
	id := slacktest.DefaultIdentity()
	m := slacktest.Message{Channel: "C1", Text: "Thanks, we are on it", TS: "1700000000.000100"}
	own := slacktest.OwnMessage(m, id)
	cases := map[string]struct {
		body []byte
		self Self
	}{
		"full identity":         {own, self()},
		"bot user only":         {own, Self{BotUserID: id.BotUserID}},
		"bot id only":           {own, Self{BotID: id.BotID}},
		"no identity: envelope": {own, Self{}},
		"own edit": {slacktest.EditEvent(slacktest.Message{
			Channel: "C1", User: id.BotUserID, BotID: id.BotID, Text: "b"}, "a", "1700000001.000001"), self()},
		"own delete": {slacktest.DeleteEvent(slacktest.Message{
			Channel: "C1", User: id.BotUserID, BotID: id.BotID, Text: "b"}, "1700000001.000001"), self()},
	}
	for name, tc := range cases {
		ev, err := Parse(tc.body, tc.self)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if ev.Kind != KindIgnored || !ev.FromSelf || ev.Reason != "own message" {
			t.Errorf("%s: event = %+v", name, ev)
		}
	}
}

func TestParseOtherBotsMessage(t *testing.T) {
	m := slacktest.Message{Channel: "C1", Text: "New lead: ACME"}
	ev, err := Parse(slacktest.BotMessage(m, "B7", "zapier"), self())
	if err != nil {
		t.Fatal(err)
	}
	if ev.Kind != KindMessage || !ev.FromBot || ev.FromSelf || ev.BotID != "B7" || ev.Address() != "" {
		t.Fatalf("event = %+v", ev)
	}
}

func TestParseIgnores(t *testing.T) {
	cases := map[string]struct {
		body   string
		reason string
	}{
		"reaction": {`{"type":"event_callback","team_id":"T1","event_id":"Ev1",
			"event":{"type":"reaction_added","user":"U1","reaction":"+1"}}`, "event reaction_added"},
		"channel join": {`{"type":"event_callback","team_id":"T1","event_id":"Ev1",
			"event":{"type":"message","subtype":"channel_join","channel":"C1","user":"U1","ts":"1.1"}}`, "subtype channel_join"},
		"app rate limited": {`{"type":"app_rate_limited","team_id":"T1","minute_rate_limited":1518467820}`,
			"envelope app_rate_limited"},
		"no author": {`{"type":"event_callback","team_id":"T1","event_id":"Ev1",
			"event":{"type":"message","channel":"C1","ts":"1.1","text":"?"}}`, "no author"},
	}
	for name, tc := range cases {
		ev, err := Parse([]byte(tc.body), self())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if ev.Kind != KindIgnored || ev.Reason != tc.reason {
			t.Errorf("%s: event = %+v, want ignored for %q", name, ev, tc.reason)
		}
	}
}

func TestParseMalformed(t *testing.T) {
	for name, body := range map[string]string{
		"not json":                  `hello`,
		"truncated":                 `{"type":"event_callback","event":{"type":"mess`,
		"callback without event":    `{"type":"event_callback","team_id":"T1"}`,
		"challenge missing":         `{"type":"url_verification"}`,
		"text not a string":         `{"type":"event_callback","event":{"type":"message","channel":"C1","ts":"1.1","text":5}}`,
		"message without channel":   `{"type":"event_callback","event":{"type":"message","user":"U1","ts":"1.1"}}`,
		"edit without message":      `{"type":"event_callback","event":{"type":"message","subtype":"message_changed","channel":"C1","ts":"1.1"}}`,
		"delete without deleted_ts": `{"type":"event_callback","event":{"type":"message","subtype":"message_deleted","channel":"C1","ts":"1.1"}}`,
	} {
		_, err := Parse([]byte(body), self())
		var re *RequestError
		if !errors.As(err, &re) || re.Status != http.StatusBadRequest || !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v, want 400 ErrMalformed", name, err)
		}
	}
}
