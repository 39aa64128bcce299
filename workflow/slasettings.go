package workflow

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// Settings are the lifecycle settings: when idle conversations resolve and close on their own
// and how satisfaction surveys go out. A zero delay turns that step off.
type Settings struct {
	// PendingResolveAfter resolves a conversation left pending (waiting on the customer) this
	// long; 72 hours by default.
	PendingResolveAfter time.Duration
	// ResolvedCloseAfter closes a conversation resolved this long; 7 days by default.
	ResolvedCloseAfter time.Duration
	// AutoResolveMessage, when not empty, is sent to the customer as the conversation
	// resolves for want of an answer.
	AutoResolveMessage string
	// SurveyEnabled sends a satisfaction survey when a conversation is resolved.
	SurveyEnabled bool
	// SurveyValidFor is how long a survey takes answers; 7 days by default.
	SurveyValidFor time.Duration
	// RecoveryThreshold is the highest survey score (0-5) that opens a service-recovery
	// follow-up; 2 by default, 0 opens none. It is global: every team's answers use it.
	RecoveryThreshold int
}

// loadSettings reads the settings row.
func loadSettings(ctx context.Context, db querier) (Settings, error) {
	var s Settings
	var pending, closing, valid int64
	err := db.QueryRow(ctx, `SELECT pending_resolve_secs, resolved_close_secs, auto_resolve_message, survey_enabled,
		survey_valid_secs, recovery_threshold FROM lifecycle_settings`).Scan(&pending, &closing, &s.AutoResolveMessage,
		&s.SurveyEnabled, &valid, &s.RecoveryThreshold)
	if err != nil {
		return s, fmt.Errorf("workflow: settings: %w", err)
	}
	s.PendingResolveAfter, s.ResolvedCloseAfter, s.SurveyValidFor = time.Duration(pending)*time.Second,
		time.Duration(closing)*time.Second, time.Duration(valid)*time.Second
	return s, nil
}

// Settings returns the lifecycle settings.
func (s *SLA) Settings(ctx context.Context) (Settings, error) {
	return loadSettings(ctx, s.pool)
}

// SetSettings replaces the lifecycle settings. They apply to timers armed from then on and to
// armed timers when they fire. Negative delays and a survey window under a minute are an
// *inbox.ValidationError.
func (s *SLA) SetSettings(ctx context.Context, v Settings) error {
	switch {
	case v.PendingResolveAfter < 0 || v.ResolvedCloseAfter < 0:
		return fmt.Errorf("workflow: settings: %w", &inbox.ValidationError{Field: "delay", Reason: "must not be negative (0 turns the step off)"})
	case v.SurveyValidFor < time.Minute:
		return fmt.Errorf("workflow: settings: %w", &inbox.ValidationError{Field: "survey_valid_for", Reason: "must be at least a minute"})
	case v.RecoveryThreshold < 0 || v.RecoveryThreshold > 5:
		return fmt.Errorf("workflow: settings: %w", &inbox.ValidationError{Field: "recovery_threshold", Reason: "must be 0 to 5 (0 opens no follow-up)"})
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE lifecycle_settings SET pending_resolve_secs = $1, resolved_close_secs = $2,
			auto_resolve_message = $3, survey_enabled = $4, survey_valid_secs = $5, updated_at = $6, recovery_threshold = $7`,
			int64(v.PendingResolveAfter/time.Second), int64(v.ResolvedCloseAfter/time.Second), v.AutoResolveMessage,
			v.SurveyEnabled, int64(v.SurveyValidFor/time.Second), s.store.Now(), v.RecoveryThreshold)
		if err != nil {
			return err
		}
		return audit(ctx, tx, s.store, s.by, inbox.AuditSettingsChanged, "settings:lifecycle", map[string]any{
			"pending_resolve_after": v.PendingResolveAfter.String(), "resolved_close_after": v.ResolvedCloseAfter.String(),
			"survey_enabled": v.SurveyEnabled, "survey_valid_for": v.SurveyValidFor.String(),
			"recovery_threshold": v.RecoveryThreshold})
	})
	if err != nil {
		return fmt.Errorf("workflow: settings: %w", err)
	}
	return nil
}
