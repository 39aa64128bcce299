package email

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/parleyhq/parley/inbox"
)

// fakeMailboxes answers Poll as told.
type fakeMailboxes struct {
	next time.Duration
	err  error
	got  []int64
}

func (f *fakeMailboxes) Poll(ctx context.Context, inboxID int64) (time.Duration, error) {
	f.got = append(f.got, inboxID)
	return f.next, f.err
}

// The poll worker's verdicts, worked directly: a cut-short poll needs the job's own context
// cancelled, as River cancels it at shutdown.
func TestPollWorkerVerdicts(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name   string
		ctx    context.Context
		mb     *fakeMailboxes
		snooze time.Duration // want a snooze of this long; -1 none
		cancel bool          // want the job cancelled
	}{
		{"idle session over: again at once", context.Background(), &fakeMailboxes{next: 0}, 0, false},
		{"no IDLE: after the interval", context.Background(), &fakeMailboxes{next: time.Minute}, time.Minute, false},
		{"inbox deleted", context.Background(), &fakeMailboxes{err: fmt.Errorf("email: %w", inbox.ErrNotFound)}, -1, true},
		{"server down: retry", context.Background(), &fakeMailboxes{err: errors.New("connection refused")}, -1, false},
		{"shutdown: hand over at once", cancelled, &fakeMailboxes{err: context.Canceled}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &pollWorker{mailboxes: tt.mb}
			err := w.Work(tt.ctx, &river.Job[PollArgs]{JobRow: &rivertype.JobRow{Attempt: 1}, Args: PollArgs{InboxID: 7}})
			if len(tt.mb.got) != 1 || tt.mb.got[0] != 7 {
				t.Fatalf("polled %v, want inbox 7", tt.mb.got)
			}
			var snooze *river.JobSnoozeError
			var cancelErr *river.JobCancelError
			switch {
			case tt.snooze >= 0:
				if !errors.As(err, &snooze) || snooze.Duration != tt.snooze {
					t.Errorf("Work = %v, want a snooze of %v", err, tt.snooze)
				}
			case tt.cancel:
				if !errors.As(err, &cancelErr) {
					t.Errorf("Work = %v, want the job cancelled", err)
				}
			default:
				if err == nil || errors.As(err, &snooze) || errors.As(err, &cancelErr) {
					t.Errorf("Work = %v, want a plain error for River to retry", err)
				}
			}
		})
	}
}
