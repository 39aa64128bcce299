// Package edgetest checks the promise every HTTP edge that takes customers' messages keeps
// (the API's inbound endpoint, the Twilio and Slack webhooks), for their fuzz targets: never a
// 5xx for bad input; nothing stored unless acknowledged; an acknowledged request stores at
// most one message (none for a redelivery or an ignored event).
package edgetest

import "testing"

// Stored counts the messages stored, read before and after each request.
type Stored func(t *testing.T) int

// Post sends one request and returns its status and body.
type Post func() (status int, body string)

// Check runs post between two counts and fails t when the answer breaks the promise: a 5xx, a
// refusal that stored something, or an acknowledgement that stored more than one message; ack
// tells which statuses acknowledge the request to its sender. It returns the status and how
// many messages the request stored (0 or 1).
func Check(t *testing.T, count Stored, post Post, ack func(status int) bool) (status, added int) {
	t.Helper()
	before := count(t)
	status, body := post()
	after := count(t)
	switch {
	case status >= 500:
		t.Fatalf("status %d: %s", status, body)
	case !ack(status) && after != before:
		t.Fatalf("refused with %d (%s) but messages %d -> %d", status, body, before, after)
	case ack(status) && after != before && after != before+1:
		t.Fatalf("acknowledged with %d, messages %d -> %d", status, before, after)
	}
	return status, after - before
}
