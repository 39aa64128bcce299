package inbox_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// TestAPassAskedForByAChangeTheLatestPassSawEndsAtOnce: a pass of one team records the
// snapshot of its read of the queue; a later pass asked for by a change that read saw committed
// returns empty, one asked for by a change that committed after it, or that was still running
// while it read, returns the queue, and a pass over two teams never skips.
func TestAPassAskedForByAChangeTheLatestPassSawEndsAtOnce(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	addAgent(t, e, "r1", inbox.RoleAgent, 5, "available")
	support := addTeam(t, e, "Support", "r1")
	billing := addTeam(t, e, "Billing", "r1")
	waiting := customer(t, e, 1)
	queued(t, e, waiting, support)

	// change commits a transaction and returns its id, as a triage's pass carries it.
	change := func() uint64 {
		var id uint64
		inTx(t, e, func(ctx context.Context, tx pgx.Tx) error {
			var err error
			id, err = inbox.AfterTx(ctx, tx)
			return err
		})
		return id
	}
	// pass runs LockTeamQueuesTx in a committed transaction and returns how many it found
	// waiting.
	pass := func(teams []int64, after uint64) int {
		var n int
		inTx(t, e, func(ctx context.Context, tx pgx.Tx) error {
			q, err := e.store.LockTeamQueuesTx(ctx, tx, teams, after)
			n = len(q.Waiting)
			return err
		})
		return n
	}

	before := change()
	// A change still running while the next pass reads: its id is drawn, it commits later.
	running, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer running.Rollback(ctx)
	late, err := inbox.AfterTx(ctx, running)
	if err != nil {
		t.Fatal(err)
	}
	// One that began later commits before the read: the read's snapshot then lists the running
	// one as in progress, below its horizon.
	mid := change()
	if n := pass([]int64{support}, 0); n != 1 {
		t.Fatalf("first pass found %d waiting, want 1", n)
	}
	if err := running.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	after := change()

	for _, id := range []uint64{before, mid} {
		if n := pass([]int64{support}, id); n != 0 {
			t.Errorf("a pass asked for by a change the latest read saw found %d waiting, want 0 (served)", n)
		}
	}
	if n := pass([]int64{support}, late); n != 1 {
		t.Errorf("a pass asked for by a change running during the latest read found %d waiting, want 1", n)
	}
	// That pass recorded a newer read, which saw the late change: asked again, it is served.
	if n := pass([]int64{support}, late); n != 0 {
		t.Errorf("asked again after a read that saw it: found %d waiting, want 0", n)
	}
	if n := pass([]int64{support}, change()); n != 1 {
		t.Errorf("a pass asked for by a change after the latest read found %d waiting, want 1", n)
	}
	if n := pass([]int64{support, billing}, after); n != 1 {
		t.Errorf("a pass over two teams found %d waiting, want 1 (it never skips)", n)
	}
	if n := pass([]int64{support}, 0); n != 1 {
		t.Errorf("a pass asked for by no change found %d waiting, want 1", n)
	}
}
