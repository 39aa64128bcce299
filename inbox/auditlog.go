package inbox

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Kinds of security and admin events in the audit log.
const (
	AuditSignIn          = "signin"
	AuditSignInFailed    = "signin.failed"
	AuditSignOutAll      = "signout.all"
	AuditTOTPEnrolled    = "2fa.enrolled"
	AuditTOTPDisabled    = "2fa.disabled"
	AuditTOTPFailed      = "2fa.failed"
	AuditRecoveryUsed    = "2fa.recovery_used"
	AuditPasswordChanged = "password.changed"
	AuditPasswordReset   = "password.reset"
	AuditResetRequested  = "password.reset_requested"
	AuditTokenCreated    = "token.created"
	AuditTokenRevoked    = "token.revoked"
	AuditAgentCreated    = "agent.created"
	AuditAgentDeactivate = "agent.deactivated"
	AuditAgentActivate   = "agent.activated"
	AuditAgentRole       = "agent.role"
	// AuditAgentChanged records a change of an agent's name or capacity.
	AuditAgentChanged = "agent.changed"
	// AuditCannedChanged records a canned response added, changed or deleted.
	AuditCannedChanged   = "canned.changed"
	AuditInboxChanged    = "inbox.changed"
	AuditRuleChanged     = "rule.changed"
	AuditPolicyChanged   = "sla_policy.changed"
	AuditContactsMerged  = "contacts.merged"
	AuditSecretsRotated  = "secrets.rotated"
	AuditSettingsChanged = "settings.changed"
	AuditTeamChanged     = "team.changed"
	AuditWebhookChanged  = "webhook.changed"
	AuditDeliveryRetried = "delivery.retried"
	// AuditCategoryChanged records a change of the category or resolution code lists.
	AuditCategoryChanged = "category.changed"
	// AuditMacroChanged records a macro added, changed or deleted.
	AuditMacroChanged = "macro.changed"
)

// AuditRecord is one row of the security and admin audit log (table audit_log, append-only).
type AuditRecord struct {
	ID int64     `json:"id"`
	At time.Time `json:"at"`
	// Kind is one of the Audit* constants.
	Kind string `json:"kind"`
	// ActorID is the agent who acted; 0 for the command line, the system, or an unknown
	// sign-in. Actor is what the log shows for them: an email, "cli" or "system".
	ActorID int64  `json:"actor_id,omitempty"`
	Actor   string `json:"actor"`
	// Target names what the event is about: "agent:12", "token:4", "inbox:3", "rule:9".
	Target   string         `json:"target,omitempty"`
	SourceIP string         `json:"source_ip,omitempty"`
	Data     map[string]any `json:"data,omitempty"`
}

// execer is what RecordAuditTx writes through: a transaction or the pool.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// RecordAudit appends one event to the audit log. At defaults to the store's clock.
func (s *Store) RecordAudit(ctx context.Context, r AuditRecord) error {
	return s.recordAudit(ctx, s.pool, r)
}

// RecordAuditTx appends one event to the audit log on tx, so the event commits exactly when the
// change it records does.
func (s *Store) RecordAuditTx(ctx context.Context, tx pgx.Tx, r AuditRecord) error {
	return s.recordAudit(ctx, tx, r)
}

func (s *Store) recordAudit(ctx context.Context, db execer, r AuditRecord) error {
	if r.At.IsZero() {
		r.At = s.now()
	}
	if r.Data == nil {
		r.Data = map[string]any{}
	}
	if data, changed := cleanValue(r.Data); changed {
		r.Data, _ = data.(map[string]any)
	}
	var actorID *int64
	if r.ActorID != 0 {
		actorID = &r.ActorID
	}
	_, err := db.Exec(ctx, `INSERT INTO audit_log (at, kind, actor_id, actor, target, source_ip, data)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		r.At, r.Kind, actorID, clean(r.Actor), clean(r.Target), clean(r.SourceIP), r.Data)
	if err != nil {
		return fmt.Errorf("inbox: audit log %s: %w", r.Kind, err)
	}
	return nil
}

// clean is cleanString without its report.
func clean(s string) string {
	out, _ := cleanString(s)
	return out
}
