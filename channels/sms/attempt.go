package sms

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// clockSkew is how far Twilio's clock may lag ours: a lost send is looked for
// among the messages Twilio created from this long before the attempt began.
const clockSkew = time.Minute

// beginAttempt records, committed before the part is posted, that part n of
// a message is being sent (sms_attempts), and returns when the first such
// attempt began. resumed is true when an earlier attempt left its row: Twilio
// may have the part although its SID was never recorded, and the caller must
// look for it before sending again. The time is the wall clock's, not the
// store's, as it is compared with Twilio's date_created.
func (c *Twilio) beginAttempt(ctx context.Context, messageID int64, n int) (started time.Time, resumed bool, err error) {
	err = c.store.Pool().QueryRow(ctx, `WITH new AS (
			INSERT INTO sms_attempts (message_id, part, started_at) VALUES ($1, $2, $3)
			ON CONFLICT (message_id, part) DO NOTHING RETURNING started_at)
		SELECT started_at, false FROM new
		UNION ALL SELECT started_at, true FROM sms_attempts WHERE message_id = $1 AND part = $2`,
		messageID, n, time.Now()).Scan(&started, &resumed)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("sms: begin attempt at part %d of message %d: %w", n, messageID, err)
	}
	return started, resumed, nil
}

// endAttempt removes the attempt at part n of a message in tx, which records
// the part.
func endAttempt(ctx context.Context, tx pgx.Tx, messageID int64, n int) error {
	_, err := tx.Exec(ctx, `DELETE FROM sms_attempts WHERE message_id = $1 AND part = $2`, messageID, n)
	return err
}

// unrecorded returns the first of found whose SID no recorded part has: the
// part an interrupted attempt sent. A message with the same text to the same
// number that another reply went out as is thereby never taken for this one.
func (c *Twilio) unrecorded(ctx context.Context, found []Sent) (Sent, bool, error) {
	if len(found) == 0 {
		return Sent{}, false, nil
	}
	sids := make([]string, len(found))
	for i, s := range found {
		sids[i] = s.SID
	}
	rows, err := c.store.Pool().Query(ctx, `SELECT sid FROM sms_parts WHERE sid = ANY($1)`, sids)
	if err != nil {
		return Sent{}, false, fmt.Errorf("sms: recorded parts: %w", err)
	}
	known, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return Sent{}, false, fmt.Errorf("sms: recorded parts: %w", err)
	}
	for _, s := range found {
		if !slices.Contains(known, s.SID) {
			return s, true, nil
		}
	}
	return Sent{}, false, nil
}
