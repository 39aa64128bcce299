package slack

import (
	"errors"
	"net/http"
	"testing"

	"github.com/parleyhq/parley/channels/slack/slacktest"
)

// FuzzParse feeds Parse arbitrary bodies: it must never panic, must refuse
// what it cannot read with a 400, and must never return a message without
// the channel and ts that identify it.
func FuzzParse(f *testing.F) {
	m := slacktest.Message{Channel: "C1", User: "U1", Text: "hi <@U2> &amp;", TS: "1700000000.000001"}
	for _, seed := range [][]byte{
		slacktest.URLVerification("challenge"),
		slacktest.MessageEvent(m),
		slacktest.ThreadReply(m, "1699999999.000001", "U2"),
		slacktest.EditEvent(m, "before", "1700000001.000001"),
		slacktest.DeleteEvent(m, "1700000002.000001"),
		slacktest.BotMessage(m, "B7", "bot"),
		slacktest.OwnMessage(m, slacktest.DefaultIdentity()),
		[]byte(`{"type":"event_callback","event":null}`),
		[]byte(`{"type":"event_callback","event":{"type":"message","message":null,"subtype":"message_changed"}}`),
		[]byte(`[]`),
		[]byte(`null`),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := Parse(body, self())
		if err != nil {
			var re *RequestError
			if !errors.As(err, &re) || re.Status != http.StatusBadRequest || !errors.Is(err, ErrMalformed) {
				t.Fatalf("err = %v, want a 400 ErrMalformed", err)
			}
			return
		}
		switch ev.Kind {
		case KindURLVerification:
			if ev.Challenge == "" {
				t.Fatal("url_verification without challenge")
			}
		case KindMessage, KindEdit, KindDelete:
			if ev.Channel == "" || ev.TS == "" {
				t.Fatalf("%s without channel or ts: %+v", ev.Kind, ev)
			}
			if ev.Kind != KindMessage && ev.TargetTS == "" {
				t.Fatalf("%s without target: %+v", ev.Kind, ev)
			}
			if ev.FromSelf {
				t.Fatalf("own message not ignored: %+v", ev)
			}
		case KindIgnored:
		default:
			t.Fatalf("unknown kind %q", ev.Kind)
		}
	})
}
