package workflow

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// AssignWaitingArgs is the job that hands waiting conversations to agents once capacity may
// have freed or a conversation started waiting: the waiting conversations of TeamID and of
// every team AgentID belongs to, oldest first across those teams. jobsFor enqueues it when an
// agent becomes available, when a conversation is unassigned, reassigned, resolved or closed
// (its agent has room again), reopened without an agent, or moved to a team without one.
//
// It is deliberately not unique: River counts a running job as a duplicate, so a unique job
// would drop the trigger of a change that commits while a pass is already running, and that
// pass may have counted loads before the change. A pass that finds nothing waiting costs one
// indexed query.
type AssignWaitingArgs struct {
	TeamID  int64 `json:"team_id,omitempty"`
	AgentID int64 `json:"agent_id,omitempty"`
	// After is the transaction id of the change that enqueued a pass of TeamID (a triage's;
	// inbox.AfterTx), or 0: a pass that finds the team's latest pass read the queue after that
	// change committed ends at once (see inbox.Store.LockTeamQueuesTx).
	After uint64 `json:"after,omitempty"`
}

// Kind implements river.JobArgs.
func (AssignWaitingArgs) Kind() string { return "assign_waiting" }

// InsertOpts puts the job on the default queue.
func (AssignWaitingArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDefault}
}

// assignWaitingWorker runs AssignWaitingArgs jobs.
type assignWaitingWorker struct {
	river.WorkerDefaults[AssignWaitingArgs]
	Store *inbox.Store
	Log   *slog.Logger
	// Jobs reads River's own table, for the passes that follow this one (see followed).
	Jobs *pgxpool.Pool
}

// Work runs one assignment pass over the teams the job names (see assignWaiting).
//
// A pass of one team that another pass of the same team follows, not yet started, is left to
// that one: it will read the queue later than this one would, so it serves every conversation
// this one would have, and the triages of a busy spell, each enqueueing a pass, cost one pass
// instead of one each.
func (w *assignWaitingWorker) Work(ctx context.Context, job *river.Job[AssignWaitingArgs]) error {
	if job.Args.TeamID != 0 && job.Args.AgentID == 0 {
		later, err := w.followed(ctx, job.ID, job.Args.TeamID)
		if err != nil || later {
			return err
		}
	}
	var teams []int64
	if job.Args.TeamID != 0 {
		teams = append(teams, job.Args.TeamID)
	}
	if job.Args.AgentID != 0 {
		ids, err := w.Store.AgentTeams(ctx, job.Args.AgentID)
		if err != nil {
			return err
		}
		teams = append(teams, ids...)
	}
	slices.Sort(teams)
	teams = slices.Compact(teams)
	if len(teams) == 0 {
		return nil
	}
	after := job.Args.After
	if job.Args.AgentID != 0 {
		after = 0
	}
	done, err := assignWaiting(ctx, w.Store, teams, after)
	if err != nil {
		return err
	}
	if w.Log != nil && len(done) > 0 {
		w.Log.Debug("assigned waiting conversations", "teams", teams, "assignments", len(done))
	}
	return nil
}

// followed reports whether a pass of team alone, enqueued after the job id, waits to start.
func (w *assignWaitingWorker) followed(ctx context.Context, id, team int64) (bool, error) {
	var later bool
	err := w.Jobs.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM river_job
		WHERE state = 'available' AND queue = $3 AND kind = 'assign_waiting'
			AND id > $1 AND args->'team_id' = to_jsonb($2::bigint) AND NOT args ? 'agent_id')`, id, team, QueueDefault).Scan(&later)
	if err != nil {
		return false, fmt.Errorf("workflow: assign team %d: later passes: %w", team, err)
	}
	return later, nil
}
