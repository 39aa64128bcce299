package sms_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// TestSurveyGoesOutInTheInboxLanguage: on an SMS inbox that speaks Spanish, the satisfaction
// survey a resolution sends reaches Twilio in Spanish.
func TestSurveyGoesOutInTheInboxLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	if err := e.store.InTx(ctx, func(tx pgx.Tx) error {
		_, err := e.store.SetInboxLanguageTx(ctx, tx, e.inbox.ID, "es", false)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	e.text(t, "¿Dónde está mi pedido?")
	conv := e.conversation(t)
	if _, err := e.store.Send(ctx, inbox.Reply{ConversationID: conv.ID, Text: "Sale hoy.", SetStatus: inbox.StatusResolved}); err != nil {
		t.Fatal(err)
	}
	if _, err := workflow.NewSurveys(e.store).SendNow(ctx, conv.ID, publicURL); err != nil {
		t.Fatal(err)
	}
	msgs, err := e.store.Messages(ctx, conv.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var survey int64
	for _, m := range msgs {
		if m.Auto == workflow.AutoSurvey {
			survey = m.ID
		}
	}
	if survey == 0 {
		t.Fatal("no survey message")
	}
	if err := e.deliver(t, survey, 1); err != nil {
		t.Fatalf("deliver the survey: %v", err)
	}
	sent := e.twilio.Messages()
	if len(sent) == 0 || sent[len(sent)-1].Body != "¿Qué tal lo hicimos? Responde con un número del 1 (mal) al 5 (excelente)." {
		t.Fatalf("Twilio received %+v, want the Spanish survey", sent)
	}
}
