package email_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/channels/email"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// TestSurveyMailInTheInboxLanguage: on an email inbox that speaks German, the satisfaction
// survey mail that reaches the customer's mail server is German, its text and HTML parts both.
func TestSurveyMailInTheInboxLanguage(t *testing.T) {
	e := setup(t, envOptions{})
	ctx := context.Background()
	if err := e.store.InTx(ctx, func(tx pgx.Tx) error {
		_, err := e.store.SetInboxLanguageTx(ctx, tx, e.inbox.ID, "de", false)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	convID, _ := e.startThread(t)
	if _, err := e.store.SetStatus(ctx, convID, inbox.StatusResolved, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	if _, err := workflow.NewSurveys(e.store).SendNow(ctx, convID, "https://help.example.com"); err != nil {
		t.Fatal(err)
	}
	msgs, err := e.store.Messages(ctx, convID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	survey := msgs[len(msgs)-1]
	if survey.Auto != workflow.AutoSurvey {
		t.Fatalf("last message %+v, want the survey", survey)
	}
	if err := e.deliver(survey.ID, 1); err != nil {
		t.Fatalf("deliver the survey: %v", err)
	}
	sent := e.smtp.Messages()
	p := email.NewParser(email.ParseOptions{}).ParseBytes(sent[len(sent)-1].Data)
	if !strings.Contains(p.Text, "Wie war unser Service?") || !strings.Contains(p.Text, "Tage lang gültig") ||
		!strings.Contains(p.HTML, "Wie war unser Service?") {
		t.Fatalf("the survey mail reads %q / %q, want German", p.Text, p.HTML)
	}
}
