package workflow

import (
	"context"
	"slices"
	"testing"

	"github.com/riverqueue/river"
)

// The fold job moves what a conversation could not write onto its held contact (a news row)
// onto the contact, and leaves nothing behind; run again, it changes nothing.
func TestContactReachFoldMovesNewsOntoContacts(t *testing.T) {
	env := newSLAEnv(t)
	ctx := context.Background()
	res := env.sms("+14155550131", "SM1", "Where is my parcel?")
	var contact int64
	if err := env.pool.QueryRow(ctx, `SELECT contact_id FROM conversations WHERE id = $1`, res.ConversationID).Scan(&contact); err != nil {
		t.Fatal(err)
	}
	if _, err := env.pool.Exec(ctx, `INSERT INTO contact_reach_news (contact_id, keys, seen_at) VALUES ($1, '{t:99,c:sms}', now() + interval '1 day')`, contact); err != nil {
		t.Fatal(err)
	}
	w := &contactReachFoldWorker{store: env.store}
	for range 2 {
		if err := w.Work(ctx, &river.Job[ContactReachFoldArgs]{}); err != nil {
			t.Fatal(err)
		}
	}
	var reach []string
	var news int
	var ahead bool
	if err := env.pool.QueryRow(ctx, `SELECT reach, seen_at > now(), (SELECT count(*) FROM contact_reach_news) FROM contacts WHERE id = $1`, contact).
		Scan(&reach, &ahead, &news); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(reach, []string{"c:sms", "t:", "t:99"}) || !ahead || news != 0 {
		t.Fatalf("after the fold: reach %v, seen_at moved on %v, %d news rows left", reach, ahead, news)
	}
}
