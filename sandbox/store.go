package sandbox

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Keep is how many entries the sandbox keeps: each insert prunes the older ones.
const Keep = 500

// maxPayload is the most of a payload kept (a MIME message with large attachments is cut).
const maxPayload = 512 << 10

// Channels of the entries.
const (
	ChannelEmail = "email"
	ChannelSMS   = "sms"
	ChannelSlack = "slack"
)

// Entry is one request a provider would have received.
type Entry struct {
	ID int64
	// Channel is email, sms or slack.
	Channel string
	// Request names the call: "POST /2010-04-01/Accounts/AC.../Messages.json",
	// "chat.postMessage", "SMTP".
	Request string
	// Destination is where it was going: a phone number, a Slack channel (and thread), an
	// email recipient.
	Destination string
	// Summary is the text a person would read: the SMS body, the Slack text, the subject.
	Summary string
	// Payload is what the provider received, as it received it: the form body, the MIME
	// message (cut at 512 KiB). Credentials are never kept.
	Payload   string
	CreatedAt time.Time
	// Truncated tells that Payload was cut.
	Truncated bool
}

// Store keeps the entries in PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

// NewStore returns a Store on pool; now tells the time (nil: time.Now).
func NewStore(pool *pgxpool.Pool, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{pool: pool, now: now}
}

// Record stores e (its ID and CreatedAt are set here) and prunes all but the newest Keep
// entries, in one transaction. It returns the stored entry.
func (s *Store) Record(ctx context.Context, e Entry) (Entry, error) {
	e.CreatedAt = s.now()
	e.Payload, e.Truncated = clip(e.Payload, maxPayload)
	e.Summary, _ = clip(e.Summary, 1000)
	e.Destination, _ = clip(e.Destination, 500)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO sandbox_entries (channel, request, destination, summary, payload, truncated, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			e.Channel, e.Request, e.Destination, e.Summary, e.Payload, e.Truncated, e.CreatedAt).Scan(&e.ID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM sandbox_entries WHERE id <= $1`, e.ID-Keep)
		return err
	})
	if err != nil {
		return Entry{}, fmt.Errorf("sandbox: record: %w", err)
	}
	return e, nil
}

// Recent returns the newest entries, newest first, at most limit.
func (s *Store) Recent(ctx context.Context, limit int) ([]Entry, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, channel, request, destination, summary, payload, truncated, created_at
		FROM sandbox_entries ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("sandbox: recent: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Entry, error) {
		var e Entry
		err := r.Scan(&e.ID, &e.Channel, &e.Request, &e.Destination, &e.Summary, &e.Payload, &e.Truncated, &e.CreatedAt)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("sandbox: recent: %w", err)
	}
	return out, nil
}

// clip cuts s to at most n bytes on a rune boundary, dropping invalid UTF-8 and NUL (which
// PostgreSQL's text refuses), and reports whether it cut.
func clip(s string, n int) (string, bool) {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", " ")
	if len(s) <= n {
		return s, false
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n], true
}
