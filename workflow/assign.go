package workflow

import (
	"context"
	"errors"
	"log/slog"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// AssignArgs is the job that finds an agent for a newly routed conversation: the route job
// enqueues it in its own transaction.
type AssignArgs struct {
	ConversationID int64 `json:"conversation_id"`
}

// Kind implements river.JobArgs.
func (AssignArgs) Kind() string { return "assign" }

// InsertOpts makes one assign job per conversation.
func (AssignArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDefault, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// assignWorker runs AssignArgs jobs.
type assignWorker struct {
	river.WorkerDefaults[AssignArgs]
	Store *inbox.Store
	Log   *slog.Logger
}

// Work gives the conversation's team's queue, oldest first and this conversation included, to
// the team's least-loaded available agents under capacity (see assignWaiting): a new
// conversation never overtakes older ones waiting in its team. With no agent free, it waits
// unassigned until capacity frees (AssignWaitingArgs). A conversation already assigned, of no
// team, resolved or closed is left alone.
func (w *assignWorker) Work(ctx context.Context, job *river.Job[AssignArgs]) error {
	conv, err := w.Store.GetConversation(ctx, job.Args.ConversationID)
	if errors.Is(err, inbox.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if conv.AssigneeID != nil || conv.TeamID == nil || !active(conv.Status) {
		return nil
	}
	done, err := assignWaiting(ctx, w.Store, []int64{*conv.TeamID}, 0)
	if err != nil {
		return err
	}
	if w.Log != nil && len(done) > 0 {
		w.Log.Debug("assigned", "team", *conv.TeamID, "assignments", len(done))
	}
	return nil
}

// active reports whether a conversation in status s counts toward its agent's load and may
// wait for one.
func active(s inbox.Status) bool {
	return s == inbox.StatusNew || s == inbox.StatusOpen || s == inbox.StatusPending
}
