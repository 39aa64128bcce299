package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// ErrSurveyExpired means a survey's answer window has closed (the contract's sentinel, which
// the channels test for).
var ErrSurveyExpired = channels.ErrSurveyExpired

// MaxSurveyComment caps a survey comment, in characters.
const MaxSurveyComment = 2000

// Survey is one satisfaction survey and its answer: the feedback on one resolution of a
// conversation, kept with its category, the resolving agent and whether its SLA was met.
type Survey struct {
	ID             int64         `json:"id"`
	ConversationID int64         `json:"conversation_id"`
	Subject        string        `json:"subject"`
	Channel        inbox.Channel `json:"channel"`
	SentAt         time.Time     `json:"sent_at"`
	ExpiresAt      time.Time     `json:"expires_at"`
	Category       string        `json:"category"`
	ResolvedBy     *int64        `json:"resolved_by,omitempty"`
	SLAMet         bool          `json:"sla_met"`
	Score          *int          `json:"score,omitempty"`
	Comment        string        `json:"comment,omitempty"`
	AnsweredAt     *time.Time    `json:"answered_at,omitempty"`
	AnsweredVia    string        `json:"answered_via,omitempty"`
}

// Open reports whether the survey still takes answers at now.
func (s Survey) Open(now time.Time) bool { return now.Before(s.ExpiresAt) }

// Surveys records satisfaction answers, from every channel: the web form (by the link's
// token), the chat widget's rating frame and Slack's buttons (by survey id and the answering
// contact: it implements channels.Surveys); SMS and email digits arrive through
// SurveyInterceptor.
type Surveys struct {
	store *inbox.Store
}

// NewSurveys returns the survey answer desk on store.
func NewSurveys(store *inbox.Store) *Surveys { return &Surveys{store: store} }

// SurveyAnswer is one answer given by survey id, as the channels give it.
type SurveyAnswer = channels.SurveyAnswer

const surveyCols = `s.id, s.conversation_id, s.channel, s.sent_at, s.expires_at, s.category, s.resolved_by,
	s.sla_met, s.score, s.comment, s.answered_at, s.answered_via`

// scanSurvey reads a survey row; the conversation's subject is the caller's to fill.
func scanSurvey(row pgx.Row) (Survey, error) {
	var s Survey
	var score *int16
	err := row.Scan(&s.ID, &s.ConversationID, &s.Channel, &s.SentAt, &s.ExpiresAt, &s.Category,
		&s.ResolvedBy, &s.SLAMet, &score, &s.Comment, &s.AnsweredAt, &s.AnsweredVia)
	if score != nil {
		n := int(*score)
		s.Score = &n
	}
	return s, err
}

// Answer records a score (1-5) and an optional comment for a survey, replacing an earlier
// answer while the survey is open. A survey of another contact is inbox.ErrForbidden, an
// unknown one inbox.ErrNotFound, a closed one ErrSurveyExpired, a bad score or comment an
// *inbox.ValidationError.
func (s *Surveys) Answer(ctx context.Context, a SurveyAnswer) (Survey, error) {
	return s.answer(ctx, `s.id = $1`, a.SurveyID, a.ContactID, a.Score, a.Comment, a.Via)
}

// AnswerSurvey records a channel's answer as Answer does: it implements channels.Surveys.
func (s *Surveys) AnswerSurvey(ctx context.Context, a channels.SurveyAnswer) error {
	_, err := s.Answer(ctx, a)
	return err
}

// ByToken returns the survey a form link's token opens, answered or not, open or expired.
// An unknown token is inbox.ErrNotFound.
//
// Surveys has no pool of its own (the channels build it from the store alone), so it reads
// through a transaction of the store's.
func (s *Surveys) ByToken(ctx context.Context, token string) (Survey, error) {
	var sv Survey
	err := s.store.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		sv, err = scanSurvey(tx.QueryRow(ctx, `SELECT `+surveyCols+` FROM surveys s WHERE s.token_hash = $1`,
			hashSurveyToken(token)))
		if errors.Is(err, pgx.ErrNoRows) {
			return inbox.ErrNotFound
		}
		if err != nil {
			return err
		}
		conv, err := s.store.GetConversationTx(ctx, tx, sv.ConversationID)
		sv.Subject = conv.Subject
		return err
	})
	if err != nil {
		return Survey{}, fmt.Errorf("workflow: survey: %w", err)
	}
	return sv, nil
}

// AnswerToken records the web form's answer for the survey a token opens, as Answer does.
func (s *Surveys) AnswerToken(ctx context.Context, token string, score int, comment string) (Survey, error) {
	return s.answer(ctx, `s.token_hash = $1`, hashSurveyToken(token), 0, score, comment, "form")
}

// answer validates and records an answer for the survey where picks (with key as $1) and
// returns the survey as answered.
func (s *Surveys) answer(ctx context.Context, where string, key any, contactID int64, score int, comment, via string) (Survey, error) {
	comment = strings.TrimSpace(comment)
	switch {
	case score < 1 || score > 5:
		return Survey{}, fmt.Errorf("workflow: survey: %w", &inbox.ValidationError{Field: "score", Reason: "must be 1 to 5"})
	case utf8.RuneCountInString(comment) > MaxSurveyComment:
		return Survey{}, fmt.Errorf("workflow: survey: %w", &inbox.ValidationError{Field: "comment",
			Reason: fmt.Sprintf("longer than %d characters", MaxSurveyComment)})
	case !utf8.ValidString(comment):
		return Survey{}, fmt.Errorf("workflow: survey: %w", &inbox.ValidationError{Field: "comment", Reason: "is not valid UTF-8"})
	}
	var sv Survey
	err := s.store.InTx(ctx, func(tx pgx.Tx) error {
		var id, convID int64
		var expires time.Time
		err := tx.QueryRow(ctx, `SELECT s.id, s.conversation_id, s.expires_at FROM surveys s WHERE `+where+` FOR NO KEY UPDATE`,
			key).Scan(&id, &convID, &expires)
		if errors.Is(err, pgx.ErrNoRows) {
			return inbox.ErrNotFound
		}
		if err != nil {
			return err
		}
		conv, err := s.store.GetConversationTx(ctx, tx, convID)
		switch {
		case err != nil:
			return err
		case contactID != 0 && conv.ContactID != contactID:
			return inbox.ErrForbidden
		case !s.store.Now().Before(expires):
			return ErrSurveyExpired
		}
		e, err := recordAnswer(ctx, tx, s.store, id, conv, score, comment, via, s.store.Now())
		if err != nil {
			return err
		}
		if err := s.store.Publish(ctx, tx, e); err != nil {
			return err
		}
		sv, err = scanSurvey(tx.QueryRow(ctx, `SELECT `+surveyCols+` FROM surveys s WHERE s.id = $1`, id))
		sv.Subject = conv.Subject
		return err
	})
	if err != nil {
		return Survey{}, fmt.Errorf("workflow: survey answer: %w", err)
	}
	return sv, nil
}

// recordAnswer stores an answer to survey surveyID of conversation conv on tx (an empty comment
// keeps an earlier one; the survey takes the conversation's category), writes it in the
// conversation's trail as the customer's, opens the service-recovery follow-up a low score
// calls for (openFollowupTx: at most one per survey), and returns the survey.answered event to
// publish, whose Data names the follow-up it opened and its assignee, so that its mailed notice
// joins the same transaction and the assignee's open pages say so at once.
func recordAnswer(ctx context.Context, tx pgx.Tx, store *inbox.Store, surveyID int64, conv inbox.Conversation, score int, comment, via string, now time.Time) (inbox.Event, error) {
	e := inbox.Event{Type: EventSurveyAnswered, ConversationID: conv.ID, ContactID: conv.ContactID,
		TeamID: orZero(conv.TeamID), AssigneeID: orZero(conv.AssigneeID), Status: conv.Status, Priority: conv.Priority,
		At: now, Data: map[string]any{"survey_id": surveyID, "score": score, "via": via}}
	var kept string
	err := tx.QueryRow(ctx, `UPDATE surveys s SET score = $2, comment = CASE WHEN $3 = '' THEN s.comment ELSE $3 END,
			answered_at = $4, answered_via = $5, category = $6
		WHERE s.id = $1 RETURNING s.comment`, surveyID, score, comment, now, via, conv.Category).Scan(&kept)
	if err != nil {
		return e, fmt.Errorf("workflow: survey answer: %w", err)
	}
	if err := store.AddAuditTx(ctx, tx, conv.ID, inbox.Actor{Customer: true}, EventSurveyAnswered,
		map[string]any{"survey_id": surveyID, "score": score, "comment": kept, "via": via}); err != nil {
		return e, err
	}
	fid, assignee, err := openFollowupTx(ctx, tx, store, surveyID, conv, score, now)
	if err != nil {
		return e, err
	}
	if fid != 0 { // the live event tells the assignee at once (their pages show a note)
		e.Data["followup_id"], e.Data["followup_assignee"] = fid, assignee
	}
	return e, nil
}

// orZero is *id, or 0 for nil.
func orZero(id *int64) int64 {
	if id == nil {
		return 0
	}
	return *id
}
