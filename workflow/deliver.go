package workflow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/medialink"
	"github.com/parleyhq/parley/webhook"
)

// DeliverArgs is the job that sends one outbound message through its channel.
type DeliverArgs struct {
	MessageID int64 `json:"message_id"`
	// Retry marks an admin's retry of a failed message (inbox.Store.RetryDelivery): its unix
	// milliseconds make the job unique of its own, beside the first one that gave up.
	Retry int64 `json:"retry,omitempty"`
}

// Kind implements river.JobArgs.
func (DeliverArgs) Kind() string { return "deliver" }

// InsertOpts gives deliveries their own queue and one job per message at a time.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDeliver, MaxAttempts: deliverAttempts,
		UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// deliverAttempts is how often a temporarily failing send is tried before it is marked failed.
const deliverAttempts = 8

// deliverWorker runs DeliverArgs jobs.
type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	Store   *inbox.Store
	Senders map[inbox.Channel]channels.Sender
	Log     *slog.Logger
	// Media and PublicURL make the files' public addresses (channels.File.URL); either unset
	// leaves them empty.
	Media     *medialink.Signer
	PublicURL string
}

// Work sends the message unless it was already sent, and records the outcome.
func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	m, err := w.Store.GetMessage(ctx, job.Args.MessageID)
	if errors.Is(err, inbox.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if m.Direction != inbox.DirectionOutbound || (m.DeliveryStatus != inbox.DeliveryQueued && m.DeliveryStatus != inbox.DeliverySending) {
		return nil // already delivered, failed or not ours to send: never send twice
	}
	if m.Channel == inbox.ChannelAPI {
		// The API channel has no provider: the reply reaches the integration as the message.created
		// webhook deliveries recorded with it, and the first that succeeds marks it sent.
		carried, err := webhook.CarriesReply(ctx, w.Store.Pool(), m.ID)
		if err != nil {
			return err
		}
		if !carried {
			return w.fail(ctx, m.ID, "no webhook endpoint takes message.created: the reply reached no integration")
		}
		_, err = w.Store.UpdateDelivery(ctx, inbox.DeliveryUpdate{MessageID: m.ID, Status: inbox.DeliverySending})
		return err
	}
	sender, ok := w.Senders[m.Channel]
	if !ok {
		return w.fail(ctx, m.ID, fmt.Sprintf("no %s channel is configured on this server", m.Channel))
	}
	out, err := w.outgoing(ctx, m)
	if err != nil {
		return err
	}
	if _, err := w.Store.UpdateDelivery(ctx, inbox.DeliveryUpdate{MessageID: m.ID, Status: inbox.DeliverySending}); err != nil {
		return err
	}
	rec, err := sender.Send(ctx, out)
	if err != nil {
		var t interface{ Temporary() bool }
		permanent := errors.As(err, &t) && !t.Temporary()
		var wait interface{ RetryAfter() time.Duration }
		if !permanent && errors.As(err, &wait) && wait.RetryAfter() > 0 {
			// A provider's rate limit: wait as long as it asks; a snooze uses up no attempt.
			return river.JobSnooze(min(wait.RetryAfter(), channels.MaxProviderWait))
		}
		if permanent || job.Attempt >= job.MaxAttempts {
			return w.fail(ctx, m.ID, err.Error())
		}
		return fmt.Errorf("workflow: deliver message %d: %w", m.ID, err)
	}
	status := rec.Status
	if status == "" {
		status = inbox.DeliverySent
	}
	_, err = w.Store.UpdateDelivery(ctx, inbox.DeliveryUpdate{MessageID: m.ID, Status: status, SetExternalID: rec.ExternalID})
	return err
}

// NextRetry backs off exponentially from 2 s, capped at 10 minutes.
func (w *deliverWorker) NextRetry(job *river.Job[DeliverArgs]) time.Time {
	d := min(2*time.Second<<min(job.Attempt, 10), 10*time.Minute)
	return time.Now().Add(d)
}

func (w *deliverWorker) fail(ctx context.Context, id int64, reason string) error {
	_, err := w.Store.UpdateDelivery(ctx, inbox.DeliveryUpdate{MessageID: id, Status: inbox.DeliveryFailed, Error: reason})
	if err != nil {
		return err
	}
	return river.JobCancel(errors.New(reason))
}

func (w *deliverWorker) outgoing(ctx context.Context, m inbox.Message) (channels.Outgoing, error) {
	conv, err := w.Store.GetConversation(ctx, m.ConversationID)
	if err != nil {
		return channels.Outgoing{}, err
	}
	contact, err := w.Store.GetContact(ctx, conv.ContactID)
	if err != nil {
		return channels.Outgoing{}, err
	}
	out := channels.Outgoing{Message: m, Conversation: conv, Contact: contact}
	atts, err := w.Store.MessageAttachments(ctx, m.ID)
	if err != nil {
		return channels.Outgoing{}, err
	}
	for _, a := range atts {
		id := a.ID
		f := channels.File{Attachment: a,
			Open: func(ctx context.Context) (io.ReadCloser, error) { return w.Store.OpenAttachment(ctx, id) }}
		if w.Media != nil && w.PublicURL != "" {
			// Made anew by every attempt, so a retry hours later hands out a live address.
			f.URL = w.PublicURL + medialink.PathPrefix + w.Media.Token(id, medialink.DefaultTTL)
		}
		out.Files = append(out.Files, f)
	}
	if m.InboxID != nil {
		in, err := w.Store.GetInbox(ctx, *m.InboxID)
		if err != nil {
			return channels.Outgoing{}, err
		}
		out.Inbox = &in
	}
	return out, nil
}
