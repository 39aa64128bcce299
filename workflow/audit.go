package workflow

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// As returns the rules acting for by: each change they make is recorded in the audit log as
// by's, in the change's own transaction. Rules not made with As record the system as actor.
func (r *Rules) As(by inbox.AuditActor) *Rules {
	c := *r
	c.by = by
	return &c
}

// As returns the SLA desk acting for by: each policy or settings change it makes is recorded in
// the audit log as by's, in the change's own transaction. Without As the actor is the system.
func (s *SLA) As(by inbox.AuditActor) *SLA {
	c := *s
	c.by = by
	return &c
}

// audit appends an event of kind about target by by to the audit log, on tx.
func audit(ctx context.Context, tx pgx.Tx, store *inbox.Store, by inbox.AuditActor, kind, target string, data map[string]any) error {
	return store.RecordAuditTx(ctx, tx, by.Record(kind, target, data))
}
