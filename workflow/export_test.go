package workflow

import (
	"context"

	"github.com/parleyhq/parley/inbox"
)

// RouteWith routes a conversation as the route job does, inserting its assignment with jobs:
// the tests of package workflow_test probe the transaction with an inserter of their own.
func RouteWith(ctx context.Context, store *inbox.Store, conversationID int64, jobs TxInserter) (Outcome, error) {
	return (&routeWorker{Store: store}).Route(ctx, conversationID, jobs)
}
