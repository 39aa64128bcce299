package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// Service recovery: a survey answer scored at or below the threshold (Settings.RecoveryThreshold,
// global, 2 by default, 0 off) opens one follow-up, in the answer's own transaction, for the
// supervisor of the conversation's team (inbox.Store.TeamSupervisorTx), who records what was
// done and closes it.

// FollowupStatus is where a follow-up stands: open, or done once its outcome is recorded.
type FollowupStatus string

// The follow-up statuses.
const (
	FollowupOpen FollowupStatus = "open"
	FollowupDone FollowupStatus = "done"
)

// RecoveryOutcome is what the supervisor did about an unhappy customer.
type RecoveryOutcome string

// The outcomes a follow-up may close with.
const (
	OutcomeContacted  RecoveryOutcome = "contacted"
	OutcomeRefunded   RecoveryOutcome = "refunded"
	OutcomeReplaced   RecoveryOutcome = "replaced"
	OutcomeApologised RecoveryOutcome = "apologised"
	OutcomeNoAction   RecoveryOutcome = "no_action"
)

// Outcomes lists the outcomes in the order forms offer them.
func Outcomes() []RecoveryOutcome {
	return []RecoveryOutcome{OutcomeContacted, OutcomeRefunded, OutcomeReplaced, OutcomeApologised, OutcomeNoAction}
}

// Valid reports whether o is a known outcome.
func (o RecoveryOutcome) Valid() bool {
	for _, x := range Outcomes() {
		if o == x {
			return true
		}
	}
	return false
}

// Follow-up audit kinds, in the conversation's trail.
const (
	EventFollowupOpened = "followup.opened"
	EventFollowupClosed = "followup.closed"
)

// FollowupDueIn is how long a supervisor has to act on a follow-up.
const FollowupDueIn = 24 * time.Hour

// MaxOutcomeNote caps the note recorded with an outcome, in characters.
const MaxOutcomeNote = 2000

// Followup is one service-recovery task: an unhappy answer to follow up.
type Followup struct {
	ID             int64           `json:"id"`
	ConversationID int64           `json:"conversation_id"`
	Subject        string          `json:"subject"`
	SurveyID       int64           `json:"survey_id"`
	Score          int             `json:"score"`
	Comment        string          `json:"comment"`
	AssigneeID     *int64          `json:"assignee_id,omitempty"`
	Status         FollowupStatus  `json:"status"`
	Outcome        RecoveryOutcome `json:"outcome,omitempty"`
	OutcomeNote    string          `json:"outcome_note,omitempty"`
	DueAt          time.Time       `json:"due_at"`
	CreatedAt      time.Time       `json:"created_at"`
	ClosedAt       *time.Time      `json:"closed_at,omitempty"`
	ClosedBy       *int64          `json:"closed_by,omitempty"`
}

// Overdue reports whether an open follow-up is past its due time at now.
func (f Followup) Overdue(now time.Time) bool { return f.Status == FollowupOpen && now.After(f.DueAt) }

const followupCols = `f.id, f.conversation_id, c.subject, f.survey_id, f.score, s.comment, f.assignee_id, f.status,
	f.outcome, f.outcome_note, f.due_at, f.created_at, f.closed_at, f.closed_by`

const followupFrom = ` FROM followups f JOIN conversations c ON c.id = f.conversation_id JOIN surveys s ON s.id = f.survey_id`

func scanFollowup(row pgx.Row) (Followup, error) {
	var f Followup
	var score int16
	err := row.Scan(&f.ID, &f.ConversationID, &f.Subject, &f.SurveyID, &score, &f.Comment, &f.AssigneeID, &f.Status,
		&f.Outcome, &f.OutcomeNote, &f.DueAt, &f.CreatedAt, &f.ClosedAt, &f.ClosedBy)
	f.Score = int(score)
	return f, err
}

// openFollowupTx opens the follow-up of survey surveyID's answer score on conversation conv
// when the score is at or below the threshold, on tx, and returns its id (0 when none was
// opened: the score is above the threshold, recovery is off, or the survey has one already:
// an answer given again opens nothing new) and its assignee (0: nobody). The opening is in the
// conversation's trail.
func openFollowupTx(ctx context.Context, tx pgx.Tx, store *inbox.Store, surveyID int64, conv inbox.Conversation, score int, now time.Time) (int64, int64, error) {
	var threshold int
	if err := tx.QueryRow(ctx, `SELECT recovery_threshold FROM lifecycle_settings`).Scan(&threshold); err != nil {
		return 0, 0, fmt.Errorf("workflow: follow-up: %w", err)
	}
	if score > threshold {
		return 0, 0, nil
	}
	assignee, err := store.TeamSupervisorTx(ctx, tx, orZero(conv.TeamID))
	if err != nil {
		return 0, 0, err
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO followups (conversation_id, survey_id, score, assignee_id, due_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (survey_id) DO NOTHING RETURNING id`,
		conv.ID, surveyID, score, nonZeroID(assignee), now.Add(FollowupDueIn), now).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("workflow: follow-up: %w", err)
	}
	data := map[string]any{"followup_id": id, "score": score, "assignee": assignee}
	if err := store.AddAuditTx(ctx, tx, conv.ID, inbox.Actor{}, EventFollowupOpened, data); err != nil {
		return 0, 0, err
	}
	if assignee != 0 {
		if err := store.NotifyTx(ctx, tx, inbox.Notice{AgentID: assignee, Kind: inbox.NotifyFollowup, ConversationID: conv.ID,
			Text: fmt.Sprintf("The customer rated it %d out of 5.", score)}); err != nil {
			return 0, 0, err
		}
	}
	return id, assignee, nil
}

// FollowupClose is a follow-up's outcome, as the supervisor records it.
type FollowupClose struct {
	Outcome RecoveryOutcome
	Note    string
	// By is the agent closing it; the trail names them.
	By int64
}

// CloseFollowup records the outcome of follow-up id and closes it, with an entry in its
// conversation's trail, in one transaction, for viewer v. An unknown follow-up, or one of a
// conversation v may not see, is inbox.ErrNotFound; one closed already inbox.ErrConflict; a
// bad outcome or note an *inbox.ValidationError.
func (s *SLA) CloseFollowup(ctx context.Context, v inbox.Viewer, id int64, c FollowupClose) (Followup, error) {
	c.Note = strings.TrimSpace(c.Note)
	switch {
	case !c.Outcome.Valid():
		return Followup{}, fmt.Errorf("workflow: close follow-up: %w", &inbox.ValidationError{Field: "outcome",
			Reason: "must be contacted, refunded, replaced, apologised or no_action"})
	case !utf8.ValidString(c.Note):
		return Followup{}, fmt.Errorf("workflow: close follow-up: %w", &inbox.ValidationError{Field: "note", Reason: "is not valid UTF-8"})
	case utf8.RuneCountInString(c.Note) > MaxOutcomeNote:
		return Followup{}, fmt.Errorf("workflow: close follow-up: %w", &inbox.ValidationError{Field: "note",
			Reason: fmt.Sprintf("longer than %d characters", MaxOutcomeNote)})
	}
	var f Followup
	err := s.store.InTx(ctx, func(tx pgx.Tx) error {
		args := []any{id}
		arg := func(x any) string { args = append(args, x); return fmt.Sprintf("$%d", len(args)) }
		var status FollowupStatus
		var convID int64
		err := tx.QueryRow(ctx, `SELECT f.status, f.conversation_id FROM followups f JOIN conversations c ON c.id = f.conversation_id
			WHERE f.id = $1 AND `+v.Where("c", arg)+` FOR NO KEY UPDATE OF f`, args...).Scan(&status, &convID)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return inbox.ErrNotFound
		case err != nil:
			return err
		case status != FollowupOpen:
			return inbox.ErrConflict
		}
		now := s.store.Now()
		if _, err := tx.Exec(ctx, `UPDATE followups SET status = 'done', outcome = $2, outcome_note = $3, closed_at = $4,
			closed_by = $5 WHERE id = $1`, id, string(c.Outcome), c.Note, now, nonZeroID(c.By)); err != nil {
			return err
		}
		if err := s.store.AddAuditTx(ctx, tx, convID, inbox.Actor{AgentID: c.By}, EventFollowupClosed,
			map[string]any{"followup_id": id, "outcome": string(c.Outcome), "note": c.Note}); err != nil {
			return err
		}
		f, err = scanFollowup(tx.QueryRow(ctx, `SELECT `+followupCols+followupFrom+` WHERE f.id = $1`, id))
		return err
	})
	if err != nil {
		return Followup{}, fmt.Errorf("workflow: close follow-up %d: %w", id, err)
	}
	return f, nil
}
