package workflow

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// SLAComputeArgs is the job that brings a conversation's SLA clocks up to date after a change
// that may move them: the conversation started, its status, priority or team changed, the
// customer wrote or an agent replied. It reads the current state, so duplicates and any order
// of arrival give the same result.
type SLAComputeArgs struct {
	ConversationID int64 `json:"conversation_id"`
}

// Kind implements river.JobArgs.
func (SLAComputeArgs) Kind() string { return "sla_compute" }

// slaComputeWorker runs SLAComputeArgs jobs.
type slaComputeWorker struct {
	river.WorkerDefaults[SLAComputeArgs]
	e *engine
}

// Work refreshes the clocks and schedules the deadlines that changed.
func (w *slaComputeWorker) Work(ctx context.Context, job *river.Job[SLAComputeArgs]) error {
	err := w.e.store.InTx(ctx, func(tx pgx.Tx) error {
		_, err := w.e.refresh(ctx, tx, job.Args.ConversationID)
		return err
	})
	if errors.Is(err, errNoConversation) {
		return river.JobCancel(err)
	}
	return err
}
