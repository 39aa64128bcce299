package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// SurveyInterceptor is the inbox.Interceptor that takes a customer's bare digit 1-5 ("4",
// "4/5", "4.") as the score of their open survey: the message is stored in the surveyed
// conversation as an inbound "survey-answer", the conversation is not reopened, and nothing
// new starts. It applies while the survey is open, to the customer's latest conversation only
// and only once it is resolved or closed: a "4" written into a live conversation stays a
// message. Any other text costs no query. Its zero value is ready; install it with
// inbox.Options{Interceptor: workflow.SurveyInterceptor{}}.
type SurveyInterceptor struct{}

// InterceptTx implements inbox.Interceptor.
func (SurveyInterceptor) InterceptTx(ctx context.Context, tx pgx.Tx, call inbox.InterceptCall) (inbox.Interception, error) {
	score, ok := surveyDigit(call.Inbound.Text)
	if !ok || call.Inbound.Auto != "" || call.Inbound.HTML != "" && strings.TrimSpace(call.Inbound.Text) == "" {
		return inbox.Interception{}, nil
	}
	conv, err := call.Store.LatestConversationTx(ctx, tx, call.ContactID)
	if errors.Is(err, inbox.ErrNotFound) {
		return inbox.Interception{}, nil
	}
	if err != nil {
		return inbox.Interception{}, fmt.Errorf("workflow: survey intercept: %w", err)
	}
	if conv.Status != inbox.StatusResolved && conv.Status != inbox.StatusClosed {
		return inbox.Interception{}, nil
	}
	var surveyID int64
	err = tx.QueryRow(ctx, `SELECT id FROM surveys WHERE conversation_id = $1 AND sent_at <= $2 AND expires_at > $2
		ORDER BY id DESC LIMIT 1`, conv.ID, call.Now).Scan(&surveyID)
	if errors.Is(err, pgx.ErrNoRows) {
		return inbox.Interception{}, nil
	}
	if err != nil {
		return inbox.Interception{}, fmt.Errorf("workflow: survey intercept: %w", err)
	}
	e, err := recordAnswer(ctx, tx, call.Store, surveyID, conv, score, "", string(call.Inbound.Channel), call.Now)
	if err != nil {
		return inbox.Interception{}, err
	}
	return inbox.Interception{ConversationID: conv.ID, Auto: AutoSurveyAnswer, Reason: AutoSurveyAnswer,
		Events: []inbox.Event{e}}, nil
}

// surveyDigit reads a bare score: one digit 1-5, optionally followed by "/5", "." or "!".
func surveyDigit(text string) (int, bool) {
	t := strings.TrimSpace(text)
	t = strings.TrimRight(strings.TrimSuffix(t, "/5"), ".!")
	if len(t) != 1 || t[0] < '1' || t[0] > '5' {
		return 0, false
	}
	return int(t[0] - '0'), true
}
