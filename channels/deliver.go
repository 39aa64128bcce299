package channels

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// The queues every server runs. A channel's job that calls its provider on a customer's
// behalf (a note to a clicking Slack member) runs in QueueDeliver, beside the deliveries, so
// a slow provider never delays routing or SLA jobs.
const (
	QueueDefault = river.QueueDefault
	QueueDeliver = "deliver"
)

// Sender sends messages of one channel; workflow's deliver job calls it. An error whose
// Temporary method reports false is permanent: the message is marked failed with the error's
// text at once; one whose RetryAfter method reports a positive duration is tried again after
// it, using up no attempt; any other error is retried with backoff.
type Sender interface {
	Send(ctx context.Context, out Outgoing) (Receipt, error)
}

// Outgoing is what a Sender needs to send one message.
type Outgoing struct {
	Message      inbox.Message
	Conversation inbox.Conversation
	Contact      inbox.Contact
	// Inbox is the channel account to send from (nil for the API channel).
	Inbox *inbox.Inbox
}

// Receipt is a provider's acknowledgement of a send.
type Receipt struct {
	// ExternalID is the provider's id for the sent message (its idempotency key for callbacks).
	ExternalID string
	// Status is the delivery status reached: usually sent; delivered when the provider knows.
	Status string
}
