package sms

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// EventConsent is the event announcing a carrier keyword from a contact:
// Data["keyword"] is "opt-out", "opt-in" or "help" and Data["opted_out"]
// whether the number is now opted out of SMS. It names the contact, not a
// conversation.
const EventConsent = "contact.sms_consent"

// recordKeyword applies a carrier keyword in tx: an opt-out marks the sender's
// number opted out (the first STOP's time and message stand), an opt-in lifts
// it, and every keyword is logged in sms_keywords and announced.
func (c *Twilio) recordKeyword(ctx context.Context, tx pgx.Tx, kw KeywordKind, in Inbound, inboxID int64, res inbox.IngestResult) error {
	now := c.store.Now()
	word := strings.ToUpper(strings.TrimSpace(in.Body))
	var optedOut bool
	switch kw {
	case OptOut:
		if _, err := tx.Exec(ctx, `INSERT INTO sms_opt_outs (phone, keyword, message_id, created_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT (phone) DO NOTHING`, in.From, word, res.MessageID, now); err != nil {
			return fmt.Errorf("sms: opt out: %w", err)
		}
		optedOut = true
	case OptIn:
		if _, err := tx.Exec(ctx, `DELETE FROM sms_opt_outs WHERE phone = $1`, in.From); err != nil {
			return fmt.Errorf("sms: opt in: %w", err)
		}
	default:
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sms_opt_outs WHERE phone = $1)`, in.From).Scan(&optedOut); err != nil {
			return fmt.Errorf("sms: keyword: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO sms_keywords (phone, kind, keyword, contact_id, message_id, inbox_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, in.From, kw.String(), word, res.ContactID, res.MessageID, inboxID, now); err != nil {
		return fmt.Errorf("sms: log keyword: %w", err)
	}
	return c.store.Publish(ctx, tx, inbox.Event{
		Type:      EventConsent,
		ContactID: res.ContactID,
		MessageID: res.MessageID,
		InboxID:   inboxID,
		Channel:   inbox.ChannelSMS,
		Data:      map[string]any{"keyword": kw.String(), "opted_out": optedOut},
		At:        now,
	})
}

// OptedOut reports whether phone (E.164) has opted out of SMS with an
// opt-out keyword and not opted in again since.
func (c *Twilio) OptedOut(ctx context.Context, phone string) (bool, error) {
	var out bool
	err := c.store.Pool().QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sms_opt_outs WHERE phone = $1)`, phone).Scan(&out)
	if err != nil {
		return false, fmt.Errorf("sms: opted out: %w", err)
	}
	return out, nil
}
