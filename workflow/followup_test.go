package workflow

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// surveyed makes a conversation of customer phone in team (0: none), resolved by agent, and
// returns it with its survey's id.
func (env *slaEnv) surveyed(phone string, team int64, agent inbox.Agent) (inbox.IngestResult, int64) {
	env.t.Helper()
	return env.surveyedAfter(phone, team, agent, 0)
}

// followupRow is what the follow-ups table holds for a survey.
func (env *slaEnv) followupsOf(surveyID int64) []Followup {
	env.t.Helper()
	rows, err := env.pool.Query(context.Background(), `SELECT `+followupCols+followupFrom+` WHERE f.survey_id = $1`, surveyID)
	if err != nil {
		env.t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Followup, error) { return scanFollowup(r) })
	if err != nil {
		env.t.Fatal(err)
	}
	return out
}

func (env *slaEnv) notices(followupID int64) int {
	env.t.Helper()
	return env.count(`SELECT count(*) FROM river_job WHERE kind = 'followup_notify' AND (args->>'followup_id')::bigint = $1`, followupID)
}

func (env *slaEnv) trail(conv int64, kind string) []inbox.AuditEntry {
	env.t.Helper()
	all, err := env.store.Audit(context.Background(), conv)
	if err != nil {
		env.t.Fatal(err)
	}
	var out []inbox.AuditEntry
	for _, a := range all {
		if a.Kind == kind {
			out = append(out, a)
		}
	}
	return out
}

// TestLowScoreOpensOneFollowupForTheTeamSupervisor: a score at the threshold (2) opens exactly
// one follow-up, for the supervisor who is a member of the conversation's team (not an earlier
// supervisor outside it), due in a day, with its notice job; answering again opens no second;
// a 3 opens none; a conversation of no team goes to the first supervisor; an SMS digit opens one
// too.
func TestLowScoreOpensOneFollowupForTheTeamSupervisor(t *testing.T) {
	env := newSLAEnv(t)
	ctx := context.Background()
	zoe := env.agent("zoe", inbox.RoleSupervisor) // an earlier supervisor, of no team
	alice := env.agent("alice", inbox.RoleAgent)
	sam := env.agent("sam", inbox.RoleSupervisor)
	env.agent("ann", inbox.RoleAdmin)
	billing := env.team("Billing", alice, sam)

	res, sid := env.surveyed("+14155550201", billing.ID, alice)
	if _, err := env.surveys.Answer(ctx, SurveyAnswer{SurveyID: sid, ContactID: res.ContactID, Score: 2,
		Comment: "Nobody called back", Via: "chat"}); err != nil {
		t.Fatal(err)
	}
	fs := env.followupsOf(sid)
	if len(fs) != 1 {
		t.Fatalf("%d follow-ups after a 2, want 1", len(fs))
	}
	f := fs[0]
	if f.AssigneeID == nil || *f.AssigneeID != sam.ID || f.Status != FollowupOpen || f.Score != 2 ||
		f.ConversationID != res.ConversationID || !f.DueAt.Equal(env.clock().Add(FollowupDueIn)) || f.Comment != "Nobody called back" {
		t.Fatalf("follow-up %+v, want open for sam (%d), score 2, due in a day", f, sam.ID)
	}
	if n := env.notices(f.ID); n != 1 {
		t.Fatalf("%d notice jobs, want 1", n)
	}
	if evs := env.eventsOf(EventSurveyAnswered); len(evs) != 1 || evs[0].Data["followup_id"] != f.ID || evs[0].Data["followup_assignee"] != sam.ID {
		t.Fatalf("survey.answered events %+v, want one naming the follow-up and sam for the live note", evs)
	}
	answered := env.trail(res.ConversationID, EventSurveyAnswered)
	if len(answered) != 1 || answered[0].Actor != "customer" || answered[0].Data["comment"] != "Nobody called back" ||
		answered[0].Data["score"] != float64(2) {
		t.Fatalf("trail of the answer %+v, want the customer's 2 with the comment", answered)
	}
	if opened := env.trail(res.ConversationID, EventFollowupOpened); len(opened) != 1 || opened[0].Data["assignee"] != float64(sam.ID) {
		t.Fatalf("trail of the opening %+v, want one naming sam", opened)
	}

	// The same survey answered again (the form posted twice, a changed mind): still one.
	for _, score := range []int{2, 1} {
		if _, err := env.surveys.Answer(ctx, SurveyAnswer{SurveyID: sid, ContactID: res.ContactID, Score: score, Via: "chat"}); err != nil {
			t.Fatal(err)
		}
	}
	if fs := env.followupsOf(sid); len(fs) != 1 || fs[0].ID != f.ID {
		t.Fatalf("follow-ups after answering again: %+v, want the one", fs)
	}
	if got := env.noticeKinds(sam); len(got) != 1 || got[0] != inbox.NotifyFollowup {
		t.Fatalf("sam's notification centre %v, want the one follow-up", got)
	}
	if n := env.count(`SELECT count(*) FROM river_job WHERE kind = 'followup_notify'`); n != 1 {
		t.Fatalf("%d notice jobs after answering again, want 1", n)
	}

	// A 3 is above the threshold.
	res3, sid3 := env.surveyed("+14155550202", billing.ID, alice)
	if _, err := env.surveys.Answer(ctx, SurveyAnswer{SurveyID: sid3, ContactID: res3.ContactID, Score: 3, Via: "chat"}); err != nil {
		t.Fatal(err)
	}
	if fs := env.followupsOf(sid3); len(fs) != 0 {
		t.Fatalf("a 3 opened %+v", fs)
	}

	// No team: the first supervisor (before any admin).
	resN, sidN := env.surveyed("+14155550203", 0, alice)
	if _, err := env.surveys.Answer(ctx, SurveyAnswer{SurveyID: sidN, ContactID: resN.ContactID, Score: 1, Via: "chat"}); err != nil {
		t.Fatal(err)
	}
	if fs := env.followupsOf(sidN); len(fs) != 1 || fs[0].AssigneeID == nil || *fs[0].AssigneeID != zoe.ID {
		t.Fatalf("follow-ups of a conversation of no team: %+v, want one for zoe (%d)", fs, zoe.ID)
	}

	// A bare digit by SMS is an answer too, through the ingest's transaction.
	resD, sidD := env.surveyed("+14155550204", billing.ID, alice)
	env.sms("+14155550204", "SM-digit", "1")
	fs = env.followupsOf(sidD)
	if len(fs) != 1 || fs[0].Score != 1 || *fs[0].AssigneeID != sam.ID || env.notices(fs[0].ID) != 1 {
		t.Fatalf("follow-ups after an SMS 1: %+v, want one for sam with its notice", fs)
	}
	_ = resD

	// The threshold is a setting: at 0 nothing opens.
	set, err := env.sla.Settings(ctx)
	if err != nil || set.RecoveryThreshold != 2 {
		t.Fatalf("settings %+v, %v; want the default threshold 2", set, err)
	}
	set.RecoveryThreshold = 0
	if err := env.sla.SetSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	res0, sid0 := env.surveyed("+14155550205", billing.ID, alice)
	if _, err := env.surveys.Answer(ctx, SurveyAnswer{SurveyID: sid0, ContactID: res0.ContactID, Score: 1, Via: "chat"}); err != nil {
		t.Fatal(err)
	}
	if fs := env.followupsOf(sid0); len(fs) != 0 {
		t.Fatalf("threshold 0 opened %+v", fs)
	}
	set.RecoveryThreshold = 6
	if err := env.sla.SetSettings(ctx, set); !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("threshold 6: %v, want ErrInvalid", err)
	}
}

// TestFollowupCommitsWithItsNotice: when the notice job cannot be inserted, the answer, the
// follow-up and the trail entries are rolled back with it: they share one transaction.
func TestFollowupCommitsWithItsNotice(t *testing.T) {
	env := newSLAEnv(t)
	ctx := context.Background()
	alice := env.agent("alice", inbox.RoleAgent)
	env.agent("sam", inbox.RoleSupervisor)
	res, sid := env.surveyed("+14155550211", 0, alice)
	env.mu.Lock()
	env.failOn = EventSurveyAnswered
	env.mu.Unlock()
	if _, err := env.surveys.Answer(ctx, SurveyAnswer{SurveyID: sid, ContactID: res.ContactID, Score: 1, Via: "chat"}); err == nil {
		t.Fatal("the answer was taken although its jobs could not be inserted")
	}
	if n := env.count(`SELECT count(*) FROM followups`) + env.count(`SELECT count(*) FROM surveys WHERE score IS NOT NULL`) +
		len(env.trail(res.ConversationID, EventSurveyAnswered)) + len(env.trail(res.ConversationID, EventFollowupOpened)); n != 0 {
		t.Fatalf("%d rows of a failed answer remain", n)
	}
}

// TestCloseFollowup: the outcome is checked, recorded with who closed it and when, written in the
// conversation's trail, reported; a second close conflicts; an agent who may not see the
// conversation cannot close it.
func TestCloseFollowup(t *testing.T) {
	env := newSLAEnv(t)
	ctx := context.Background()
	alice := env.agent("alice", inbox.RoleAgent)
	bob := env.agent("bob", inbox.RoleAgent) // of another team
	sam := env.agent("sam", inbox.RoleSupervisor)
	billing := env.team("Billing", alice, sam)
	env.team("Sales", bob)
	res, sid := env.surveyed("+14155550221", billing.ID, alice)
	if _, err := env.surveys.Answer(ctx, SurveyAnswer{SurveyID: sid, ContactID: res.ContactID, Score: 1, Via: "chat"}); err != nil {
		t.Fatal(err)
	}
	f := env.followupsOf(sid)[0]

	if _, err := env.sla.CloseFollowup(ctx, inbox.Everyone(), f.ID, FollowupClose{Outcome: "shrugged", By: sam.ID}); !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("unknown outcome: %v, want ErrInvalid", err)
	}
	bobView, err := env.store.ViewerOf(ctx, bob)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.sla.CloseFollowup(ctx, bobView, f.ID, FollowupClose{Outcome: OutcomeContacted, By: bob.ID}); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("closed by an agent of another team: %v, want ErrNotFound", err)
	}
	if got := env.followupsOf(sid)[0]; got.Status != FollowupOpen || got.Outcome != "" {
		t.Fatalf("refused closes changed the follow-up: %+v", got)
	}

	env.advance(3 * time.Hour)
	got, err := env.sla.CloseFollowup(ctx, inbox.Everyone(), f.ID, FollowupClose{Outcome: OutcomeRefunded, Note: " Refunded the postage. ", By: sam.ID})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != FollowupDone || got.Outcome != OutcomeRefunded || got.OutcomeNote != "Refunded the postage." ||
		got.ClosedAt == nil || !got.ClosedAt.Equal(env.clock()) || got.ClosedBy == nil || *got.ClosedBy != sam.ID {
		t.Fatalf("closed follow-up %+v", got)
	}
	closed := env.trail(res.ConversationID, EventFollowupClosed)
	if len(closed) != 1 || closed[0].AgentID == nil || *closed[0].AgentID != sam.ID || closed[0].Data["outcome"] != "refunded" ||
		closed[0].Data["note"] != "Refunded the postage." {
		t.Fatalf("trail of the close %+v, want sam's refund", closed)
	}
	if _, err := env.sla.CloseFollowup(ctx, inbox.Everyone(), f.ID, FollowupClose{Outcome: OutcomeContacted, By: sam.ID}); !errors.Is(err, inbox.ErrConflict) {
		t.Fatalf("closing twice: %v, want ErrConflict", err)
	}

	// A second, left open; the report counts both.
	res2, sid2 := env.surveyed("+14155550222", billing.ID, alice)
	if _, err := env.surveys.Answer(ctx, SurveyAnswer{SurveyID: sid2, ContactID: res2.ContactID, Score: 2, Via: "chat"}); err != nil {
		t.Fatal(err)
	}
	rep, err := env.sla.FollowupStats(ctx, inbox.Everyone(), time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Open != 1 || rep.Closed != 1 || rep.Outcomes[OutcomeRefunded] != 1 || rep.MedianToClose == nil || *rep.MedianToClose != 3*time.Hour {
		t.Fatalf("report %+v, want 1 open, 1 closed (refunded) after 3h", rep)
	}
	list, err := env.sla.Followups(ctx, inbox.Everyone(), FollowupFilter{})
	if err != nil || len(list) != 2 || list[0].Status != FollowupOpen || list[1].ID != f.ID {
		t.Fatalf("list %+v, %v; want the open one first", list, err)
	}
	if list, err := env.sla.Followups(ctx, bobView, FollowupFilter{}); err != nil || len(list) != 0 {
		t.Fatalf("bob's list %+v, %v; want none of Billing's", list, err)
	}
}

// TestFollowupNoticeMailsTheAssignee: the notice goes to the assignee with the conversation's link.
func TestFollowupNoticeMailsTheAssignee(t *testing.T) {
	env := newSLAEnv(t)
	ctx := context.Background()
	mail := &fakeMailer{}
	addRunner(env, &followupNotifyWorker{store: env.store, mailer: mail, publicURL: "https://help.example.com"})
	alice := env.agent("alice", inbox.RoleAgent)
	sam := env.agent("sam", inbox.RoleSupervisor)
	billing := env.team("Billing", alice, sam)
	res, sid := env.surveyed("+14155550231", billing.ID, alice)
	if _, err := env.surveys.Answer(ctx, SurveyAnswer{SurveyID: sid, ContactID: res.ContactID, Score: 1, Comment: "Rude", Via: "chat"}); err != nil {
		t.Fatal(err)
	}
	env.runDue()
	if len(mail.sent) != 1 || mail.sent[0].to != sam.Email || !strings.Contains(mail.sent[0].text, "https://help.example.com/inbox/") ||
		!strings.Contains(mail.sent[0].text, "Rude") {
		t.Fatalf("mail %+v, want one to sam with the link and the comment", mail.sent)
	}
}

// fakeMailer records the mail it is given.
type fakeMailer struct{ sent []sentMail }

type sentMail struct{ to, subject, text string }

func (m *fakeMailer) SendMail(ctx context.Context, to, subject, text string) error {
	m.sent = append(m.sent, sentMail{to, subject, text})
	return nil
}

// TestFeedbackFiltersAndViewer: the feedback list applies its filters and the inbox's
// visibility rule: an agent sees the answers of their team's conversations only.
func TestFeedbackFiltersAndViewer(t *testing.T) {
	env := newSLAEnv(t)
	ctx := context.Background()
	alice := env.agent("alice", inbox.RoleAgent)
	bob := env.agent("bob", inbox.RoleAgent)
	billing, sales := env.team("Billing", alice), env.team("Sales", bob)
	answer := func(phone string, team int64, by inbox.Agent, score int) int64 {
		res, sid := env.surveyed(phone, team, by)
		if _, err := env.surveys.Answer(ctx, SurveyAnswer{SurveyID: sid, ContactID: res.ContactID, Score: score, Via: "chat"}); err != nil {
			t.Fatal(err)
		}
		env.advance(time.Minute)
		return sid
	}
	b1 := answer("+14155550241", billing.ID, alice, 1)
	b4 := answer("+14155550242", billing.ID, alice, 4)
	s2 := answer("+14155550243", sales.ID, bob, 2)
	ids := func(v inbox.Viewer, f FeedbackFilter) []int64 {
		t.Helper()
		p, err := env.sla.Feedback(ctx, v, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, a := range p.Answers {
			out = append(out, a.SurveyID)
		}
		return out
	}
	all := inbox.Everyone()
	bobView, err := env.store.ViewerOf(ctx, bob)
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		v    inbox.Viewer
		f    FeedbackFilter
		want []int64
	}{
		"all, newest first": {all, FeedbackFilter{}, []int64{s2, b4, b1}},
		"1-2":               {all, FeedbackFilter{MinScore: 1, MaxScore: 2}, []int64{s2, b1}},
		"exactly 4":         {all, FeedbackFilter{MinScore: 4, MaxScore: 4}, []int64{b4}},
		"team":              {all, FeedbackFilter{TeamID: billing.ID}, []int64{b4, b1}},
		"agent":             {all, FeedbackFilter{AgentID: bob.ID}, []int64{s2}},
		"channel":           {all, FeedbackFilter{Channel: inbox.ChannelEmail}, nil},
		"period":            {all, FeedbackFilter{From: slaEpoch.Add(-time.Hour), To: env.clock().Add(-90 * time.Second)}, []int64{b4, b1}},
		"bob's team only":   {bobView, FeedbackFilter{}, []int64{s2}},
	} {
		if got := ids(c.v, c.f); !equalIDs(got, c.want) {
			t.Errorf("%s: %v, want %v", name, got, c.want)
		}
	}
	if _, err := env.sla.Feedback(ctx, all, FeedbackFilter{MinScore: 4, MaxScore: 2}); !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("4 to 2: %v, want ErrInvalid", err)
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
