package workflow

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// TestSurveyInTheCustomersLanguage: the survey speaks the conversation's language: an email
// inbox set to German mails the German question, link note and all; an SMS inbox set to Spanish
// texts its own override of the Spanish SMS; a chat conversation that began in French (the
// visitor's browser) is surveyed in French although its inbox speaks German.
func TestSurveyInTheCustomersLanguage(t *testing.T) {
	env := newSLAEnv(t)
	ctx := context.Background()
	alice := env.agent("alice", inbox.RoleAgent)
	mk := func(kind inbox.Channel, name, lang string) inbox.Inbox {
		in, err := env.store.CreateInbox(ctx, inbox.NewInbox{Kind: kind, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		env.do(func(ctx context.Context, tx pgx.Tx) error {
			in, err = env.store.SetInboxLanguageTx(ctx, tx, in.ID, lang, kind == inbox.ChannelChat)
			return err
		})
		return in
	}
	mail, sms, chat := mk(inbox.ChannelEmail, "Mail", "de"), mk(inbox.ChannelSMS, "Line", "es"), mk(inbox.ChannelChat, "Web", "de")
	env.do(func(ctx context.Context, tx pgx.Tx) error {
		_, _, err := env.store.SetTextTx(ctx, tx, sms.ID, "es", "survey.sms", "¿Qué tal? Responde del 1 al 5.")
		return err
	})
	ingest := func(in inbox.Inbound) int64 {
		res, err := env.store.Ingest(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		env.resolveBy(res.ConversationID, alice)
		return res.ConversationID
	}
	de := env.surveyMessage(ingest(inbox.Inbound{InboxID: mail.ID, Channel: inbox.ChannelEmail, ExternalID: "<de@example.net>",
		From: inbox.Identity{Kind: inbox.IdentityEmail, Address: "dora@example.net", Verified: true}, Subject: "Kaputt", Text: "Es ist kaputt."}))
	if !strings.HasPrefix(de.Text, "Wie war unser Service?") || !strings.Contains(de.Text, "Tage lang gültig") ||
		!strings.Contains(de.HTML, "Wie war unser Service?") || de.Metadata["survey_prompt"] != de.Text[:strings.Index(de.Text, "\n")] {
		t.Fatalf("German email survey: %q\nhtml %q\nprompt %v", de.Text, de.HTML, de.Metadata["survey_prompt"])
	}
	es := env.surveyMessage(ingest(inbox.Inbound{InboxID: sms.ID, Channel: inbox.ChannelSMS, ExternalID: "SMes",
		From: inbox.Identity{Kind: inbox.IdentityPhone, Address: "+34600000001", Verified: true}, Text: "No funciona"}))
	if es.Text != "¿Qué tal? Responde del 1 al 5." || es.Metadata["survey_prompt"] != "¿Qué tal lo hicimos? Valora la ayuda que recibiste del 1 (mala) al 5 (excelente)." {
		t.Fatalf("Spanish SMS survey: %q (prompt %v)", es.Text, es.Metadata["survey_prompt"])
	}
	fr := env.surveyMessage(ingest(inbox.Inbound{InboxID: chat.ID, Channel: inbox.ChannelChat, ExternalID: "chat-fr",
		From: inbox.Identity{Kind: inbox.IdentityChat, Address: "visitor-fr"}, Text: "Bonjour", Language: "fr"}))
	if !strings.HasPrefix(fr.Text, "Comment nous en sommes-nous sortis ?") {
		t.Fatalf("French chat survey: %q", fr.Text)
	}
	// What the channels were handed to send: the German email with its HTML, the Spanish SMS.
	env.runDue()
	var mailed, texted bool
	for _, o := range env.sent.sent() {
		switch {
		case o.Message.ID == de.ID:
			mailed = strings.Contains(o.Message.Text, "Wie war unser Service?") && strings.Contains(o.Message.HTML, "Tage lang gültig")
		case o.Message.ID == es.ID:
			texted = o.Message.Text == "¿Qué tal? Responde del 1 al 5."
		}
	}
	if !mailed || !texted {
		t.Fatalf("sent: German email %v, Spanish SMS %v (%d sends)", mailed, texted, len(env.sent.sent()))
	}
	// The API channel has no inbox: English.
	en := env.surveyMessage(ingest(inbox.Inbound{Channel: inbox.ChannelEmail, ExternalID: "<en@example.net>",
		From: inbox.Identity{Kind: inbox.IdentityEmail, Address: "erin@example.net", Verified: true}, Subject: "Broken", Text: "x"}))
	if !strings.HasPrefix(en.Text, "How did we do?") {
		t.Fatalf("English survey: %q", en.Text)
	}
}
