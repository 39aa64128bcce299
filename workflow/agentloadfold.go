package workflow

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// agentLoadFoldEvery is how often the fold runs. Until it does, an agent whom no assignment
// pass reads (away, without capacity, in no team) keeps a row of news for each change of their
// conversations; their load stays exact either way (see inbox.Store.FoldAgentLoads).
const agentLoadFoldEvery = time.Hour

// AgentLoadFoldArgs is the periodic job that folds agent_load_news into the agents' loads
// (inbox.Store.FoldAgentLoads).
type AgentLoadFoldArgs struct{}

// Kind implements river.JobArgs.
func (AgentLoadFoldArgs) Kind() string { return "agent_load_fold" }

// InsertOpts makes one fold per interval.
func (AgentLoadFoldArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: agentLoadFoldEvery}}
}

// AgentLoadFoldPeriodically schedules the fold every agentLoadFoldEvery, and once on start.
func AgentLoadFoldPeriodically() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(agentLoadFoldEvery),
		func() (river.JobArgs, *river.InsertOpts) { return AgentLoadFoldArgs{}, nil },
		&river.PeriodicJobOpts{ID: "agent_load_fold", RunOnStart: true})
}

// agentLoadFoldWorker runs AgentLoadFoldArgs jobs.
type agentLoadFoldWorker struct {
	river.WorkerDefaults[AgentLoadFoldArgs]
	store *inbox.Store
}

// Work folds every agent's news that no other transaction holds.
func (w *agentLoadFoldWorker) Work(ctx context.Context, _ *river.Job[AgentLoadFoldArgs]) error {
	if _, err := w.store.FoldAgentLoads(ctx); err != nil {
		return fmt.Errorf("workflow: agent load fold: %w", err)
	}
	return nil
}
