package inbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// pipeTx is a transaction that spends no round trip of its own on BEGIN or COMMIT: BEGIN is
// sent in the same pipelined batch as the transaction's first statements, and commit sends
// the last statements and COMMIT together. A group commit is a chain of round trips each batch
// must wait for in turn, so every one saved raises the throughput of a committer. It implements
// pgx.Tx for the code it hands the transaction to (the ingest waves, the Jobs enqueuer) but
// not nested transactions, which that code does not use.
type pipeTx struct {
	conn  *pgx.Conn
	begun bool
}

var _ pgx.Tx = (*pipeTx)(nil)

// errNested is what Begin answers: a group commit's transaction has no savepoints.
var errNested = errors.New("inbox: nested transactions are not supported in a group commit")

// start sends BEGIN on its own, for a first statement that is not a batch.
func (t *pipeTx) start(ctx context.Context) error {
	if t.begun {
		return nil
	}
	if _, err := t.conn.Exec(ctx, "begin"); err != nil {
		return fmt.Errorf("inbox: begin: %w", err)
	}
	t.begun = true
	return nil
}

// SendBatch sends b, led by BEGIN when it is the transaction's first.
func (t *pipeTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	if t.begun {
		return t.conn.SendBatch(ctx, b)
	}
	t.begun = true
	led := &pgx.Batch{}
	led.Queue("begin")
	led.QueuedQueries = append(led.QueuedQueries, b.QueuedQueries...)
	br := t.conn.SendBatch(ctx, led)
	if _, err := br.Exec(); err != nil {
		// Without BEGIN the statements behind it would each commit on their own: report them
		// all failed (the server skips them once BEGIN fails in the pipeline).
		_ = br.Close()
		return pgx.FailedBatchResults(b, fmt.Errorf("inbox: begin with the first statements: %w", err))
	}
	return br
}

// commitWith sends the statements of b and COMMIT in one round trip.
func (t *pipeTx) commitWith(ctx context.Context, b *pgx.Batch) error {
	if err := t.start(ctx); err != nil {
		return err
	}
	n := b.Len()
	b.Queue("commit")
	br := t.conn.SendBatch(ctx, b)
	for range n {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return err
		}
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("inbox: commit: %w", err)
	}
	if tag.String() != "COMMIT" {
		return fmt.Errorf("inbox: commit: %w", pgx.ErrTxCommitRollback)
	}
	return nil
}

// Commit commits the transaction.
func (t *pipeTx) Commit(ctx context.Context) error { return t.commitWith(ctx, &pgx.Batch{}) }

// Rollback rolls the transaction back, if the connection is still in one.
func (t *pipeTx) Rollback(ctx context.Context) error {
	if t.conn.PgConn().TxStatus() == 'I' {
		return nil
	}
	if _, err := t.conn.Exec(ctx, "rollback"); err != nil {
		return fmt.Errorf("inbox: rollback: %w", err)
	}
	return nil
}

// Begin refuses: see errNested.
func (t *pipeTx) Begin(context.Context) (pgx.Tx, error) { return nil, errNested }

// Exec runs a statement in the transaction.
func (t *pipeTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if err := t.start(ctx); err != nil {
		return pgconn.CommandTag{}, err
	}
	return t.conn.Exec(ctx, sql, args...)
}

// Query runs a query in the transaction.
func (t *pipeTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if err := t.start(ctx); err != nil {
		return nil, err
	}
	return t.conn.Query(ctx, sql, args...)
}

// QueryRow runs a query of one row in the transaction.
func (t *pipeTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if err := t.start(ctx); err != nil {
		return errRow{err}
	}
	return t.conn.QueryRow(ctx, sql, args...)
}

// CopyFrom copies rows into a table in the transaction.
func (t *pipeTx) CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error) {
	if err := t.start(ctx); err != nil {
		return 0, err
	}
	return t.conn.CopyFrom(ctx, table, cols, src)
}

// Prepare prepares a statement on the transaction's connection.
func (t *pipeTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	return t.conn.Prepare(ctx, name, sql)
}

// LargeObjects is not supported: nothing a group commit runs uses large objects, and the zero
// value it returns must not be used.
func (t *pipeTx) LargeObjects() pgx.LargeObjects { return pgx.LargeObjects{} }

// Conn is the transaction's connection.
func (t *pipeTx) Conn() *pgx.Conn { return t.conn }

// errRow is a row that failed before it was read.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
