package email_test

import (
	"context"
	"errors"
	"io"
	"mime/quotedprintable"
	"regexp"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/channels/email"
	"github.com/parleyhq/parley/channels/email/emailtest"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/jobtest"
	"github.com/parleyhq/parley/workflow"
)

var resetLink = regexp.MustCompile(`https://help\.example\.com/reset/(pr_[A-Za-z0-9_-]+)`)

// resetMail asks for a reset of ana's password, works the mail job with mailer and returns the
// worker's verdict.
func resetMail(t *testing.T, e *env, mailer workflow.Mailer) (inbox.Agent, error) {
	t.Helper()
	ctx := context.Background()
	a, err := e.store.AgentByEmail(ctx, "ana@acme.example")
	if err != nil {
		if a, err = e.store.CreateAgent(ctx, inbox.NewAgent{Email: "ana@acme.example", Name: "Ana", Password: "correct-horse-battery"}); err != nil {
			t.Fatal(err)
		}
	}
	jobs, err := workflow.NewEnqueuer(e.pool)
	if err != nil {
		t.Fatal(err)
	}
	if err := workflow.NewPasswordResets(e.store, jobs).Request(ctx, a.Email, "10.0.0.1"); err != nil {
		t.Fatal(err)
	}
	w := jobtest.New[workflow.ResetMailArgs](t, e.pool, []channels.Worker{workflow.NewResetMailWorker(e.store, mailer, "https://help.example.com/")})
	var id int64
	if err := e.pool.QueryRow(ctx, `SELECT max(id) FROM river_job WHERE kind = 'password_reset_mail'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return a, w.WorkJob(t, id, 1)
}

// linkIn decodes a sent mail and returns the reset token of its link.
func linkIn(t *testing.T, m emailtest.SMTPMessage) string {
	t.Helper()
	body, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(string(m.Data))))
	if err != nil {
		t.Fatal(err)
	}
	found := resetLink.FindStringSubmatch(string(body))
	if found == nil {
		t.Fatalf("no reset link in:\n%s", body)
	}
	return found[1]
}

func TestResetMailThroughTheFirstInbox(t *testing.T) {
	t.Parallel()
	e := setup(t, envOptions{})
	mailer, err := email.NewSystemMailer(email.SystemMailConfig{Store: e.store})
	if err != nil {
		t.Fatal(err)
	}
	a, err := resetMail(t, e, mailer)
	if err != nil {
		t.Fatalf("mail job: %v", err)
	}
	msgs := e.smtp.Messages()
	if len(msgs) != 1 || msgs[0].From != "support@example.com" || len(msgs[0].To) != 1 || msgs[0].To[0] != a.Email {
		t.Fatalf("sent %+v", msgs)
	}
	if !strings.Contains(string(msgs[0].Data), "Auto-Submitted: auto-generated") {
		t.Error("the mail is not marked Auto-Submitted")
	}
	token := linkIn(t, msgs[0])
	if got, err := e.store.ResetAgent(context.Background(), token); err != nil || got.ID != a.ID {
		t.Fatalf("the mailed link: %+v %v", got, err)
	}
	if n := e.count(`SELECT count(*) FROM river_job WHERE kind = 'password_reset_mail' AND args::text LIKE '%pr_%'`); n != 0 {
		t.Fatal("the raw token is in the job's arguments")
	}

	// A refused recipient is permanent: the job is cancelled, not retried.
	e.smtp.Reject(func(string) error {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	})
	_, err = resetMail(t, e, mailer)
	var cancel *river.JobCancelError
	if !errors.As(err, &cancel) {
		t.Fatalf("a 550: %v, want the job cancelled", err)
	}
}

func TestResetMailThroughPARLEY_SMTP_URL(t *testing.T) {
	t.Parallel()
	e := setup(t, envOptions{})
	system := emailtest.NewSMTPSink(t, emailtest.SMTPOptions{Username: "mailer", Password: "mail-secret"})
	mailer, err := email.NewSystemMailer(email.SystemMailConfig{Store: e.store, URL: system.URL(), From: "noreply@help.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := resetMail(t, e, mailer); err != nil {
		t.Fatalf("mail job: %v", err)
	}
	if n := len(e.smtp.Messages()); n != 0 {
		t.Fatalf("%d mails went through the inbox's server", n)
	}
	msgs := system.Messages()
	if len(msgs) != 1 || msgs[0].From != "noreply@help.example.com" {
		t.Fatalf("sent %+v", msgs)
	}
	linkIn(t, msgs[0])

	wrong := emailtest.NewSMTPSink(t, emailtest.SMTPOptions{Username: "mailer", Password: "other"})
	bad, err := email.NewSystemMailer(email.SystemMailConfig{Store: e.store, URL: strings.Replace(wrong.URL(), "other", "nope", 1)})
	if err != nil {
		t.Fatal(err)
	}
	if err := bad.SendMail(context.Background(), "ana@acme.example", "x", "y"); err == nil {
		t.Fatal("a wrong SMTP password sent the mail")
	}
	for _, u := range []string{"http://host", "smtp://user@host", "smtp://host/path", "smtp://"} {
		if _, err := email.NewSystemMailer(email.SystemMailConfig{URL: u}); err == nil {
			t.Errorf("URL %q accepted", u)
		}
	}
}

func TestResetMailWithoutAnyMailServer(t *testing.T) {
	t.Parallel()
	e := setup(t, envOptions{})
	if _, err := e.pool.Exec(context.Background(), `DELETE FROM inboxes`); err != nil {
		t.Fatal(err)
	}
	mailer, err := email.NewSystemMailer(email.SystemMailConfig{Store: e.store})
	if err != nil {
		t.Fatal(err)
	}
	_, err = resetMail(t, e, mailer)
	var cancel *river.JobCancelError
	if !errors.As(err, &cancel) || !strings.Contains(err.Error(), "PARLEY_SMTP_URL") {
		t.Fatalf("no mail server: %v, want a cancelled job naming PARLEY_SMTP_URL", err)
	}
}
