package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// SnoozeWakeArgs is the job that wakes a snoozed conversation when its snooze ends. A snooze's
// event (conversation.status to snoozed, Data["until"]) inserts it, in the snooze's transaction,
// scheduled at Until. It wakes the conversation only if it is still snoozed until exactly Until
// (inbox.Store.WakeTx): the timer of a snooze that was moved, woken early, resolved or closed
// does nothing, and so does a second run of the same timer.
type SnoozeWakeArgs struct {
	ConversationID int64     `json:"conversation_id"`
	Until          time.Time `json:"until"`
}

// Kind implements river.JobArgs.
func (SnoozeWakeArgs) Kind() string { return "snooze_wake" }

// InsertOpts makes each timer unique: one job per conversation and instant.
func (SnoozeWakeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// snoozeWakeWorker runs SnoozeWakeArgs jobs.
type snoozeWakeWorker struct {
	river.WorkerDefaults[SnoozeWakeArgs]
	e *engine
}

// Work wakes the conversation, or waits for Until when run before it by the store's clock (River
// runs a job at its ScheduledAt by the database's clock; the store's may differ).
func (w *snoozeWakeWorker) Work(ctx context.Context, job *river.Job[SnoozeWakeArgs]) error {
	a := job.Args
	if wait := a.Until.Sub(w.e.now()); wait > 0 {
		return river.JobSnooze(wait)
	}
	err := w.e.store.InTx(ctx, func(tx pgx.Tx) error {
		_, err := w.e.store.WakeTx(ctx, tx, a.ConversationID, a.Until)
		return err
	})
	if err != nil && !errors.Is(err, inbox.ErrNotFound) {
		return fmt.Errorf("workflow: snooze wake %d: %w", a.ConversationID, err)
	}
	return nil
}

// snoozeJobs maps a snooze's event to its wake-up timer, scheduled at the snooze's end.
func snoozeJobs(ev inbox.Event) []river.InsertManyParams {
	if ev.Type != inbox.EventConversationStatus || ev.Status != inbox.StatusSnoozed {
		return nil
	}
	until, ok := ev.Data["until"].(time.Time)
	if !ok {
		return nil // an event read back from a NOTIFY: its jobs were inserted with the change
	}
	return []river.InsertManyParams{{Args: SnoozeWakeArgs{ConversationID: ev.ConversationID, Until: until},
		InsertOpts: scheduled(until)}}
}
