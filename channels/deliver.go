package channels

import (
	"context"
	"io"

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
	// Files are the files the message carries, in the order they were attached.
	Files []File
}

// File is one file of an outgoing message: what the provider is told of it, and how to read it.
type File struct {
	// Attachment is its stored record: id, file name, content type (sniffed when it was
	// stored, never the sender's word), size in bytes and, for an inline image of an email,
	// its Content-ID.
	inbox.Attachment
	// Open streams the file's bytes; the caller closes what it returns. Each call reads anew.
	Open func(ctx context.Context) (io.ReadCloser, error)
	// URL is an unguessable, expiring public address of the file under PARLEY_PUBLIC_URL, for
	// providers that fetch it themselves (Twilio's MediaUrl); empty when the server has no
	// public URL.
	URL string
}

// Receipt is a provider's acknowledgement of a send.
type Receipt struct {
	// ExternalID is the provider's id for the sent message (its idempotency key for callbacks).
	ExternalID string
	// Status is the delivery status reached: usually sent; delivered when the provider knows.
	Status string
}
