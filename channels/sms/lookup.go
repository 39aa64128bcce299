package sms

import (
	"context"
	"slices"
	"strings"
	"time"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"
)

// lookupLimit bounds how many of the newest messages to a number Find reads.
const lookupLimit = 200

// Find looks at Twilio for messages like out created at or after since, as a
// send whose answer was lost would have left them: outbound, to out.To, from
// out.From (or through out.MessagingServiceSID) with out.Body. It returns
// them oldest first, nil when there are none. It lists the account's messages
// (GET /2010-04-01/Accounts/{AccountSid}/Messages.json) filtered by To and
// From, newest first, and reads at most the 200 newest. It does not filter by
// DateSent: a message still queued at Twilio has no date_sent yet, and such a
// filter would hide exactly the message it looks for. Every failure is a
// *SendError, as Send's are.
func (c *Client) Find(ctx context.Context, out Outbound, since time.Time) ([]Sent, error) {
	if err := out.validate(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	api, call := c.service(ctx)
	params := (&openapi.ListMessageParams{}).SetTo(out.To).SetLimit(lookupLimit)
	if out.From != "" {
		params.SetFrom(out.From)
	}
	msgs, err := api.ListMessage(params)
	if err != nil {
		se := classify(err, call.status)
		if se.Temporary {
			se.RetryAfter = call.retryAfter
		}
		return nil, se
	}
	var found []Sent
	for _, m := range slices.Backward(msgs) { // Twilio lists the newest first
		if m.Sid == nil || !matches(m, out, since) {
			continue
		}
		found = append(found, Sent{SID: *m.Sid, Status: deref(m.Status)})
	}
	return found, nil
}

// matches reports whether m, a message Twilio listed, is out sent at or after
// since. Twilio's date_created has whole seconds, so since is cut to them.
func matches(m openapi.ApiV2010Message, out Outbound, since time.Time) bool {
	if !strings.HasPrefix(deref(m.Direction), "outbound") || deref(m.To) != out.To || deref(m.Body) != out.Body {
		return false
	}
	if out.From != "" && deref(m.From) != out.From {
		return false
	}
	if out.From == "" && deref(m.MessagingServiceSid) != out.MessagingServiceSID {
		return false
	}
	created, err := time.Parse(time.RFC1123Z, deref(m.DateCreated))
	return err == nil && !created.Before(since.Truncate(time.Second))
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
