package sms

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// ReasonOptedOut is why a reply to a number that texted STOP is not sent.
const ReasonOptedOut = "the customer opted out with STOP: they must text START first"

// Send delivers an outbound message by SMS; it implements channels.Sender for
// inbox.ChannelSMS. It sends to the number the message names (metadata "to",
// a conversation an agent started) while the contact holds it, else to the
// contact's latest verified phone number, from the message's SMS inbox (its number or messaging service), with a
// status callback to PublicURL + StatusPath. Text up to MaxBody characters
// goes as one message; longer text as numbered parts (see Split), each
// recorded as soon as Twilio accepts it, so a retry after a partial failure
// sends only the parts still missing; a part whose send was interrupted before
// it was recorded is looked for at Twilio before it is sent again (sendOnce). The receipt's ExternalID is the first
// part's SID and its status "sent": Twilio has taken every part, and the
// status callbacks move the message on.
//
// Failures a retry cannot fix are permanent (their Temporary method reports
// false) and their text is shown to agents: a contact without a verified
// phone, a number that opted out (ReasonOptedOut), no SMS inbox, a refusal by
// Twilio such as an invalid number. Twilio's 429 and 5xx answers and network
// failures are temporary; when Twilio says how long to wait (Retry-After), the
// error's RetryAfter method reports it and the deliver job snoozes that long.
func (c *Twilio) Send(ctx context.Context, out channels.Outgoing) (channels.Receipt, error) {
	to, ok := phoneOf(out.Contact, out.Message.Metadata)
	if !ok {
		return channels.Receipt{}, permanent("the customer has no verified phone number to text")
	}
	acct, err := c.sendingAccount(ctx, out.Inbox)
	if err != nil {
		return channels.Receipt{}, err
	}
	optedOut, err := c.OptedOut(ctx, to)
	if err != nil {
		return channels.Receipt{}, retry(err)
	}
	if optedOut {
		return channels.Receipt{}, permanent(ReasonOptedOut)
	}
	media, err := mediaURLs(out.Files)
	if err != nil {
		return channels.Receipt{}, permanent(err.Error())
	}
	parts := Split(out.Message.Text)
	if len(parts) == 0 && len(media) > 0 {
		parts = []string{""} // the files alone, as one MMS
	}
	if len(parts) == 0 {
		return channels.Receipt{}, permanent("the reply has no text to send by SMS")
	}
	sent, err := c.sentParts(ctx, out.Message.ID)
	if err != nil {
		return channels.Receipt{}, retry(err)
	}
	client, err := NewClient(Config{AccountSID: acct.settings.AccountSID, AuthToken: acct.token,
		APIURL: c.apiURL, Transport: c.transport})
	if err != nil {
		return channels.Receipt{}, permanent(fmt.Sprintf("SMS inbox %d cannot send: %v", acct.inbox.ID, err))
	}
	for i, body := range parts {
		n := i + 1
		if _, ok := sent[n]; ok {
			continue
		}
		o := Outbound{
			From:                acct.settings.From,
			MessagingServiceSID: acct.settings.MessagingServiceSID,
			To:                  to,
			Body:                body,
			StatusCallback:      c.publicURL + StatusPath,
		}
		if n == 1 {
			o.MediaURLs = media // the files go with the first part
		}
		s, err := c.sendOnce(ctx, client, o, out.Message.ID, n)
		if err != nil {
			return channels.Receipt{}, refused(err, n, len(parts))
		}
		p := part{messageID: out.Message.ID, number: n, total: len(parts), sid: s.SID, status: s.Status}
		if err := c.recordPart(ctx, p); err != nil {
			// Twilio has the part: the retry finds it there (sendOnce).
			return channels.Receipt{}, &failure{reason: "the message was sent but could not be recorded", temporary: true, err: err}
		}
		sent[n] = s.SID
	}
	return channels.Receipt{ExternalID: sent[1], Status: inbox.DeliverySent}, nil
}

// sendOnce sends part n of a message unless an earlier, interrupted attempt
// did: the attempt is recorded before the part is posted (beginAttempt), and
// when an earlier one left its record, Twilio is asked first for the part
// (Client.Find); a part found there is taken as sent instead of being posted
// again. Twilio has no idempotency key for creating messages, so this is how
// a send whose answer or record was lost is not repeated.
func (c *Twilio) sendOnce(ctx context.Context, client *Client, o Outbound, messageID int64, n int) (Sent, error) {
	started, resumed, err := c.beginAttempt(ctx, messageID, n)
	if err != nil {
		return Sent{}, retry(err)
	}
	if resumed {
		found, err := client.Find(ctx, o, started.Add(-clockSkew))
		if err != nil {
			return Sent{}, err
		}
		s, ok, err := c.unrecorded(ctx, found)
		if err != nil {
			return Sent{}, retry(err)
		}
		if ok {
			c.log.Info("sms: an interrupted send had reached Twilio; taking its message instead of sending again",
				"message", messageID, "part", n, "sid", s.SID)
			return s, nil
		}
	}
	return client.Send(ctx, o)
}

// phoneOf returns the number a message goes to: the one its metadata names ("to", set when an
// agent started the conversation with that number) while the contact holds it, verified or
// not; else the contact's most recently added verified phone number.
func phoneOf(c inbox.Contact, meta map[string]any) (string, bool) {
	if to, ok := meta["to"].(string); ok && to != "" {
		for _, id := range c.Identities {
			if id.Kind == inbox.IdentityPhone && id.Address == to {
				return to, true
			}
		}
	}
	var best inbox.Identity
	for _, id := range c.Identities {
		if id.Kind == inbox.IdentityPhone && id.Verified && id.ID >= best.ID {
			best = id
		}
	}
	return best.Address, best.Address != ""
}

// sendingAccount is the SMS inbox a message goes out from: its own, or the
// first SMS inbox when it names none (a reply moved to SMS from another
// channel).
func (c *Twilio) sendingAccount(ctx context.Context, in *inbox.Inbox) (account, error) {
	if in == nil || in.Kind != inbox.ChannelSMS {
		all, err := c.store.Inboxes(ctx, inbox.ChannelSMS)
		if err != nil {
			return account{}, retry(err)
		}
		if len(all) == 0 {
			return account{}, permanent("no SMS inbox is connected")
		}
		in = &all[0]
	}
	a := account{inbox: *in}
	if err := in.DecodeSettings(&a.settings); err != nil {
		return account{}, permanent(fmt.Sprintf("SMS inbox %d has unreadable settings", in.ID))
	}
	a, err := a.open(c.store)
	if err != nil {
		return account{}, &failure{reason: fmt.Sprintf("the credentials of SMS inbox %d cannot be opened", in.ID), err: err}
	}
	return a, nil
}

// failure is why an SMS was not sent, in words for agents. It satisfies the
// workflow's test for permanence through its Temporary method.
type failure struct {
	reason     string
	temporary  bool
	retryAfter time.Duration
	err        error
}

// Error returns the reason, which agents see on the failed message.
func (f *failure) Error() string { return f.reason }

// Temporary reports whether sending again may succeed.
func (f *failure) Temporary() bool { return f.temporary }

// RetryAfter is how long Twilio asked to wait before the next try; zero when
// it did not say. The deliver job snoozes for it.
func (f *failure) RetryAfter() time.Duration { return f.retryAfter }

// Unwrap returns the cause, if any.
func (f *failure) Unwrap() error { return f.err }

func permanent(reason string) error { return &failure{reason: reason} }

// retry marks err, such as a database error, as temporary, whatever its cause
// says (a refused connection's *net.OpError claims to be permanent).
func retry(err error) error { return &failure{reason: err.Error(), temporary: true, err: err} }

// refused explains a failed send of part n of total.
func refused(err error, n, total int) error {
	var se *SendError
	if !errors.As(err, &se) {
		return retry(err)
	}
	reason := se.Message
	if n > 1 {
		reason = fmt.Sprintf("%s (part %d of %d; the earlier parts were sent)", reason, n, total)
	}
	return &failure{reason: reason, temporary: se.Temporary, retryAfter: se.RetryAfter, err: err}
}
