package slack_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/parleyhq/parley/channels/slack"
	"github.com/parleyhq/parley/channels/slack/slacktest"
)

// BenchmarkEventsWebhook measures one customer message through POST /webhooks/slack/events:
// inbox lookup, signature check, parse, and the transaction that records the event id, ingests
// the message with its thread and, for the new contact, enqueues the profile job. Slack wants
// an answer within three seconds.
func BenchmarkEventsWebhook(b *testing.B) {
	e := setup(b)
	for i := 0; b.Loop(); i++ {
		m := customer(fmt.Sprintf("U%07d", i), "my export is stuck", fmt.Sprintf("1700%06d.000001", i))
		body := slacktest.MessageEvent(m)
		r := slacktest.Request(slack.EventsPath, signingSecret, time.Now(), body)
		w := httptest.NewRecorder()
		e.handler.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkSurveyClick measures one click on a survey button through
// POST /webhooks/slack/interactions: inbox lookup, signature check, parse, the member's contact,
// the transaction that records the score (and announces it), and the one that queues the note to
// the member. Slack wants an answer within three seconds.
func BenchmarkSurveyClick(b *testing.B) {
	s := newSurveyed(b)
	for i := 0; b.Loop(); i++ {
		if w := s.click(b, "U0ADA", 1+i%5); w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
