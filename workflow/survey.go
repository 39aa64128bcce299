package workflow

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// Survey events. survey.sent carries Data {"survey_id", "prompt", "options"} so that the chat
// widget can draw its rating frame; survey.answered carries {"survey_id", "score", "via"}.
const (
	EventSurveySent     = "survey.sent"
	EventSurveyAnswered = "survey.answered"
)

// Auto marks of survey messages: the outbound survey (the contract's, which the channels that
// draw a rating control look for), and a customer's reply taken as its score.
const (
	AutoSurvey       = channels.AutoSurvey
	AutoSurveyAnswer = "survey-answer"
)

// SurveyArgs is the job that sends the satisfaction survey of one resolution: enqueued when a
// conversation is resolved, it sends one survey per resolution (unique on the conversation and
// its resolution instant), through the customer's latest channel, unless the conversation was
// reopened first, surveys are off, or the customer never wrote in it (an agent started it and
// had no answer).
type SurveyArgs struct {
	ConversationID int64     `json:"conversation_id"`
	ResolvedAt     time.Time `json:"resolved_at"`
}

// Kind implements river.JobArgs.
func (SurveyArgs) Kind() string { return "survey" }

// InsertOpts makes the job unique per resolution.
func (SurveyArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// surveyWorker runs SurveyArgs jobs.
type surveyWorker struct {
	river.WorkerDefaults[SurveyArgs]
	e *engine
}

// Work stores the survey and its message (queued for delivery) and announces it, in one
// transaction.
func (w *surveyWorker) Work(ctx context.Context, job *river.Job[SurveyArgs]) error {
	return w.e.store.InTx(ctx, func(tx pgx.Tx) error {
		_, err := sendSurveyTx(ctx, tx, w.e.store, w.e.now(), w.e.publicURL, job.Args)
		return err
	})
}

// SendNow sends the survey of conversation id's current resolution at once, as the survey job
// does when the conversation is resolved (the job then finds it sent), and returns the form
// link's token ("" when none was sent: surveys off, the conversation not resolved, or this
// resolution's survey sent already). `parley demo` uses it to seed answered surveys.
func (s *Surveys) SendNow(ctx context.Context, id int64, publicURL string) (string, error) {
	var token string
	err := s.store.InTx(ctx, func(tx pgx.Tx) error {
		c, err := s.store.GetConversationTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.ResolvedAt == nil {
			return nil
		}
		token, err = sendSurveyTx(ctx, tx, s.store, s.store.Now(), publicURL, SurveyArgs{ConversationID: id, ResolvedAt: *c.ResolvedAt})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("workflow: survey: %w", err)
	}
	return token, nil
}

// sendSurveyTx stores the survey of one resolution and its message (queued for delivery) and
// announces it, on tx, and returns the form link's token ("" when nothing was sent).
func sendSurveyTx(ctx context.Context, tx pgx.Tx, store *inbox.Store, now time.Time, publicURL string, args SurveyArgs) (string, error) {
	var token string
	err := func() error {
		set, err := loadSettings(ctx, tx)
		if err != nil || !set.SurveyEnabled {
			return err
		}
		c, err := store.LockResolutionTx(ctx, tx, args.ConversationID)
		if errors.Is(err, inbox.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("workflow: survey %d: %w", args.ConversationID, err)
		}
		if c.Status != inbox.StatusResolved || c.ResolvedAt == nil {
			return nil // reopened (or closed) before the survey went out
		}
		if !c.CustomerWrote {
			return nil // nobody to ask: an agent started it and the customer never answered
		}
		// Whether a target was missed before the resolution.
		var slaMet bool
		if err := tx.QueryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM sla_breaches
			WHERE conversation_id = $1 AND breached_at <= $2)`, args.ConversationID, *c.ResolvedAt).Scan(&slaMet); err != nil {
			return fmt.Errorf("workflow: survey %d: %w", args.ConversationID, err)
		}
		var hash []byte
		token, hash, err = newSurveyToken()
		if err != nil {
			return err
		}
		var id int64
		err = tx.QueryRow(ctx, `INSERT INTO surveys (conversation_id, resolved_at, channel, token_hash, sent_at, expires_at,
				category, resolved_by, sla_met)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (conversation_id, resolved_at) DO NOTHING RETURNING id`,
			args.ConversationID, *c.ResolvedAt, c.Channel, hash, now, now.Add(set.SurveyValidFor), c.Category,
			c.ResolvedBy, slaMet).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			token = ""
			return nil // this resolution's survey went out already
		}
		if err != nil {
			return fmt.Errorf("workflow: survey: %w", err)
		}
		texts, err := store.ConversationTextsTx(ctx, tx, args.ConversationID)
		if err != nil {
			return fmt.Errorf("workflow: survey: %w", err)
		}
		p := composeSurvey(texts, c.Channel, publicURL, token, set.SurveyValidFor)
		meta := map[string]any{"survey_id": id, "survey_options": SurveyOptions, "survey_prompt": p.prompt}
		if p.link != "" {
			meta["survey_url"] = p.link
		}
		mid, err := store.WriteTx(ctx, tx, inbox.Reply{ConversationID: args.ConversationID, Text: p.text,
			HTML: p.html, Channel: c.Channel, InboxID: c.InboxID, Auto: AutoSurvey, Metadata: meta}, inbox.DirectionOutbound)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE surveys SET message_id = $2 WHERE id = $1`, id, mid); err != nil {
			return fmt.Errorf("workflow: survey: %w", err)
		}
		return store.Publish(ctx, tx, inbox.Event{Type: EventSurveySent, ConversationID: args.ConversationID,
			MessageID: mid, ContactID: c.ContactID, InboxID: c.InboxID, TeamID: c.TeamID, AssigneeID: c.AssigneeID,
			Channel: c.Channel, Status: c.Status, Data: map[string]any{"survey_id": id, "prompt": p.prompt,
				"options": SurveyOptions}, At: now})
	}()
	return token, err
}

// newSurveyToken returns a random link secret and the hash that is stored in its place.
func newSurveyToken() (string, []byte, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("workflow: survey token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	return token, hashSurveyToken(token), nil
}

func hashSurveyToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
