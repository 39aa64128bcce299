package sms

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// earlyTTL is how long a status callback for an unrecorded SID is kept: the
// delivery job records a part within seconds of Twilio accepting it, so an
// older one names a message Parley never sent.
const earlyTTL = 24 * time.Hour

// lockSID serializes, until tx ends, the transactions that record a part
// with sid and those that apply a status callback for it, so that a callback
// either finds the part or is held where the part's recording will find it.
func lockSID(ctx context.Context, tx pgx.Tx, sid string) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('sms-sid:' || $1, 0))`, sid); err != nil {
		return fmt.Errorf("sms: lock %s: %w", sid, err)
	}
	return nil
}

// holdStatus keeps a status callback for a SID no part has yet, in tx.
func (c *Twilio) holdStatus(ctx context.Context, tx pgx.Tx, sid, status, reason string) error {
	_, err := tx.Exec(ctx, `INSERT INTO sms_early_statuses (sid, status, error, received_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (sid, status) DO NOTHING`, sid, status, reason, c.store.Now())
	if err != nil {
		return fmt.Errorf("sms: hold status %s of %s: %w", status, sid, err)
	}
	c.log.Info("twilio status before its part was recorded: held", "sid", sid, "status", status)
	return nil
}

// applyHeld applies, in tx, the status callbacks held for sid (whose part tx
// has just recorded), and drops held callbacks older than earlyTTL.
func (c *Twilio) applyHeld(ctx context.Context, tx pgx.Tx, sid string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM sms_early_statuses WHERE received_at < $1`, c.store.Now().Add(-earlyTTL)); err != nil {
		return fmt.Errorf("sms: prune held statuses: %w", err)
	}
	rows, err := tx.Query(ctx, `DELETE FROM sms_early_statuses WHERE sid = $1 RETURNING status, error`, sid)
	if err != nil {
		return fmt.Errorf("sms: held statuses of %s: %w", sid, err)
	}
	type held struct{ status, reason string }
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (held, error) {
		var h held
		err := r.Scan(&h.status, &h.reason)
		return h, err
	})
	if err != nil {
		return fmt.Errorf("sms: held statuses of %s: %w", sid, err)
	}
	for _, h := range all {
		if err := c.applyStatus(ctx, tx, sid, h.status, h.reason); err != nil {
			return err
		}
	}
	return nil
}
