package sms

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// StatusHandler serves StatusPath: it checks the callback's signature with
// the auth token of the SMS inbox of its AccountSid (and From number or
// MessagingServiceSid), then records the part's new status and the message's
// combined delivery status (see Send) in one transaction. Callbacks may come
// in any order and more than once: a status that does not advance the part
// (a late "sent" after "delivered") changes nothing. A callback for a
// MessageSid not recorded yet (Twilio's callback can outrun its own API answer
// to the delivery job) is held and applied when the part is recorded; one for
// a MessageSid Parley never records is answered 200 all the same, so Twilio
// stops retrying, and dropped after a day. Refusals are as for InboundHandler.
func (c *Twilio) StatusHandler() http.Handler { return http.HandlerFunc(c.callback) }

func (c *Twilio) callback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	form, _, _, err := c.authenticate(r, "From")
	if err != nil {
		c.answerError(w, r, err)
		return
	}
	st, err := ParseStatus(form)
	if err != nil {
		c.answerError(w, r, err)
		return
	}
	if err := c.recordStatus(ctx, st); err != nil {
		c.answerError(w, r, err)
		return
	}
	answerTwiML(w)
}

// recordStatus applies one status callback; inbox.ErrNotFound when no message
// went out as st.MessageSID. A callback that outruns the delivery job (its part
// not recorded yet) is held until the part is (see holdStatus).
func (c *Twilio) recordStatus(ctx context.Context, st Status) error {
	reason := ""
	if Failed(st.Status) || st.Status == "partially_delivered" {
		reason = st.ErrorMessage
		if reason == "" && st.ErrorCode != 0 {
			reason = fmt.Sprintf("Twilio error %d.", st.ErrorCode)
		}
	}
	err := c.store.InTx(ctx, func(tx pgx.Tx) error {
		if err := lockSID(ctx, tx, st.MessageSID); err != nil {
			return err
		}
		err := c.applyStatus(ctx, tx, st.MessageSID, st.Status, reason)
		if !errors.Is(err, errNoPart) {
			return err
		}
		// Not sent by Send (or not recorded yet): the message itself may still
		// carry the SID.
		_, err = c.store.UpdateDeliveryTx(ctx, tx, inbox.DeliveryUpdate{Channel: inbox.ChannelSMS,
			ExternalID: st.MessageSID, Status: delivery(st.Status), Error: reason})
		if errors.Is(err, inbox.ErrNotFound) {
			return c.holdStatus(ctx, tx, st.MessageSID, st.Status, reason)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("sms: status %s of %s: %w", st.Status, st.MessageSID, err)
	}
	return nil
}

// applyStatus records a part's new status, if it advances the part, and the
// combined delivery status of its message, in tx; errNoPart when no part has
// sid.
func (c *Twilio) applyStatus(ctx context.Context, tx pgx.Tx, sid, status, reason string) error {
	parts, err := lockParts(ctx, tx, sid)
	if err != nil {
		return err
	}
	i := indexOf(parts, sid)
	if !Advances(parts[i].status, status) {
		return nil
	}
	parts[i].status, parts[i].err = status, reason
	if err := c.updatePart(ctx, tx, parts[i]); err != nil {
		return err
	}
	combined, why := combine(parts)
	_, err = c.store.UpdateDeliveryTx(ctx, tx, inbox.DeliveryUpdate{MessageID: parts[i].messageID, Status: combined, Error: why})
	return err
}

func indexOf(parts []part, sid string) int {
	for i, p := range parts {
		if p.sid == sid {
			return i
		}
	}
	return 0 // lockParts returns the parts of sid's message, so sid is among them
}
