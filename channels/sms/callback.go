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
// MessageSid Parley never sent is answered 200, so Twilio stops retrying, and
// only logged. Refusals are as for InboundHandler.
func (c *Channel) StatusHandler() http.Handler { return http.HandlerFunc(c.callback) }

func (c *Channel) callback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	form, err := ReadRequest(r)
	if err != nil {
		c.answerError(w, r, err)
		return
	}
	acct, _, err := findAccount(ctx, c.store, form.Get("AccountSid"), form.Get("From"), form.Get("MessagingServiceSid"))
	if err != nil {
		c.answerError(w, r, err)
		return
	}
	if err := Verify(r, form, c.publicURL, acct.token); err != nil {
		c.answerError(w, r, err)
		return
	}
	st, err := ParseStatus(form)
	if err != nil {
		c.answerError(w, r, err)
		return
	}
	err = c.recordStatus(ctx, st)
	if errors.Is(err, inbox.ErrNotFound) {
		c.log.Warn("twilio status for an unknown message", "sid", st.MessageSID, "status", st.Status, "inbox", acct.inbox.ID)
		err = nil
	}
	if err != nil {
		c.answerError(w, r, err)
		return
	}
	answerTwiML(w)
}

// recordStatus applies one status callback; inbox.ErrNotFound when no message
// went out as st.MessageSID.
func (c *Channel) recordStatus(ctx context.Context, st Status) error {
	reason := ""
	if Failed(st.Status) || st.Status == "partially_delivered" {
		reason = st.ErrorMessage
		if reason == "" && st.ErrorCode != 0 {
			reason = fmt.Sprintf("Twilio error %d.", st.ErrorCode)
		}
	}
	err := c.store.InTx(ctx, func(tx pgx.Tx) error {
		parts, err := lockParts(ctx, tx, st.MessageSID)
		if errors.Is(err, errNoPart) {
			// Not sent by Send (or not recorded yet): the message itself may
			// still carry the SID.
			_, err = c.store.UpdateDeliveryTx(ctx, tx, inbox.DeliveryUpdate{Channel: inbox.ChannelSMS,
				ExternalID: st.MessageSID, Status: delivery(st.Status), Error: reason})
			return err
		}
		if err != nil {
			return err
		}
		i := indexOf(parts, st.MessageSID)
		if !Advances(parts[i].status, st.Status) {
			return nil
		}
		parts[i].status, parts[i].err = st.Status, reason
		if err := c.updatePart(ctx, tx, parts[i]); err != nil {
			return err
		}
		status, why := combine(parts)
		_, err = c.store.UpdateDeliveryTx(ctx, tx, inbox.DeliveryUpdate{MessageID: parts[i].messageID, Status: status, Error: why})
		return err
	})
	if err != nil {
		return fmt.Errorf("sms: status %s of %s: %w", st.Status, st.MessageSID, err)
	}
	return nil
}

func indexOf(parts []part, sid string) int {
	for i, p := range parts {
		if p.sid == sid {
			return i
		}
	}
	return 0 // lockParts returns the parts of sid's message, so sid is among them
}
