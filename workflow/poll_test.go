package workflow_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertest"
	"github.com/riverqueue/river/rivertype"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
	"github.com/parleyhq/parley/workflow"
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

// workerOf is the worker of T's jobs a River client of cfg registers.
func workerOf[T river.JobArgs](t *testing.T, cfg workflow.Config) river.Worker[T] {
	t.Helper()
	ws, err := workflow.Workers(cfg)
	if err != nil {
		t.Fatal(err)
	}
	w, ok := channels.Find[T](ws)
	if !ok {
		t.Fatal("no such worker")
	}
	return w
}

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
			w := workerOf[workflow.PollArgs](t, workflow.Config{Mailboxes: tt.mb})
			err := w.Work(tt.ctx, &river.Job[workflow.PollArgs]{JobRow: &rivertype.JobRow{Attempt: 1}, Args: workflow.PollArgs{InboxID: 7}})
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

// TestPollJobsOnePerInbox: the sweep gives every email inbox one poll job and no other inbox
// any; running it again, or inserting a poll job by hand, adds no second job.
func TestPollJobsOnePerInbox(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	store := inbox.New(pool, inbox.Options{SecretKey: "k"})
	var emailIDs []int64
	for _, in := range []inbox.NewInbox{
		{Kind: inbox.ChannelEmail, Name: "Support"},
		{Kind: inbox.ChannelEmail, Name: "Sales"},
		{Kind: inbox.ChannelAPI, Name: "Shop"},
	} {
		created, err := store.CreateInbox(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if in.Kind == inbox.ChannelEmail {
			emailIDs = append(emailIDs, created.ID)
		}
	}
	// rivertest's workers turn unique enforcement off; the sweep runs with a real client.
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{SkipUnknownJobCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	sweep := workerOf[workflow.PollSweepArgs](t, workflow.Config{Pool: pool, Store: store})
	for round := 0; round < 2; round++ {
		if err := sweep.Work(rivertest.WorkContext(ctx, client), &river.Job[workflow.PollSweepArgs]{}); err != nil {
			t.Fatalf("sweep: %v", err)
		}
	}
	res, err := client.Insert(ctx, workflow.PollArgs{InboxID: emailIDs[0]}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.UniqueSkippedAsDuplicate {
		t.Error("a second poll job for an inbox that has one was inserted")
	}
	rows, err := pool.Query(ctx, `SELECT (args->>'inbox_id')::bigint, queue FROM river_job WHERE kind = 'email_poll' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []int64
	for rows.Next() {
		var id int64
		var queue string
		if err := rows.Scan(&id, &queue); err != nil {
			t.Fatal(err)
		}
		if queue != workflow.QueueMailbox {
			t.Errorf("poll job of inbox %d in queue %q", id, queue)
		}
		got = append(got, id)
	}
	if fmt.Sprint(got) != fmt.Sprint(emailIDs) {
		t.Errorf("poll jobs for inboxes %v, want one for each email inbox %v", got, emailIDs)
	}
}
