package slack_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/channels/slack"
	"github.com/parleyhq/parley/channels/slack/slacktest"
)

// FuzzInteractionsWebhook posts survey clicks built from arbitrary fields, signed as Slack
// signs them, to the interactivity handler on a real database with an open survey: never a
// 500; a refused click changes nothing (no score, no note to the member, no message); an
// acknowledged one stores no message and leaves the score unset or 1 to 5.
func FuzzInteractionsWebhook(f *testing.F) {
	for _, s := range []struct{ user, team, action, value, url string }{
		{"U0ADA", customerTeam, "parley_survey_4", "%d:4", ""},
		{"U0BOB", customerTeam, "parley_survey_2", "%d:2", ""},
		{"U0ADA", customerTeam, "parley_survey_9", "%d:9", ""},
		{"U0ADA", customerTeam, "parley_survey_4", "99999999999999999999:4", ""},
		{"U0ADA", customerTeam, "parley_survey_4", "-1:4", ""},
		{"U0ADA\x00", customerTeam + "\x00", "parley_survey_4", "%d:4", ""},
		{"U0ADA", customerTeam, "parley_survey_4\x00", "%d:4\x00", "https://hooks.slack.com/\x00"},
		{"\xff\xfe", "\xc3\x28", "parley_survey_\xff", "%d:\xff", "\xff"},
		{strings.Repeat("U", 10_000), customerTeam, "parley_survey_5", "%d:5", strings.Repeat("h", 10_000)},
		{"", "", "", "", ""},
		{"U0ADA", customerTeam, "open_conversation", "", "https://evil.example/x"},
	} {
		f.Add(s.user, s.team, s.action, s.value, s.url)
	}
	s := newSurveyed(f)
	f.Fuzz(func(t *testing.T, user, team, action, value, responseURL string) {
		value = strings.Replace(value, "%d", fmt.Sprint(s.survey), 1)
		if responseURL == "" {
			responseURL = s.fake.ResponseURL()
		}
		body := slacktest.BlockActions(slacktest.Click{User: user, UserTeam: team, Channel: "C0SHARED",
			MessageTS: s.post.TS, ThreadTS: s.root, ActionID: action, Value: value, ResponseURL: responseURL})
		before := s.state(t)
		w := s.send(t, slacktest.FormRequest(slack.InteractionsPath, signingSecret, time.Now(), body))
		after := s.state(t)
		switch {
		case w.Code >= 500:
			t.Fatalf("status %d: %s", w.Code, w.Body)
		case w.Code != http.StatusOK && after != before:
			t.Fatalf("refused with %d (%s), but %+v -> %+v", w.Code, w.Body, before, after)
		case after.messages != before.messages:
			t.Fatalf("a click stored a message: %+v -> %+v", before, after)
		case after.score != 0 && (after.score < 1 || after.score > 5):
			t.Fatalf("score %d", after.score)
		}
	})
}

// clickState is what a click may change.
type clickState struct{ score, notes, messages int }

func (s *surveyed) state(t *testing.T) clickState {
	t.Helper()
	var c clickState
	err := s.pool.QueryRow(context.Background(), `SELECT coalesce((SELECT score FROM surveys WHERE id = $1), 0),
		(SELECT count(*) FROM river_job WHERE kind = 'slack_respond'), (SELECT count(*) FROM messages)`, s.survey).
		Scan(&c.score, &c.notes, &c.messages)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
