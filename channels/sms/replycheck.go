package sms

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// OptOutCheck refuses, before anything is stored, an SMS reply to a customer whose number
// opted out with STOP: the agent sees the reason at once instead of a failed message later.
// It implements inbox.ReplyChecker; the sender keeps its own check for replies queued before
// the opt-out arrived.
type OptOutCheck struct{}

// CheckReplyTx implements inbox.ReplyChecker.
func (OptOutCheck) CheckReplyTx(ctx context.Context, tx pgx.Tx, r inbox.ReplyRoute) error {
	if r.Channel != inbox.ChannelSMS {
		return nil
	}
	var optedOut bool
	// A reply naming its number (a conversation an agent started) goes there; any other to the
	// contact's verified number.
	err := tx.QueryRow(ctx, `SELECT CASE WHEN $2 <> '' THEN EXISTS (SELECT 1 FROM sms_opt_outs WHERE phone = $2)
		ELSE EXISTS (SELECT 1 FROM contact_identities i JOIN sms_opt_outs o ON o.phone = i.address
			WHERE i.contact_id = $1 AND i.kind = 'phone' AND i.verified) END`, r.ContactID, r.To).Scan(&optedOut)
	if err != nil {
		return fmt.Errorf("sms: opt-out check: %w", err)
	}
	if optedOut {
		return fmt.Errorf("the customer opted out of SMS with STOP and must text START before we can write again: %w", inbox.ErrConflict)
	}
	return nil
}
