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

// AutoCloseArgs is the job that moves an idle conversation on: pending (waiting on a customer
// who never answered) to resolved, resolved to closed, after the delays of the lifecycle
// settings. The status change enqueues it unarmed (StatusEntry 0); it then finds the status
// change in the audit trail and schedules itself, armed, at the change plus the delay. An armed
// job does nothing if the status changed again since (a customer reply wakes a pending
// conversation; reopening a resolved one), so a stale timer is harmless.
type AutoCloseArgs struct {
	ConversationID int64        `json:"conversation_id"`
	Status         inbox.Status `json:"status"`
	// Since is when the status was entered: the event's instant, then the audit entry's.
	Since time.Time `json:"since"`
	// StatusEntry is the audit entry of the status change an armed timer watches.
	StatusEntry int64     `json:"status_entry,omitempty"`
	Due         time.Time `json:"due,omitzero"`
}

// Kind implements river.JobArgs.
func (AutoCloseArgs) Kind() string { return "autoclose" }

// InsertOpts makes each timer unique.
func (AutoCloseArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// autoCloseWorker runs AutoCloseArgs jobs.
type autoCloseWorker struct {
	river.WorkerDefaults[AutoCloseArgs]
	e *engine
}

// Work arms the timer or, once due, changes the status.
func (w *autoCloseWorker) Work(ctx context.Context, job *river.Job[AutoCloseArgs]) error {
	a := job.Args
	return w.e.store.InTx(ctx, func(tx pgx.Tx) error {
		st, err := w.e.store.LockStatusTx(ctx, tx, a.ConversationID)
		if errors.Is(err, inbox.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("workflow: autoclose %d: %w", a.ConversationID, err)
		}
		status, entry, since := st.Status, st.EntryID, st.Since
		if status != a.Status || a.StatusEntry != 0 && entry != a.StatusEntry {
			return nil // the status moved on: this timer is stale
		}
		set, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		delay, next := set.PendingResolveAfter, inbox.StatusResolved
		if status == inbox.StatusResolved {
			delay, next = set.ResolvedCloseAfter, inbox.StatusClosed
		}
		if delay <= 0 || status != inbox.StatusPending && status != inbox.StatusResolved {
			return nil
		}
		due := since.Add(delay)
		if now := w.e.now(); now.Before(due) {
			armed := AutoCloseArgs{ConversationID: a.ConversationID, Status: status, Since: since, StatusEntry: entry, Due: due}
			return w.e.insert(ctx, tx, []river.InsertManyParams{{Args: armed, InsertOpts: scheduled(due)}})
		}
		system := inbox.Actor{}
		if err := w.e.store.AddAuditTx(ctx, tx, a.ConversationID, system, "autoclose",
			map[string]any{"from": status, "to": next, "idle_since": since, "after_secs": int64(delay / time.Second)}); err != nil {
			return err
		}
		if next == inbox.StatusResolved && set.AutoResolveMessage != "" {
			_, err := w.e.store.WriteTx(ctx, tx, inbox.Reply{ConversationID: a.ConversationID, Author: system,
				Text: set.AutoResolveMessage, Auto: "auto-close", SetStatus: next}, inbox.DirectionOutbound)
			return err
		}
		return w.e.store.SetStatusTx(ctx, tx, a.ConversationID, next, system)
	})
}
