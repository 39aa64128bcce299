package sms

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// part is one Twilio message that an outbound message went out as: the only
// one, or one numbered part of a long reply. Its rows live in sms_parts.
type part struct {
	messageID int64
	number    int // 1-based
	total     int
	sid       string
	status    string // Twilio's status
	err       string // why it failed, for agents
}

// sentParts returns the SIDs of the parts of a message already sent, by part
// number.
func (c *Twilio) sentParts(ctx context.Context, messageID int64) (map[int]string, error) {
	rows, err := c.store.Pool().Query(ctx, `SELECT part, sid FROM sms_parts WHERE message_id = $1`, messageID)
	if err != nil {
		return nil, fmt.Errorf("sms: sent parts: %w", err)
	}
	sent := map[int]string{}
	var n int
	var sid string
	_, err = pgx.ForEachRow(rows, []any{&n, &sid}, func() error {
		sent[n] = sid
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sms: sent parts: %w", err)
	}
	return sent, nil
}

// recordPart stores a part Twilio accepted, at once, so that a retry of the
// delivery does not send it again and its status callbacks find it; the
// callbacks that came first are applied with it, and the attempt that sent it
// ends (see beginAttempt).
func (c *Twilio) recordPart(ctx context.Context, p part) error {
	now := c.store.Now()
	err := c.store.InTx(ctx, func(tx pgx.Tx) error {
		if err := lockSID(ctx, tx, p.sid); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO sms_parts (message_id, part, total, sid, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6)`, p.messageID, p.number, p.total, p.sid, p.status, now); err != nil {
			return err
		}
		if err := endAttempt(ctx, tx, p.messageID, p.number); err != nil {
			return err
		}
		return c.applyHeld(ctx, tx, p.sid)
	})
	if err != nil {
		return fmt.Errorf("sms: record part %d/%d of message %d (%s): %w", p.number, p.total, p.messageID, p.sid, err)
	}
	return nil
}

// errNoPart means no recorded part has the SID a status callback names.
var errNoPart = errors.New("sms: no part with this SID")

// lockParts returns the recorded parts of the message that sid belongs to,
// in order, locked until tx ends so that callbacks for the parts of one
// message apply one at a time; errNoPart when sid is unknown.
func lockParts(ctx context.Context, tx pgx.Tx, sid string) ([]part, error) {
	rows, err := tx.Query(ctx, `SELECT message_id, part, total, sid, status, error FROM sms_parts
		WHERE message_id = (SELECT message_id FROM sms_parts WHERE sid = $1)
		ORDER BY part FOR NO KEY UPDATE`, sid)
	if err != nil {
		return nil, fmt.Errorf("sms: lock parts: %w", err)
	}
	parts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (part, error) {
		var p part
		err := r.Scan(&p.messageID, &p.number, &p.total, &p.sid, &p.status, &p.err)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("sms: lock parts: %w", err)
	}
	if len(parts) == 0 {
		return nil, errNoPart
	}
	return parts, nil
}

// updatePart records a part's new status in tx.
func (c *Twilio) updatePart(ctx context.Context, tx pgx.Tx, p part) error {
	_, err := tx.Exec(ctx, `UPDATE sms_parts SET status = $2, error = $3, updated_at = $4 WHERE sid = $1`,
		p.sid, p.status, p.err, c.store.Now())
	if err != nil {
		return fmt.Errorf("sms: update part %s: %w", p.sid, err)
	}
	return nil
}

// combine is the delivery status of a message from its parts': failed or
// undelivered when any part is (with that part's reason), else the status of
// the least advanced part, where a part not yet sent counts as queued. A
// message is thus delivered only once every part is.
func combine(parts []part) (status, reason string) {
	lowest := ""
	if len(parts) < parts[0].total {
		lowest = "queued"
	}
	for _, p := range parts {
		if st := delivery(p.status); st == inbox.DeliveryFailed || st == inbox.DeliveryUndelivered {
			reason = p.err
			if reason == "" {
				reason = fmt.Sprintf("Twilio reported the message %s.", p.status)
			}
			if p.total > 1 {
				reason = fmt.Sprintf("Part %d of %d: %s", p.number, p.total, reason)
			}
			return st, reason
		}
		if lowest == "" || Advances(p.status, lowest) {
			lowest = p.status
		}
	}
	return delivery(lowest), ""
}

// delivery maps a Twilio message status onto the inbox's delivery statuses.
func delivery(twilio string) string {
	switch twilio {
	case "sending":
		return inbox.DeliverySending
	case "sent":
		return inbox.DeliverySent
	case "delivered", "read":
		return inbox.DeliveryDelivered
	case "undelivered", "partially_delivered":
		return inbox.DeliveryUndelivered
	case "failed", "canceled":
		return inbox.DeliveryFailed
	}
	return inbox.DeliveryQueued // queued, accepted, scheduled
}
