package workflow

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// noticeKinds lists an agent's notifications' kinds, newest first.
func (env *slaEnv) noticeKinds(a inbox.Agent) []string {
	env.t.Helper()
	rows, err := env.pool.Query(context.Background(), `SELECT kind FROM notifications WHERE agent_id = $1 ORDER BY id DESC`, a.ID)
	if err != nil {
		env.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			env.t.Fatal(err)
		}
		out = append(out, k)
	}
	return out
}

// TestSLANoticesAndMail: an SLA warning and a breach tell the assignee and the supervisors of
// the team (not its other agents) in their centres, in the warning's and breach's own jobs; the
// assignee, who chose immediate mail, gets one mail per notice, each linking to the
// conversation's page, and a notice read before its mail goes is not mailed; the supervisor, who
// chose the daily digest, gets one mail with both, once.
func TestSLANoticesAndMail(t *testing.T) {
	env := newSLAEnv(t)
	ctx := context.Background()
	mail := &fakeMailer{}
	addRunner(env, &notifyMailWorker{e: env.engine, mailer: mail})
	addRunner(env, &notifyDigestWorker{e: env.engine})
	addRunner(env, &notifyDigestMailWorker{e: env.engine, mailer: mail})
	alice := env.agent("alice", inbox.RoleAgent)
	bob := env.agent("bob", inbox.RoleAgent)
	sam := env.agent("sam", inbox.RoleSupervisor)
	support := env.team("support", alice, bob, sam)
	env.policy(NewPolicy{Name: "support", TeamID: support.ID, Priority: inbox.PriorityNormal, FirstResponse: time.Hour,
		NextResponse: time.Hour, Resolution: 8 * time.Hour})
	if err := env.store.SetMailPreference(ctx, alice.ID, inbox.MailImmediate); err != nil {
		t.Fatal(err)
	}
	if err := env.store.SetMailPreference(ctx, sam.ID, inbox.MailDaily); err != nil {
		t.Fatal(err)
	}
	conv := env.sms("+14155550111", "SM-n1", "Where is my parcel?").ConversationID
	env.do(func(ctx context.Context, tx pgx.Tx) error {
		return env.store.SetTeamTx(ctx, tx, conv, support.ID, inbox.Actor{})
	})
	if _, err := env.store.Assign(ctx, conv, alice.ID, inbox.Actor{AgentID: sam.ID}); err != nil {
		t.Fatal(err)
	}
	env.runDue()
	if len(mail.sent) != 1 || !strings.Contains(mail.sent[0].subject, "sam assigned you") {
		t.Fatalf("mails %+v, want alice's assignment", mail.sent)
	}
	env.advance(48 * time.Minute) // the warning
	env.advance(12 * time.Minute) // the breach
	if got := strings.Join(env.noticeKinds(alice), ","); got != "sla_breach,sla_warning,assigned" {
		t.Fatalf("alice's notices %s", got)
	}
	if got := strings.Join(env.noticeKinds(sam), ","); got != "sla_breach,sla_warning" {
		t.Fatalf("sam's notices %s", got)
	}
	if got := env.noticeKinds(bob); len(got) != 0 {
		t.Fatalf("bob, an agent of the team who does not hold it, was told %v", got)
	}
	if len(mail.sent) != 3 {
		t.Fatalf("%d mails, want alice's three", len(mail.sent))
	}
	link := "https://help.example.com/inbox/" + strconv.FormatInt(conv, 10)
	for _, m := range mail.sent {
		if m.to != alice.Email || !strings.Contains(m.text, link+"\n") {
			t.Errorf("mail to %s lacks %s:\n%s", m.to, link, m.text)
		}
	}

	// Read before its mail went: nothing is mailed.
	if _, err := env.store.Assign(ctx, conv, 0, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.store.Assign(ctx, conv, alice.ID, inbox.Actor{AgentID: bob.ID}); err != nil {
		t.Fatal(err)
	}
	v, err := env.store.ViewerOf(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.store.As(v).MarkAllNotificationsRead(ctx); err != nil {
		t.Fatal(err)
	}
	env.runDue()
	if len(mail.sent) != 3 {
		t.Fatalf("a read notice was mailed: %+v", mail.sent[3:])
	}

	// The digest, twice the same day: one mail to sam with both notices.
	for range 2 {
		env.do(func(ctx context.Context, tx pgx.Tx) error {
			_, err := env.engine.jobs.InsertTx(ctx, tx, NotifyDigestArgs{Day: time.Date(2031, 3, 3, 0, 0, 0, 0, time.UTC)}, nil)
			return err
		})
		env.runDue()
	}
	if len(mail.sent) != 4 || mail.sent[3].to != sam.Email || mail.sent[3].subject != "Parley: 2 notifications" ||
		strings.Count(mail.sent[3].text, link+"\n") != 2 || !strings.Contains(mail.sent[3].text, "https://help.example.com/notifications") {
		t.Fatalf("digest mails %+v, want one to sam with both links", mail.sent[3:])
	}
}

// TestDigestSchedule: the digest runs every day at 07:00 UTC.
func TestDigestSchedule(t *testing.T) {
	for _, c := range []struct{ now, want string }{
		{"2031-03-03T06:59:00Z", "2031-03-03T07:00:00Z"},
		{"2031-03-03T07:00:00Z", "2031-03-04T07:00:00Z"},
		{"2031-03-03T23:30:00-05:00", "2031-03-04T07:00:00Z"},
	} {
		now, _ := time.Parse(time.RFC3339, c.now)
		if got := (dailyAt7{}).Next(now).UTC().Format(time.RFC3339); got != c.want {
			t.Errorf("Next(%s) = %s, want %s", c.now, got, c.want)
		}
	}
}
