package workflow

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// resolveBy has an agent reply and resolve, then works the jobs that causes.
func (env *slaEnv) resolveBy(conv int64, agent inbox.Agent) {
	env.t.Helper()
	if _, err := env.store.Send(context.Background(), inbox.Reply{ConversationID: conv, Author: inbox.Actor{AgentID: agent.ID},
		Text: "Done!", SetStatus: inbox.StatusResolved}); err != nil {
		env.t.Fatal(err)
	}
	env.runDue()
}

// surveyMessage returns the survey message of a conversation.
func (env *slaEnv) surveyMessage(conv int64) inbox.Message {
	env.t.Helper()
	msgs, err := env.store.Messages(context.Background(), conv, 0, 0)
	if err != nil {
		env.t.Fatal(err)
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Auto == AutoSurvey {
			return msgs[i]
		}
	}
	env.t.Fatalf("conversation %d has no survey", conv)
	return inbox.Message{}
}

func TestSurveyByEmailLink(t *testing.T) {
	env := newSLAEnv(t)
	ctx := context.Background()
	alice := env.agent("alice", inbox.RoleAgent)
	res, err := env.store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelEmail, ExternalID: "<m1@example.net>",
		From: inbox.Identity{Kind: inbox.IdentityEmail, Address: "dana@example.net", Verified: true}, Subject: "Broken", Text: "It broke."})
	if err != nil {
		t.Fatal(err)
	}
	env.resolveBy(res.ConversationID, alice)
	m := env.surveyMessage(res.ConversationID)
	link, _ := m.Metadata["survey_url"].(string)
	token, ok := strings.CutPrefix(link, "https://help.example.com/survey/")
	if !ok || len(token) < 30 || !strings.Contains(m.Text, link) || !strings.Contains(m.HTML, link+"?score=5") || m.Channel != inbox.ChannelEmail {
		t.Fatalf("email survey %q (html %q, link %q), want the form link", m.Text, m.HTML, link)
	}
	if n := env.count(`SELECT count(*) FROM surveys WHERE token_hash = $1`, []byte(token)); n != 0 {
		t.Fatal("the token is stored in the clear")
	}

	sv, err := env.surveys.ByToken(ctx, token)
	if err != nil || sv.Score != nil || sv.ConversationID != res.ConversationID || sv.Subject != "Broken" || !sv.SLAMet {
		t.Fatalf("ByToken = %+v, %v; want the unanswered survey", sv, err)
	}
	if *sv.ResolvedBy != alice.ID {
		t.Fatalf("resolved by %d, want alice", *sv.ResolvedBy)
	}
	sv, err = env.surveys.AnswerToken(ctx, token, 5, " Quick and kind ")
	if err != nil || *sv.Score != 5 || sv.Comment != "Quick and kind" || sv.AnsweredVia != "form" {
		t.Fatalf("AnswerToken = %+v, %v", sv, err)
	}
	sv, err = env.surveys.AnswerToken(ctx, token, 4, "")
	if err != nil || *sv.Score != 4 || sv.Comment != "Quick and kind" {
		t.Fatalf("a changed score = %+v, %v; want 4 keeping the comment", sv, err)
	}
	if _, err := env.surveys.ByToken(ctx, "not-a-token"); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("unknown token: %v, want ErrNotFound", err)
	}
	if _, err := env.surveys.AnswerToken(ctx, token, 6, ""); !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("score 6: %v, want ErrInvalid", err)
	}
	if _, err := env.surveys.Answer(ctx, SurveyAnswer{SurveyID: sv.ID, ContactID: res.ContactID + 1, Score: 3, Via: "chat"}); !errors.Is(err, inbox.ErrForbidden) {
		t.Fatalf("another contact's answer: %v, want ErrForbidden", err)
	}
	if sv, err := env.surveys.Answer(ctx, SurveyAnswer{SurveyID: sv.ID, ContactID: res.ContactID, Score: 2, Via: "chat"}); err != nil || *sv.Score != 2 {
		t.Fatalf("the contact's own answer: %+v, %v", sv, err)
	}

	env.mu.Lock()
	env.now = env.now.Add(7 * 24 * time.Hour)
	env.mu.Unlock()
	if _, err := env.surveys.AnswerToken(ctx, token, 1, ""); !errors.Is(err, ErrSurveyExpired) {
		t.Fatalf("answer after a week: %v, want ErrSurveyExpired", err)
	}
}

// TestSurveyDigitOnlyAnswersAClosedConversation: a digit written into a live conversation is a
// message, and a conversation reopened before the survey goes out gets none.
func TestSurveyDigitOnlyAnswersAClosedConversation(t *testing.T) {
	env := newSLAEnv(t)
	ctx := context.Background()
	alice := env.agent("alice", inbox.RoleAgent)
	conv := env.sms("+14155550131", "SM1", "Which size should I order?").ConversationID
	env.resolveBy(conv, alice)
	env.surveyMessage(conv)
	env.advance(time.Minute)
	env.sms("+14155550131", "SM2", "Sorry, one more thing: the colour?") // reopens
	got := env.sms("+14155550131", "SM3", "3")
	if got.ConversationID != conv || got.ThreadedBy == AutoSurveyAnswer {
		t.Fatalf("digit in a live conversation ingested as %+v, want an ordinary message", got)
	}
	if n := env.count(`SELECT count(*) FROM surveys WHERE score IS NOT NULL`); n != 0 {
		t.Fatal("a digit in a live conversation was taken as a score")
	}

	// Resolved and reopened before the survey job runs: no survey for that resolution.
	if _, err := env.store.SetStatus(ctx, conv, inbox.StatusResolved, inbox.Actor{AgentID: alice.ID}); err != nil {
		t.Fatal(err)
	}
	env.sms("+14155550131", "SM4", "Wait, the colour!")
	env.runDue()
	if n := env.count(`SELECT count(*) FROM surveys WHERE conversation_id = $1`, conv); n != 1 {
		t.Fatalf("%d surveys, want only the first resolution's", n)
	}
}

// TestSurveyOncePerResolution: the survey job is unique per resolution, and working it again
// sends nothing more.
func TestSurveyOncePerResolution(t *testing.T) {
	env := newSLAEnv(t)
	ctx := context.Background()
	alice := env.agent("alice", inbox.RoleAgent)
	conv := env.sms("+14155550141", "SM1", "hello").ConversationID
	env.resolveBy(conv, alice)
	resolved := *env.conversation(conv).ResolvedAt
	res, err := env.river.Insert(ctx, SurveyArgs{ConversationID: conv, ResolvedAt: resolved}, nil)
	if err != nil || !res.UniqueSkippedAsDuplicate {
		t.Fatalf("a second survey job for the resolution: %+v, %v; want skipped as a duplicate", res, err)
	}
	w := &surveyWorker{e: env.engine}
	if err := w.Work(ctx, &river.Job[SurveyArgs]{Args: SurveyArgs{ConversationID: conv, ResolvedAt: resolved}}); err != nil {
		t.Fatal(err)
	}
	env.runDue()
	if n := env.count(`SELECT count(*) FROM messages WHERE conversation_id = $1 AND auto = 'survey'`, conv); n != 1 {
		t.Fatalf("%d survey messages after working the job again, want 1", n)
	}

	// Surveys off: none for the next resolution.
	set, err := env.sla.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	set.SurveyEnabled = false
	if err := env.sla.SetSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	env.advance(time.Hour)
	env.sms("+14155550141", "SM2", "It happened again")
	env.resolveBy(conv, alice)
	if n := env.count(`SELECT count(*) FROM surveys WHERE conversation_id = $1`, conv); n != 1 {
		t.Fatalf("%d surveys with surveys off, want still 1", n)
	}
}
