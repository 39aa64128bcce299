package workflow

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// The weekly summary: Monday's run mails last week's figures, against the week before, to each
// active supervisor and admin once (a second run mails nobody again), with a dashboard link for
// that week; agents and deactivated supervisors get nothing.
func TestWeeklySummaryMailsSupervisorsOnce(t *testing.T) {
	env := newSLAEnv(t)
	ctx := context.Background()
	mail := &fakeMailer{}
	addRunner(env, &weeklySummaryWorker{e: env.engine, s: env.sla})
	addRunner(env, &summaryMailWorker{e: env.engine, s: env.sla, mailer: mail})
	alice := env.agent("alice", inbox.RoleAgent)
	sam := env.agent("sam", inbox.RoleSupervisor)
	ada := env.agent("ada", inbox.RoleAdmin)
	gone := env.agent("gone", inbox.RoleSupervisor)
	if _, err := env.store.DeactivateAgent(ctx, gone.ID, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	billing := env.team("Billing", alice, sam)

	// Monday 3 March: two customers; alice answers one after 10 minutes and resolves it, and
	// its customer rates 2; the other waits.
	res, sid := env.surveyedAfter("+14155550301", billing.ID, alice, 10*time.Minute)
	if _, err := env.surveys.Answer(ctx, SurveyAnswer{SurveyID: sid, ContactID: res.ContactID, Score: 2, Via: "sms"}); err != nil {
		t.Fatal(err)
	}
	env.sms("+14155550302", "SM-waiting", "Hello?")
	env.runDue()

	env.advance(7 * 24 * time.Hour) // Monday 10 March, 09:10
	from, to := lastWeek(env.clock())
	if want := time.Date(2031, 3, 3, 0, 0, 0, 0, time.UTC); !from.Equal(want) || !to.Equal(want.AddDate(0, 0, 7)) {
		t.Fatalf("last week = %s to %s", from, to)
	}
	for range 2 {
		env.do(func(ctx context.Context, tx pgx.Tx) error {
			_, err := env.engine.jobs.InsertTx(ctx, tx, WeeklySummaryArgs{From: from, To: to}, nil)
			return err
		})
		env.runDue()
	}
	if len(mail.sent) != 2 {
		t.Fatalf("%d mails, want one to sam and one to ada: %+v", len(mail.sent), mail.sent)
	}
	// The week's figures were computed once, by the fan-out, and handed to each mail.
	if n := env.count(`SELECT count(*) FROM river_job WHERE kind = 'summary_mail' AND args ? 'summary'`); n != 2 {
		t.Errorf("%d summary_mail jobs carry the summary, want 2", n)
	}
	got := map[string]string{}
	for _, m := range mail.sent {
		got[m.to] = m.text
		if m.subject != "Parley: the week of 3 March 2031" {
			t.Errorf("subject %q", m.subject)
		}
	}
	text := got[sam.Email]
	if _, ok := got[ada.Email]; !ok || text == "" {
		t.Fatalf("mails to %v, want sam and ada", got)
	}
	for _, want := range []string{"Hello sam,", "Monday 3 March to Sunday 9 March 2031",
		"New conversations            2 (0)", "Of them resolved             1 (0)", "First response, median       10m 00s (none)",
		"Satisfaction (1-5)           2.0 from 1 answers (no answers)", "Low scores (1 or 2)          1 (0)",
		"Waiting now: 1 open, 1 of them unassigned.",
		"https://help.example.com/dashboard?from=2031-03-03&period=custom&to=2031-03-09"} {
		if !strings.Contains(text, want) {
			t.Errorf("the mail lacks %q:\n%s", want, text)
		}
	}
}

// lastWeek and the Monday schedule: the week before the one an instant is in, and the next
// Monday 07:00 UTC after an instant.
func TestSummaryWeekAndSchedule(t *testing.T) {
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct{ now, from, next string }{
		{"2031-03-10T09:10:00Z", "2031-03-03T00:00:00Z", "2031-03-17T07:00:00Z"},
		{"2031-03-10T06:59:00Z", "2031-03-03T00:00:00Z", "2031-03-10T07:00:00Z"},
		{"2031-03-16T23:00:00Z", "2031-03-03T00:00:00Z", "2031-03-17T07:00:00Z"},
		{"2031-03-09T23:00:00-05:00", "2031-03-03T00:00:00Z", "2031-03-10T07:00:00Z"}, // Monday 04:00 UTC
	} {
		from, to := lastWeek(at(c.now))
		if !from.Equal(at(c.from)) || !to.Equal(at(c.from).AddDate(0, 0, 7)) {
			t.Errorf("lastWeek(%s) = %s to %s, want from %s", c.now, from, to, c.from)
		}
		if next := (mondays{}).Next(at(c.now)); !next.Equal(at(c.next)) {
			t.Errorf("Next(%s) = %s, want %s", c.now, next, c.next)
		}
	}
}

// surveyedAfter is surveyed with the agent's resolving reply after wait.
func (env *slaEnv) surveyedAfter(phone string, team int64, agent inbox.Agent, wait time.Duration) (inbox.IngestResult, int64) {
	env.t.Helper()
	res := env.sms(phone, "SM-"+phone, "My parcel never came.")
	if team != 0 {
		env.do(func(ctx context.Context, tx pgx.Tx) error {
			return env.store.SetTeamTx(ctx, tx, res.ConversationID, team, inbox.Actor{})
		})
	}
	if wait > 0 {
		env.advance(wait)
	}
	env.resolveBy(res.ConversationID, agent)
	m := env.surveyMessage(res.ConversationID)
	id, _ := m.Metadata["survey_id"].(float64)
	if id == 0 {
		env.t.Fatalf("survey message %+v names no survey", m.Metadata)
	}
	return res, int64(id)
}
