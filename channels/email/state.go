package email

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// This file holds the SQL of the email channel's own tables (migrations/010_email.sql):
// email_mailbox_state, email_failures and email_sources. Everything else goes through the inbox.

// db is what these statements need: a connection or a transaction.
type db interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// mailboxState is where an inbox's sync stands.
type mailboxState struct {
	uidValidity uint32
	lastUID     uint32
	// importSince: read mail that arrived at or before it is history, not imported (zero: none).
	importSince time.Time
}

// loadState returns the inbox's sync state, and false when it has never synced.
func loadState(ctx context.Context, q db, inboxID int64) (mailboxState, bool, error) {
	var v, last int64
	var since *time.Time
	err := q.QueryRow(ctx, `SELECT uid_validity, last_uid, import_since FROM email_mailbox_state WHERE inbox_id = $1`,
		inboxID).Scan(&v, &last, &since)
	if errors.Is(err, pgx.ErrNoRows) {
		return mailboxState{}, false, nil
	}
	if err != nil {
		return mailboxState{}, false, fmt.Errorf("email: load mailbox state: %w", err)
	}
	st := mailboxState{uidValidity: uint32(v), lastUID: uint32(last)}
	if since != nil {
		st.importSince = *since
	}
	return st, true, nil
}

// resetState starts the inbox's sync over for a mailbox of UIDVALIDITY v: nothing read yet. A
// first sync records importSince; a re-sync keeps the first one's.
func resetState(ctx context.Context, q db, inboxID int64, mailbox string, v uint32, importSince time.Time, now time.Time) error {
	var since *time.Time
	if !importSince.IsZero() {
		since = &importSince
	}
	_, err := q.Exec(ctx, `INSERT INTO email_mailbox_state (inbox_id, mailbox, uid_validity, last_uid, import_since, updated_at)
		VALUES ($1, $2, $3, 0, $4, $5)
		ON CONFLICT (inbox_id) DO UPDATE SET mailbox = EXCLUDED.mailbox, uid_validity = EXCLUDED.uid_validity,
			last_uid = 0, updated_at = EXCLUDED.updated_at`, inboxID, mailbox, int64(v), since, now)
	if err != nil {
		return fmt.Errorf("email: reset mailbox state: %w", err)
	}
	return nil
}

// errStateMoved means the sync state is not what this sync read: another sync reset it. The
// transaction is rolled back and the sync ends.
var errStateMoved = errors.New("email: mailbox state changed under this sync")

// advanceState records that uid is done, in the transaction that did it.
func advanceState(ctx context.Context, q db, inboxID int64, v, uid uint32, now time.Time) error {
	tag, err := q.Exec(ctx, `UPDATE email_mailbox_state SET last_uid = greatest(last_uid, $3), updated_at = $4
		WHERE inbox_id = $1 AND uid_validity = $2`, inboxID, int64(v), int64(uid), now)
	if err != nil {
		return fmt.Errorf("email: advance mailbox state: %w", err)
	}
	if tag.RowsAffected() != 1 {
		return errStateMoved
	}
	return nil
}

// markSynced stamps the end of a sync that reached the end of the mailbox.
func markSynced(ctx context.Context, q db, inboxID int64, now time.Time) error {
	if _, err := q.Exec(ctx, `UPDATE email_mailbox_state SET synced_at = $2 WHERE inbox_id = $1`, inboxID, now); err != nil {
		return fmt.Errorf("email: mark synced: %w", err)
	}
	return nil
}

// failure is one failed attempt to ingest a message.
type failure struct {
	inboxID     int64
	uidValidity uint32
	uid         uint32
	messageID   string
	err         string
	// permanent skips the message at once: it can never be stored.
	permanent bool
}

// recordFailure counts a failed attempt; once maxAttempts is reached, or at once for a
// permanent failure, the message is marked skipped and the sync state moves past it, in the
// same transaction. It reports whether the message was skipped.
func recordFailure(ctx context.Context, q db, f failure, maxAttempts int, now time.Time) (bool, error) {
	var attempts int
	var skipped bool
	err := q.QueryRow(ctx, `INSERT INTO email_failures (inbox_id, uid_validity, uid, message_id, attempts, last_error,
			skipped, first_failed_at, last_failed_at)
		VALUES ($1, $2, $3, $4, 1, $5, $6 OR 1 >= $7, $8, $8)
		ON CONFLICT (inbox_id, uid_validity, uid) DO UPDATE SET attempts = email_failures.attempts + 1,
			last_error = EXCLUDED.last_error, last_failed_at = EXCLUDED.last_failed_at,
			skipped = email_failures.skipped OR $6 OR email_failures.attempts + 1 >= $7
		RETURNING attempts, skipped`,
		f.inboxID, int64(f.uidValidity), int64(f.uid), f.messageID, f.err, f.permanent, maxAttempts, now).Scan(&attempts, &skipped)
	if err != nil {
		return false, fmt.Errorf("email: record failure: %w", err)
	}
	if skipped {
		if err := advanceState(ctx, q, f.inboxID, f.uidValidity, f.uid, now); err != nil {
			return false, err
		}
	}
	return skipped, nil
}

// clearFailure forgets the failed attempts of a message that has now been stored.
func clearFailure(ctx context.Context, q db, inboxID int64, v, uid uint32) error {
	if _, err := q.Exec(ctx, `DELETE FROM email_failures WHERE inbox_id = $1 AND uid_validity = $2 AND uid = $3`,
		inboxID, int64(v), int64(uid)); err != nil {
		return fmt.Errorf("email: clear failure: %w", err)
	}
	return nil
}

// Source is where an inbound email came from and what it held before Parley trimmed it.
type Source struct {
	MessageID   int64  `json:"message_id"`
	InboxID     int64  `json:"inbox_id"`
	Mailbox     string `json:"mailbox"`
	UIDValidity uint32 `json:"uid_validity"`
	UID         uint32 `json:"uid"`
	// Size is the size of the message on the server, in bytes.
	Size int64 `json:"size"`
	// Raw is the message as fetched; nil when it was larger than the cap (the server keeps it).
	Raw []byte `json:"-"`
	// FullText and FullHTML are the whole body, quoted history included; HTML is sanitized.
	FullText  string    `json:"full_text"`
	FullHTML  string    `json:"full_html"`
	CreatedAt time.Time `json:"created_at"`
}

func insertSource(ctx context.Context, q db, s Source) error {
	_, err := q.Exec(ctx, `INSERT INTO email_sources (message_id, inbox_id, mailbox, uid_validity, uid, size, raw,
			full_text, full_html, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (message_id) DO NOTHING`,
		s.MessageID, s.InboxID, s.Mailbox, int64(s.UIDValidity), int64(s.UID), s.Size, s.Raw, s.FullText, s.FullHTML, s.CreatedAt)
	if err != nil {
		return fmt.Errorf("email: store source: %w", err)
	}
	return nil
}

// LoadSource returns the source of inbound email message messageID (for "show original" and
// "show quoted text" in the web inbox). A message without one (not a fetched email) is
// pgx.ErrNoRows wrapped.
func LoadSource(ctx context.Context, pool *pgxpool.Pool, messageID int64) (Source, error) {
	var s Source
	var inboxID *int64
	var v, uid int64
	err := pool.QueryRow(ctx, `SELECT message_id, inbox_id, mailbox, uid_validity, uid, size, raw, full_text, full_html, created_at
		FROM email_sources WHERE message_id = $1`, messageID).
		Scan(&s.MessageID, &inboxID, &s.Mailbox, &v, &uid, &s.Size, &s.Raw, &s.FullText, &s.FullHTML, &s.CreatedAt)
	if err != nil {
		return s, fmt.Errorf("email: source of message %d: %w", messageID, err)
	}
	if inboxID != nil {
		s.InboxID = *inboxID
	}
	s.UIDValidity, s.UID = uint32(v), uint32(uid)
	return s, nil
}
