package workflow

import (
	"context"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/parleyhq/parley/inbox"
)

// RouteWith routes a conversation as the route job does, inserting its assignment with jobs:
// the tests of package workflow_test probe the transaction with an inserter of their own.
func RouteWith(ctx context.Context, store *inbox.Store, conversationID int64, jobs TxInserter) (Outcome, error) {
	return newRouteWorker(store, nil, nil).Route(ctx, conversationID, jobs)
}

// Router routes conversations as one process's route job does, keeping its compiled rules
// between calls.
type Router struct{ w *routeWorker }

// NewRouter is a Router over store.
func NewRouter(store *inbox.Store) *Router { return &Router{w: newRouteWorker(store, nil, nil)} }

// Route is RouteWith through the router's own rule cache.
func (r *Router) Route(ctx context.Context, conversationID int64, jobs TxInserter) (Outcome, error) {
	return r.w.Route(ctx, conversationID, jobs)
}

// WorkAssignPass works the assign_waiting job row as the job's worker does.
func WorkAssignPass(ctx context.Context, store *inbox.Store, job *rivertype.JobRow, args AssignWaitingArgs) error {
	return (&assignWaitingWorker{Store: store, Jobs: store.Pool()}).Work(ctx, &river.Job[AssignWaitingArgs]{JobRow: job, Args: args})
}
