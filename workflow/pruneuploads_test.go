package workflow

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// The prune job deletes the uploads nobody sent within a day, on the store's clock, and keeps
// the younger ones and every file a message holds.
func TestPruneUploadsDeletesOnlyStaleUploads(t *testing.T) {
	env := newSLAEnv(t)
	ctx := context.Background()
	ana := env.agent("ana", inbox.RoleAgent)
	old, err := env.store.Upload(ctx, ana.ID, "old.txt", strings.NewReader("old"))
	if err != nil {
		t.Fatal(err)
	}
	env.advance(inbox.UploadKeep - time.Hour)
	young, err := env.store.Upload(ctx, ana.ID, "young.txt", strings.NewReader("young"))
	if err != nil {
		t.Fatal(err)
	}
	env.advance(2 * time.Hour)
	w := &pruneUploadsWorker{store: env.store}
	if err := w.Work(ctx, &river.Job[PruneUploadsArgs]{}); err != nil {
		t.Fatal(err)
	}
	if env.count(`SELECT count(*) FROM uploads WHERE id = $1`, old.ID) != 0 || env.count(`SELECT count(*) FROM uploads WHERE id = $1`, young.ID) != 1 {
		t.Fatal("the prune did not delete exactly the stale upload")
	}
	if env.count(`SELECT count(*) FROM file_chunks`) != 1 {
		t.Fatalf("%d files kept, want the young upload's only", env.count(`SELECT count(DISTINCT store_key) FROM file_chunks`))
	}
}
