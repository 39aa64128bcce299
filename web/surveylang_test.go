package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// TestSurveyPageInTheCustomersLanguage: the survey form of a conversation on a Portuguese inbox
// is in Portuguese (its lang attribute, question, legend, the thanks with the date written the
// Portuguese way); a link that opens nothing answers in the language the browser asks for.
func TestSurveyPageInTheCustomersLanguage(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	in, err := e.store.CreateInbox(ctx, inbox.NewInbox{Kind: inbox.ChannelEmail, Name: "Correio"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.InTx(ctx, func(tx pgx.Tx) error {
		_, err := e.store.SetInboxLanguageTx(ctx, tx, in.ID, "pt", false)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	res, err := e.store.Ingest(ctx, inbox.Inbound{InboxID: in.ID, Channel: inbox.ChannelEmail, ExternalID: "<pt@example.com>",
		From: inbox.Identity{Kind: inbox.IdentityEmail, Address: "ana@example.com", Verified: true}, Subject: "Avaria", Text: "Não funciona"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Send(ctx, inbox.Reply{ConversationID: res.ConversationID, Author: inbox.Actor{AgentID: e.agent.ID},
		Text: "Feito", SetStatus: inbox.StatusResolved}); err != nil {
		t.Fatal(err)
	}
	token, err := workflow.NewSurveys(e.store).SendNow(ctx, res.ConversationID, e.srv.URL)
	if err != nil || token == "" {
		t.Fatalf("SendNow: %q %v", token, err)
	}
	link := e.srv.URL + workflow.SurveyPath + token
	st, page := fetch(t, "GET", link, "")
	for _, want := range []string{`<html lang="pt">`, "<title>Como nos saímos?</title>", "Assunto: Avaria",
		"A sua avaliação, de 1 (má) a 5 (excelente)", ">Enviar</button>"} {
		if st != http.StatusOK || !strings.Contains(page, want) {
			t.Fatalf("GET: %d, lacks %q:\n%s", st, want, page)
		}
	}
	if st, page := fetch(t, "POST", link, url.Values{"score": {"0"}}.Encode()); st != http.StatusBadRequest || !strings.Contains(page, "Escolha uma avaliação de 1 a 5.") {
		t.Fatalf("POST score 0: %d %.400s", st, page)
	}
	st, page = fetch(t, "POST", link, url.Values{"score": {"5"}}.Encode())
	if st != http.StatusOK || !strings.Contains(page, "Deu-nos 5 de 5.") || !strings.Contains(page, " de 20") {
		t.Fatalf("POST score 5: %d %s", st, page)
	}

	// Closed: the form and an answer sent from an open form both say so in Portuguese.
	if _, err := e.pool.Exec(ctx, `UPDATE surveys SET expires_at = sent_at WHERE conversation_id = $1`, res.ConversationID); err != nil {
		t.Fatal(err)
	}
	if st, page := fetch(t, "GET", link, ""); st != http.StatusGone || !strings.Contains(page, "Este inquérito já terminou") {
		t.Fatalf("GET closed: %d %s", st, page)
	}
	if st, page := fetch(t, "POST", link, url.Values{"score": {"4"}}.Encode()); st != http.StatusGone || !strings.Contains(page, "Este inquérito já terminou") {
		t.Fatalf("POST closed: %d %s", st, page)
	}

	req, err := http.NewRequest("GET", e.srv.URL+workflow.SurveyPath+"not-a-token", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Language", "nl;q=0.9, de-AT;q=0.8, en;q=0.5")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(b), "Dieser Umfrage-Link ist ungültig") {
		t.Fatalf("unknown link, German browser: %d %s", resp.StatusCode, b)
	}
}
