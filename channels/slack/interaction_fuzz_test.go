package slack

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parleyhq/parley/channels/slack/slacktest"
)

// FuzzParseInteraction feeds ParseInteraction arbitrary bodies: it must never panic, must
// refuse what it cannot read with a 400, and must never return a click without the member who
// made it; a survey button's value must parse or be refused, never give a score outside 1-5.
func FuzzParseInteraction(f *testing.F) {
	for _, seed := range [][]byte{
		slacktest.BlockActions(slacktest.Click{User: "U1", Channel: "C1", MessageTS: "1700000000.000100",
			ActionID: "parley_survey_4", Value: "12:4", ResponseURL: "https://hooks.slack.com/actions/T1/1/x"}),
		slacktest.BlockActions(slacktest.Click{User: "U1", ActionID: "open_conversation", URL: "https://x.example/"}),
		[]byte(url.Values{"payload": {`{"type":"shortcut"}`}}.Encode()),
		[]byte(url.Values{"payload": {`{"type":"block_actions","actions":null}`}}.Encode()),
		[]byte("payload=%zz"),
		[]byte("payload=null"),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := ParseInteraction(body)
		if err != nil {
			var re *RequestError
			if !errors.As(err, &re) || re.Status != http.StatusBadRequest || !errors.Is(err, ErrMalformed) {
				t.Fatalf("err = %v, want a 400 ErrMalformed", err)
			}
			return
		}
		if in.Type == "" {
			t.Fatal("an interaction without a type")
		}
		if in.Type != InteractionBlockActions {
			return
		}
		if in.User == "" || in.UserTeam == "" || len(in.Actions) == 0 {
			t.Fatalf("block_actions without member or actions: %+v", in)
		}
		for _, a := range in.Actions {
			if !strings.HasPrefix(a.ActionID, SurveyActionPrefix) {
				continue
			}
			if c, err := parseSurveyClick(a.ActionID, a.Value); err == nil && (c.score < 1 || c.score > 5 || c.surveyID <= 0) {
				t.Fatalf("click %+v from %+v", c, a)
			}
		}
	})
}
