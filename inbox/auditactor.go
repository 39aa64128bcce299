package inbox

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// AuditActor is who makes an admin change, as the audit log records them.
type AuditActor struct {
	// AgentID is the acting agent; 0 for the command line or the system.
	AgentID int64
	// Name is what the log shows: the agent's email, "cli" or "system" (empty means "system").
	Name string
	// IP is the client address of the request that made the change, if any.
	IP string
}

// CLIActor is the command line (`parley ...`), which acts as no agent.
func CLIActor() AuditActor { return AuditActor{Name: "cli"} }

// Record is the audit record of an event of kind about target, made by a.
func (a AuditActor) Record(kind, target string, data map[string]any) AuditRecord {
	name := a.Name
	if name == "" {
		name = "system"
	}
	return AuditRecord{Kind: kind, ActorID: a.AgentID, Actor: name, Target: target, SourceIP: a.IP, Data: data}
}

// AuditTarget names a row for an audit record's Target: AuditTarget("rule", 9) is "rule:9".
func AuditTarget(kind string, id int64) string { return kind + ":" + strconv.FormatInt(id, 10) }

// auditAgent is the agent of id as an audit actor, named by their email; id 0 is the system.
func auditAgent(ctx context.Context, tx pgx.Tx, id int64) (AuditActor, error) {
	if id == 0 {
		return AuditActor{}, nil
	}
	a := AuditActor{AgentID: id}
	if err := tx.QueryRow(ctx, `SELECT email FROM agents WHERE id = $1`, id).Scan(&a.Name); err != nil {
		return a, fmt.Errorf("audit actor %d: %w", id, notFound(err))
	}
	return a, nil
}

// Audited runs change in one transaction and appends the audit record it returns to the log in
// that same transaction: the change and its record commit together or not at all. A change
// that fails records nothing.
func (s *Store) Audited(ctx context.Context, change func(tx pgx.Tx) (AuditRecord, error)) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		rec, err := change(tx)
		if err != nil {
			return err
		}
		return s.RecordAuditTx(ctx, tx, rec)
	})
}
