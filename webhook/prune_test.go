package webhook_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/webhook"
)

// The prune deletes settled deliveries older than LogKeep and nothing else: a pending one
// stays however old, and so does a recent settled one.
func TestPruneKeepsPendingAndRecentDeliveries(t *testing.T) {
	e := setup(t, true)
	ep := e.endpoint(t, "", secret, inbox.EventMessageCreated)
	e.customer(t, 1, "old and delivered")
	e.customer(t, 2, "old and still pending")
	e.customer(t, 3, "recent and delivered")
	ds := e.deliveries(t, ep.ID) // newest first
	if len(ds) != 3 {
		t.Fatalf("%d deliveries planned, want 3", len(ds))
	}
	recent, pending, old := ds[0].ID, ds[1].ID, ds[2].ID
	e.recv.answerWith(http.StatusOK, "ok")
	for _, id := range []int64{old, recent} {
		if err := e.worker.WorkJob(t, e.jobOf(t, id), 1); err != nil {
			t.Fatalf("delivery %d: %v", id, err)
		}
	}
	ctx := context.Background()
	now := time.Now()
	if _, err := e.pool.Exec(ctx, `UPDATE webhook_deliveries SET created_at = $1 WHERE id = ANY($2)`,
		now.Add(-webhook.LogKeep-time.Hour), []int64{old, pending}); err != nil {
		t.Fatal(err)
	}
	n, err := e.hooks.PruneLog(ctx, now.Add(-webhook.LogKeep))
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("pruned %d deliveries, want 1", n)
	}
	left := map[int64]bool{}
	for _, d := range e.deliveries(t, ep.ID) {
		left[d.ID] = true
	}
	if left[old] || !left[pending] || !left[recent] || len(left) != 2 {
		t.Fatalf("after the prune: %v (old %d, pending %d, recent %d)", left, old, pending, recent)
	}
}
