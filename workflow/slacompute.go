package workflow

import (
	"context"
	"errors"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// SLAComputeArgs is the job that brings conversations' SLA clocks up to date after a change
// that may move them: the conversation started, its status, priority or team changed, the
// customer wrote or an agent replied. It reads the current state, so duplicates and any order
// of arrival give the same result. A change that moves the clocks of several conversations (a
// group commit of the ingest) enqueues one job for all of them (ConversationIDs);
// ConversationID is read for the jobs enqueued before, which named one conversation each.
type SLAComputeArgs struct {
	ConversationID  int64   `json:"conversation_id,omitempty"`
	ConversationIDs []int64 `json:"conversation_ids,omitempty"`
}

// Kind implements river.JobArgs.
func (SLAComputeArgs) Kind() string { return "sla_compute" }

// ids returns the conversations the job names, in id order without repeats (the order their
// clock locks are taken in, so that two jobs naming some of the same conversations cannot
// deadlock).
func (a SLAComputeArgs) ids() []int64 {
	ids := slices.Clone(a.ConversationIDs)
	if a.ConversationID != 0 {
		ids = append(ids, a.ConversationID)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// normalized is the job naming the same conversations in ConversationIDs alone, in id order.
func (a SLAComputeArgs) normalized() SLAComputeArgs {
	return SLAComputeArgs{ConversationIDs: a.ids()}
}

// slaComputeWorker runs SLAComputeArgs jobs.
type slaComputeWorker struct {
	river.WorkerDefaults[SLAComputeArgs]
	e *engine
}

// Work refreshes the clocks and schedules the deadlines that changed, for all the job's
// conversations in one transaction (refreshMany). When one of them no longer exists, each of
// the others is refreshed in a transaction of its own; a job whose only conversation is gone
// is cancelled.
func (w *slaComputeWorker) Work(ctx context.Context, job *river.Job[SLAComputeArgs]) error {
	ids := job.Args.ids()
	err := w.e.store.InTx(ctx, func(tx pgx.Tx) error {
		_, err := w.e.refreshMany(ctx, tx, ids)
		return err
	})
	if !errors.Is(err, errNoConversation) {
		return err
	}
	if len(ids) == 1 {
		return river.JobCancel(err)
	}
	for _, id := range ids {
		err := w.e.store.InTx(ctx, func(tx pgx.Tx) error {
			_, err := w.e.refresh(ctx, tx, id)
			return err
		})
		if err != nil && !errors.Is(err, errNoConversation) {
			return err
		}
	}
	return nil
}
