package chat

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
)

// TestMessageLoaderCombinesConcurrentRequests: many sockets asking at once, for different
// messages, the same one twice, and one that does not exist, each get their own answer.
func TestMessageLoaderCombinesConcurrentRequests(t *testing.T) {
	t.Parallel()
	store := inbox.New(dbtest.Pool(t), inbox.Options{})
	var ids []int64
	for i := range 40 {
		res, err := store.Ingest(t.Context(), inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: fmt.Sprint("l", i),
			From: inbox.Identity{Kind: inbox.IdentityEmail, Address: fmt.Sprintf("l%d@example.com", i)}, Text: fmt.Sprint("message ", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.MessageID)
	}
	l := &messageLoader{store: store}
	asks := append(append([]int64{}, ids...), ids[:10]...)
	asks = append(asks, ids[len(ids)-1]+1000) // no such message
	var wg sync.WaitGroup
	for _, id := range asks {
		wg.Go(func() {
			m, err := l.get(t.Context(), id)
			switch {
			case id > ids[len(ids)-1]:
				if !errors.Is(err, inbox.ErrNotFound) {
					t.Errorf("message %d: %v, want not found", id, err)
				}
			case err != nil || m.ID != id || m.Text != fmt.Sprint("message ", id-ids[0]):
				t.Errorf("asked %d, got %d %q (%v)", id, m.ID, m.Text, err)
			}
		})
	}
	wg.Wait()
	// Every answer is in; the loader's goroutines may still be between handing out their last
	// batch and finding nothing more to load. They must get there, and not stay loading.
	idle := func() (bool, int) {
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.loaders == 0, len(l.waiting)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		done, waiting := idle()
		if done && waiting == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the loader is left loading with %d waiting", waiting)
		}
	}
}
