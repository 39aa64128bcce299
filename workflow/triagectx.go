package workflow

import (
	"context"
	"slices"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// triageKey keys the conversations a triage transaction is handling in its context.
type triageKey struct{}

// withTriage returns ctx marked as the context of a triage transaction handling the
// conversations ids (in id order), which the Enqueuer reads through triageCovers.
func withTriage(ctx context.Context, ids []int64) context.Context {
	return context.WithValue(ctx, triageKey{}, ids)
}

// triageCovers reports whether a job that an event causes is work a triage does itself, and so
// is not enqueued: the SLA refresh of a conversation being created in the same change (its
// triage job computes its clocks once routed), and the SLA refresh and team assignment pass
// that the routing of a conversation in a triage's transaction causes (the triage refreshes
// the clocks after routing and enqueues one pass per team for its whole batch). created holds
// the conversations the same change creates.
func triageCovers(ctx context.Context, created []int64, ev inbox.Event, args river.JobArgs) bool {
	switch a := args.(type) {
	case SLAComputeArgs:
		return slices.Contains(created, a.ConversationID) || triaging(ctx, ev.ConversationID)
	case AssignWaitingArgs:
		return a.TeamID != 0 && a.AgentID == 0 && triaging(ctx, ev.ConversationID)
	}
	return false
}

// triaging reports whether ctx is a triage transaction's and handles conversation id.
func triaging(ctx context.Context, id int64) bool {
	ids, _ := ctx.Value(triageKey{}).([]int64)
	_, found := slices.BinarySearch(ids, id)
	return found && id != 0
}
