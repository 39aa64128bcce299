package workflow

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// AwayArgs is the job that marks an agent away once no tab of theirs has beaten for After
// (inbox.Store.AutoAway). Away.Left inserts it, scheduled After from the moment the agent's
// last socket on a process closed. It reads the database's heartbeat (agents.online_at), which
// every process writes, so a tab open on another process keeps the agent available: the job
// then waits for the last beat plus After and looks again. A manual away or offline ends it.
type AwayArgs struct {
	AgentID int64         `json:"agent_id"`
	After   time.Duration `json:"after"`
}

// Kind implements river.JobArgs.
func (AwayArgs) Kind() string { return "agent_away" }

// InsertOpts keeps one timer per agent: a burst of closing tabs inserts it once, and a close
// while it waits leaves it waiting (it reads the last heartbeat when it runs).
func (AwayArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// awayWorker runs AwayArgs jobs.
type awayWorker struct {
	river.WorkerDefaults[AwayArgs]
	store *inbox.Store
}

// Work marks the agent away, or snoozes until their last heartbeat plus After when a tab beat
// since (River does not count a snooze as an attempt).
func (w *awayWorker) Work(ctx context.Context, job *river.Job[AwayArgs]) error {
	wait, err := w.store.AutoAway(ctx, job.Args.AgentID, job.Args.After)
	if err != nil {
		return fmt.Errorf("workflow: away %d: %w", job.Args.AgentID, err)
	}
	if wait > 0 {
		return river.JobSnooze(wait)
	}
	return nil
}

// Scheduler inserts one job outside any transaction, with opts (Enqueuer implements it).
type Scheduler interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error
}

// Away is automatic away: the agent socket calls Left when an agent's last tab on the process
// closes and Returned when one opens.
type Away struct {
	store *inbox.Store
	jobs  Scheduler
	after time.Duration
}

// NewAway returns the automatic away of store: an agent whose tabs have all been closed for
// after becomes away; after <= 0 turns it off (Left does nothing, Returned still restores).
func NewAway(store *inbox.Store, jobs Scheduler, after time.Duration) *Away {
	return &Away{store: store, jobs: jobs, after: after}
}

// Left schedules the agent's away timer, after from now by the store's clock.
func (a *Away) Left(ctx context.Context, agentID int64) error {
	if a.after <= 0 {
		return nil
	}
	return a.jobs.Insert(ctx, AwayArgs{AgentID: agentID, After: a.after},
		&river.InsertOpts{ScheduledAt: a.store.Now().Add(a.after)})
}

// Returned makes the agent available again if the system had made them away; a manual away
// or offline stays.
func (a *Away) Returned(ctx context.Context, agentID int64) error {
	_, err := a.store.ReturnFromAway(ctx, agentID)
	return err
}
