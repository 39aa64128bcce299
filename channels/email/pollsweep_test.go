package email_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertest"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/channels/email"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
)

// TestPollJobsOnePerInbox: the sweep gives every email inbox one poll job and no other inbox,
// nor a disabled one, any; running it again, or inserting a poll job by hand, adds no second job.
func TestPollJobsOnePerInbox(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	store := inbox.New(pool, inbox.Options{SecretKey: "k"})
	var emailIDs []int64
	for _, in := range []inbox.NewInbox{
		{Kind: inbox.ChannelEmail, Name: "Support"},
		{Kind: inbox.ChannelEmail, Name: "Sales"},
		{Kind: inbox.ChannelAPI, Name: "Shop"},
		{Kind: inbox.ChannelEmail, Name: "Archive"},
	} {
		created, err := store.CreateInbox(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if in.Name == "Archive" {
			if err := store.InTx(ctx, func(tx pgx.Tx) error {
				_, err := store.SetInboxDisabledTx(ctx, tx, created.ID, true)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			continue
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
	parts, err := email.NewChannel().Open(ctx, channels.Env{Store: store, Pool: pool, SecretKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	sweep, ok := channels.Find[email.PollSweepArgs](parts.Workers)
	if !ok {
		t.Fatal("the email channel has no sweep worker")
	}
	for round := 0; round < 2; round++ {
		if err := sweep.Work(rivertest.WorkContext(ctx, client), &river.Job[email.PollSweepArgs]{}); err != nil {
			t.Fatalf("sweep: %v", err)
		}
	}
	res, err := client.Insert(ctx, email.PollArgs{InboxID: emailIDs[0]}, nil)
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
		if queue != email.QueueMailbox {
			t.Errorf("poll job of inbox %d in queue %q", id, queue)
		}
		got = append(got, id)
	}
	if fmt.Sprint(got) != fmt.Sprint(emailIDs) {
		t.Errorf("poll jobs for inboxes %v, want one for each email inbox %v", got, emailIDs)
	}
}
