package inbox

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// The one retry of transactions that PostgreSQL aborted to break a lock cycle (deadlock_detected,
// 40P01) or because a concurrent change made them impossible to serialize
// (serialization_failure, 40001). The lock order (see the package doc) leaves no cycle among
// the rows this package locks, but a few remain possible (a River unique job inserted while
// another transaction holds it, a contact merged while its customer writes): such a transaction
// is rolled back whole, so running it again is safe and nearly always succeeds. InTx and the
// group commit run their transactions through retryTx; nothing else retries, and callers never
// see these errors unless every attempt failed.
const (
	// txAttempts is how many times a transaction is tried in all.
	txAttempts = 6
	// firstBackoff and maxBackoff bound the pause between attempts, which doubles from the
	// first and is drawn at random (full jitter) so that the two sides of a deadlock do not
	// collide again in step.
	firstBackoff = 2 * time.Millisecond
	maxBackoff   = 250 * time.Millisecond
)

// Retryable reports whether err is a deadlock or a serialization failure: a transaction that
// failed with it changed nothing and may be run again.
func Retryable(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40P01" || pg.Code == "40001")
}

// retryTx runs attempt, a whole transaction, until it returns nil or an error that is not
// Retryable, at most txAttempts times, pausing a random fraction of a doubling backoff in
// between. It returns the last error; when ctx ends during a pause, that attempt's error.
func retryTx(ctx context.Context, attempt func() error) error {
	backoff := firstBackoff
	for n := 1; ; n++ {
		err := attempt()
		if err == nil || n == txAttempts || !Retryable(err) {
			return err
		}
		t := time.NewTimer(rand.N(backoff) + time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		backoff = min(2*backoff, maxBackoff)
	}
}
