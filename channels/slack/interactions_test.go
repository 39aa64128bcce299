package slack_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/channels/slack"
	"github.com/parleyhq/parley/channels/slack/slacktest"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/jobtest"
	"github.com/parleyhq/parley/workflow"
)

const surveyPrompt = "How did we do? Please rate the help you got from 1 (poor) to 5 (great)."

// surveyed is a customer's Slack conversation whose survey was posted with its buttons.
type surveyed struct {
	*env
	interactions *slack.Interactions
	conv         int64
	contact      int64
	survey       int64
	root         string // the customer's thread
	post         slacktest.Post
}

// newSurveyed has customer U0ADA write in a Slack Connect channel (and colleague U0BOB answer in
// the thread), then sends the conversation's survey, open for a week, through the Slack sender.
func newSurveyed(t testing.TB) *surveyed {
	t.Helper()
	ctx := context.Background()
	e := setup(t)
	s := &surveyed{env: e, root: "1700000100.000001"}
	jobs, err := workflow.NewEnqueuer(e.pool)
	if err != nil {
		t.Fatal(err)
	}
	s.interactions = slack.NewInteractions(slack.HandlerConfig{Store: e.store, Jobs: jobs,
		Surveys: workflow.NewSurveys(e.store), APIURL: e.fake.URL()})
	e.mustPost(t, slacktest.MessageEvent(customer("U0ADA", "Our export is stuck", s.root)))
	e.mustPost(t, slacktest.ThreadReply(customer("U0BOB", "same here", "1700000200.000001"), s.root, "U0ADA"))
	first := e.message(t, "C0SHARED:"+s.root)
	s.conv, s.contact = first.ConversationID, *first.ContactID

	hash := make([]byte, 32)
	_, _ = rand.Read(hash)
	err = e.pool.QueryRow(ctx, `INSERT INTO surveys (conversation_id, resolved_at, channel, token_hash, sent_at, expires_at)
		VALUES ($1, $2, 'slack', $3, $2, $4) RETURNING id`, s.conv, e.now, hash, e.now.Add(7*24*time.Hour)).Scan(&s.survey)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.store.Send(ctx, inbox.Reply{ConversationID: s.conv, Text: surveyPrompt, Auto: workflow.AutoSurvey,
		Metadata: map[string]any{"survey_id": s.survey, "survey_options": workflow.SurveyOptions, "survey_prompt": surveyPrompt}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.deliver(t, out.ID); err != nil {
		t.Fatalf("deliver the survey: %v", err)
	}
	posts := e.fake.Posts()
	if len(posts) != 1 {
		t.Fatalf("posts = %+v", posts)
	}
	s.post = posts[0]
	return s
}

// click posts a member's signed click on the survey's button for score.
func (s *surveyed) click(t testing.TB, user string, score int) *httptest.ResponseRecorder {
	t.Helper()
	return s.send(t, slacktest.FormRequest(slack.InteractionsPath, signingSecret, time.Now(), s.clickBody(user, score)))
}

func (s *surveyed) clickBody(user string, score int) []byte {
	return slacktest.BlockActions(slacktest.Click{User: user, UserTeam: customerTeam, Channel: "C0SHARED",
		MessageTS: s.post.TS, ThreadTS: s.root, ActionID: fmt.Sprintf("parley_survey_%d", score),
		Value: fmt.Sprintf("%d:%d", s.survey, score), ResponseURL: s.fake.ResponseURL()})
}

func (s *surveyed) send(t testing.TB, r *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	s.interactions.ServeHTTP(w, r)
	return w
}

// score returns the survey's recorded score (0 when unanswered) and the channel it came by.
func (s *surveyed) score(t testing.TB) (int, string) {
	t.Helper()
	var score *int
	var via string
	if err := s.pool.QueryRow(context.Background(), `SELECT score, answered_via FROM surveys WHERE id = $1`,
		s.survey).Scan(&score, &via); err != nil {
		t.Fatal(err)
	}
	if score == nil {
		return 0, via
	}
	return *score, via
}

// respond runs the slack_respond job that carries text and returns what reached the fake's
// response_urls.
func (s *surveyed) respond(t testing.TB, text string) []slacktest.Response {
	t.Helper()
	w := jobtest.New[slack.RespondArgs](t, s.pool, s.workers(t))
	if err := w.WorkJob(t, jobtest.JobID(t, s.pool, "slack_respond", map[string]any{"text": text}), 1); err != nil {
		t.Fatalf("respond: %v", err)
	}
	return s.fake.Responses()
}

func TestSurveyIsPostedWithFiveButtonsInTheThread(t *testing.T) {
	t.Parallel()
	s := newSurveyed(t)
	if s.post.Channel != "C0SHARED" || s.post.ThreadTS != s.root || s.post.Text != surveyPrompt {
		t.Fatalf("survey post = %+v, want the prompt in the customer's thread", s.post)
	}
	var blocks []struct {
		Type string `json:"type"`
		Text struct {
			Type, Text string
		} `json:"text"`
		Elements []struct {
			Type     string                `json:"type"`
			ActionID string                `json:"action_id"`
			Value    string                `json:"value"`
			Text     struct{ Text string } `json:"text"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(s.post.Blocks, &blocks); err != nil {
		t.Fatalf("blocks %s: %v", s.post.Blocks, err)
	}
	if len(blocks) != 2 || blocks[0].Type != "section" || blocks[0].Text.Text != surveyPrompt || blocks[1].Type != "actions" {
		t.Fatalf("blocks = %s, want the prompt's section and an actions block", s.post.Blocks)
	}
	if len(blocks[1].Elements) != 5 {
		t.Fatalf("%d buttons, want 5: %s", len(blocks[1].Elements), s.post.Blocks)
	}
	for i, b := range blocks[1].Elements {
		n := i + 1
		if b.Type != "button" || b.ActionID != fmt.Sprintf("parley_survey_%d", n) ||
			b.Value != fmt.Sprintf("%d:%d", s.survey, n) || b.Text.Text != fmt.Sprint(n) {
			t.Errorf("button %d = %+v", n, b)
		}
	}
}

func TestSurveyClickRecordsTheScoreAndALaterClickChangesIt(t *testing.T) {
	t.Parallel()
	s := newSurveyed(t)
	if w := s.click(t, "U0ADA", 4); w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Fatalf("click: %d %q, want 200 with an empty body", w.Code, w.Body)
	}
	if score, via := s.score(t); score != 4 || via != "slack" {
		t.Fatalf("score %d via %q, want 4 via slack", score, via)
	}
	got := s.respond(t, "Thank you! Your rating: 4 out of 5. You can change it while the survey is open.")
	if len(got) != 1 || got[0].ResponseType != "ephemeral" || got[0].ReplaceOriginal {
		t.Fatalf("responses = %+v, want one ephemeral note", got)
	}

	if w := s.click(t, "U0ADA", 2); w.Code != http.StatusOK {
		t.Fatalf("second click: %d %s", w.Code, w.Body)
	}
	if score, _ := s.score(t); score != 2 {
		t.Fatalf("score %d after a second click, want 2 (an open survey takes a changed answer)", score)
	}
	if n := s.count(t, `SELECT count(*) FROM messages WHERE conversation_id = $1`, s.conv); n != 3 {
		t.Fatalf("%d messages, want 3: a click is no message", n)
	}
}

func TestSurveyClickByAnotherMemberIsNotCounted(t *testing.T) {
	t.Parallel()
	s := newSurveyed(t)
	for _, user := range []string{"U0BOB", "U0STRANGER"} { // a colleague with a contact; a member without one
		if w := s.click(t, user, 1); w.Code != http.StatusOK {
			t.Fatalf("%s: %d %s, want 200", user, w.Code, w.Body)
		}
		if score, _ := s.score(t); score != 0 {
			t.Fatalf("%s's click recorded score %d on someone else's survey", user, score)
		}
	}
	if n := s.count(t, `SELECT count(*) FROM river_job WHERE kind = 'slack_respond'
		AND args->>'text' LIKE 'This survey was sent to someone else%'`); n != 2 {
		t.Fatalf("%d notes to the clicking members, want 2", n)
	}
}

func TestSurveyClickAfterItClosedIsAnsweredThroughResponseURL(t *testing.T) {
	t.Parallel()
	s := newSurveyed(t)
	s.now = s.now.Add(8 * 24 * time.Hour)
	if w := s.click(t, "U0ADA", 5); w.Code != http.StatusOK {
		t.Fatalf("click: %d %s", w.Code, w.Body)
	}
	if score, _ := s.score(t); score != 0 {
		t.Fatalf("a closed survey recorded score %d", score)
	}
	got := s.respond(t, "This survey has closed.")
	if len(got) != 1 || got[0].Text != "This survey has closed." || got[0].ResponseType != "ephemeral" ||
		!strings.Contains(got[0].URL, "/actions/") {
		t.Fatalf("responses = %+v", got)
	}
}

func TestInteractionRefusals(t *testing.T) {
	t.Parallel()
	s := newSurveyed(t)
	body := s.clickBody("U0ADA", 5)
	form := func(payload string) []byte { return []byte(url.Values{"payload": {payload}}.Encode()) }
	badValue := []byte(strings.Replace(string(body), fmt.Sprintf("%d%%3A5", s.survey), "x%3A5", -1))
	cases := map[string]struct {
		req  *http.Request
		want int
	}{
		"bad signature":   {slacktest.FormRequest(slack.InteractionsPath, "not-the-secret", time.Now(), body), http.StatusUnauthorized},
		"stale timestamp": {slacktest.FormRequest(slack.InteractionsPath, signingSecret, time.Now().Add(-6*time.Minute), body), http.StatusUnauthorized},
		"unsigned":        {httptest.NewRequest(http.MethodPost, slack.InteractionsPath, strings.NewReader(string(body))), http.StatusUnauthorized},
		"not json":        {slacktest.FormRequest(slack.InteractionsPath, signingSecret, time.Now(), form("{nope")), http.StatusBadRequest},
		"no payload":      {slacktest.FormRequest(slack.InteractionsPath, signingSecret, time.Now(), []byte("a=b")), http.StatusBadRequest},
		"no type":         {slacktest.FormRequest(slack.InteractionsPath, signingSecret, time.Now(), form(`{"user":{"id":"U0ADA"}}`)), http.StatusBadRequest},
		"bad value":       {slacktest.FormRequest(slack.InteractionsPath, signingSecret, time.Now(), badValue), http.StatusBadRequest},
		"oversized": {slacktest.FormRequest(slack.InteractionsPath, signingSecret, time.Now(),
			form(strings.Repeat("x", slack.MaxBodyBytes))), http.StatusRequestEntityTooLarge},
	}
	for name, tc := range cases {
		w := s.send(t, tc.req)
		var answer map[string]string
		if w.Code != tc.want || json.Unmarshal(w.Body.Bytes(), &answer) != nil || answer["error"] == "" {
			t.Errorf("%s: %d %s, want %d with a JSON error", name, w.Code, w.Body, tc.want)
		}
	}
	if !strings.Contains(s.send(t, slacktest.FormRequest(slack.InteractionsPath, signingSecret, time.Now(), badValue)).Body.String(), "not SURVEYID:SCORE") {
		t.Error("a malformed button value is refused without saying what is wrong")
	}
	if score, _ := s.score(t); score != 0 {
		t.Fatalf("a refused request recorded score %d", score)
	}
	if n := s.count(t, `SELECT count(*) FROM river_job WHERE kind = 'slack_respond'`); n != 0 {
		t.Fatalf("%d notes queued for refused requests", n)
	}
}

func TestAlertLinkClickIsOnlyAcknowledged(t *testing.T) {
	t.Parallel()
	s := newSurveyed(t)
	before := s.count(t, `SELECT count(*) FROM river_job`)
	body := slacktest.BlockActions(slacktest.Click{User: "U0AGENT", Channel: "C0ALERTS", MessageTS: "1700000500.000001",
		ActionID: "open_conversation", Value: "open", URL: "https://parley.example/inbox/1",
		ResponseURL: s.fake.ResponseURL()})
	w := s.send(t, slacktest.FormRequest(slack.InteractionsPath, signingSecret, time.Now(), body))
	if w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Fatalf("link click: %d %q, want 200 with an empty body", w.Code, w.Body)
	}
	if after := s.count(t, `SELECT count(*) FROM river_job`); after != before {
		t.Fatalf("a link click queued %d jobs", after-before)
	}
	if score, _ := s.score(t); score != 0 || len(s.fake.Responses()) != 0 {
		t.Fatal("a link click did more than acknowledge")
	}
}

func TestResponderPostsOnlyToSlack(t *testing.T) {
	t.Parallel()
	fake := slacktest.New(botToken)
	defer fake.Close()
	r := slack.NewResponder(fake.URL())
	err := r.SlackRespond(context.Background(), "http://169.254.169.254/latest/meta-data", "hi")
	var perm interface{ Temporary() bool }
	if err == nil || !errors.As(err, &perm) || perm.Temporary() {
		t.Fatalf("a foreign response_url: %v, want a permanent refusal", err)
	}
	if err := slack.NewResponder("").SlackRespond(context.Background(), fake.ResponseURL(), "hi"); err == nil {
		t.Fatal("without PARLEY_SLACK_API_URL, a response_url off hooks.slack.com was used")
	}
	if len(fake.Responses()) != 0 {
		t.Fatalf("responses = %+v", fake.Responses())
	}
}

// TestSurveyClickNoteInTheInboxLanguage: the note to a clicking member speaks the Slack inbox's
// language, with its own wording where it has one.
func TestSurveyClickNoteInTheInboxLanguage(t *testing.T) {
	t.Parallel()
	s := newSurveyed(t)
	ctx := context.Background()
	if err := s.store.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := s.store.SetInboxLanguageTx(ctx, tx, s.inbox.ID, "fr", false); err != nil {
			return err
		}
		_, _, err := s.store.SetTextTx(ctx, tx, s.inbox.ID, "fr", "slack.not_yours", "Ce sondage n’est pas le vôtre.")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if w := s.click(t, "U0ADA", 4); w.Code != http.StatusOK {
		t.Fatalf("click: %d %s", w.Code, w.Body)
	}
	if got := s.respond(t, "Merci ! Votre note : 4 sur 5. Vous pouvez la modifier tant que l’enquête est ouverte."); len(got) != 1 {
		t.Fatalf("responses = %+v", got)
	}
	if w := s.click(t, "U0BOB", 1); w.Code != http.StatusOK {
		t.Fatalf("click: %d %s", w.Code, w.Body)
	}
	if n := s.count(t, `SELECT count(*) FROM river_job WHERE kind = 'slack_respond' AND args->>'text' = 'Ce sondage n’est pas le vôtre.'`); n != 1 {
		t.Fatalf("%d overridden French notes, want 1", n)
	}
}
