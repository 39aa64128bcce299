package workflow

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/sla"
)

// clockInstant is what a job scheduled at one of a clock's instants (its warning, its due time)
// does once the instant has come.
type clockInstant struct {
	// at picks the instant from the clock.
	at func(c *clockRow) *time.Time
	// done reports that there is nothing left to do (already warned, already breached).
	done func(cc *convClocks, c *clockRow) bool
	// act does the job's work on tx.
	act func(ctx context.Context, tx pgx.Tx, cc *convClocks, c *clockRow, now time.Time) error
	// event is what act announces (EventSLAWarning, EventSLABreach), counted by the Meter once
	// its transaction committed.
	event string
}

// atInstant runs job on the clock (conversationID, target) in one transaction. The clock is
// refreshed first, so a reply committed just before the instant counts. A clock whose
// generation moved on (its instants were recomputed), that is not running or that job reports
// done is left alone; one whose instant is still ahead snoozes the job until then; a
// conversation that is gone cancels it.
func (e *engine) atInstant(ctx context.Context, conversationID int64, target sla.Target, generation int, job clockInstant) error {
	var wait time.Duration
	acted := false
	err := e.store.InTx(ctx, func(tx pgx.Tx) error {
		cc, err := e.refresh(ctx, tx, conversationID)
		if err != nil {
			return err
		}
		c := cc.clocks[target]
		if c == nil || c.generation != generation || c.state != sla.Running || job.done(cc, c) {
			return nil
		}
		now := e.now()
		if at := job.at(c); now.Before(*at) {
			wait = at.Sub(now)
			return nil
		}
		acted = true
		return job.act(ctx, tx, cc, c, now)
	})
	if err == nil && acted && job.event != "" {
		e.meter.SLA(job.event)
	}
	if errors.Is(err, errNoConversation) {
		return river.JobCancel(err)
	}
	if err == nil && wait > 0 {
		return river.JobSnooze(wait)
	}
	return err
}
