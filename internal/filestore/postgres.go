package filestore

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// chunkSize is the most one row of file_chunks holds.
const chunkSize = 1 << 20

// Postgres keeps files in the database, in the file_chunks table (migration 278): fine for a
// small team, nothing else to run or back up.
type Postgres struct {
	pool *pgxpool.Pool
}

// NewPostgres returns the PostgreSQL backend on pool.
func NewPostgres(pool *pgxpool.Pool) *Postgres { return &Postgres{pool: pool} }

// Put implements Store: the chunks are written in one transaction, so a failed read leaves
// nothing behind.
func (p *Postgres) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	if err := checkKey(key); err != nil {
		return 0, err
	}
	var total int64
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		total = 0
		buf := make([]byte, chunkSize)
		for seq := 0; ; seq++ {
			n, rerr := io.ReadFull(r, buf)
			if rerr != nil && rerr != io.EOF && rerr != io.ErrUnexpectedEOF {
				return fmt.Errorf("filestore: put %s: %w", key, rerr)
			}
			if n > 0 || seq == 0 {
				if _, err := tx.Exec(ctx, `INSERT INTO file_chunks (store_key, seq, data) VALUES ($1, $2, $3)`,
					key, seq, buf[:n]); err != nil {
					return fmt.Errorf("filestore: put %s: %w", key, err)
				}
				total += int64(n)
			}
			if rerr != nil {
				return nil
			}
		}
	})
	return total, err
}

// Open implements Store: the reader fetches one chunk at a time.
func (p *Postgres) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	var first []byte
	err := p.pool.QueryRow(ctx, `SELECT data FROM file_chunks WHERE store_key = $1 AND seq = 0`, key).Scan(&first)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("filestore: open %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("filestore: open %s: %w", key, err)
	}
	return &chunkReader{ctx: ctx, pool: p.pool, key: key, cur: first, next: 1}, nil
}

// Delete implements Store.
func (p *Postgres) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if _, err := p.pool.Exec(ctx, `DELETE FROM file_chunks WHERE store_key = $1`, key); err != nil {
		return fmt.Errorf("filestore: delete %s: %w", key, err)
	}
	return nil
}

// chunkReader reads a file's chunks in order, one query each.
type chunkReader struct {
	ctx  context.Context
	pool *pgxpool.Pool
	key  string
	cur  []byte
	next int
	done bool
}

func (c *chunkReader) Read(b []byte) (int, error) {
	for len(c.cur) == 0 {
		if c.done {
			return 0, io.EOF
		}
		err := c.pool.QueryRow(c.ctx, `SELECT data FROM file_chunks WHERE store_key = $1 AND seq = $2`, c.key, c.next).Scan(&c.cur)
		if errors.Is(err, pgx.ErrNoRows) {
			c.done = true
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("filestore: read %s: %w", c.key, err)
		}
		c.next++
	}
	n := copy(b, c.cur)
	c.cur = c.cur[n:]
	return n, nil
}

func (c *chunkReader) Close() error { c.cur, c.done = nil, true; return nil }
