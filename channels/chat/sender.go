package chat

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// JobInserter inserts a River job at once (channels.Jobs, workflow.Enqueuer, is one): the
// sender schedules email fallbacks with it.
type JobInserter interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error
}

// Sender is the chat channel's side of outbound delivery: it implements channels.Sender.
// A chat reply needs no provider: committing it published its message.created event, which
// every parley process's hub pushes to the visitor's sockets it holds (marking the message
// delivered), and a visitor who is away gets it on their next connection. Send itself only
// schedules the email fallback.
type Sender struct {
	visitors *Visitors
	jobs     JobInserter
}

// Sender returns the chat sender; jobs schedules the email fallbacks (nil: none).
func (s *Server) Sender(jobs JobInserter) *Sender {
	return &Sender{visitors: s.visitors, jobs: jobs}
}

// Send "sends" chat reply out.Message: its receipt's status is sent (a socket that pushes it
// moves it to delivered). When the chat inbox has an email fallback and the visitor left an
// email, it schedules the fallback job (FallbackArgs) at the reply's time plus the inbox's
// delay; scheduling a message again is a no-op while its job waits. Errors are temporary (the
// database): the delivery is retried.
func (s *Sender) Send(ctx context.Context, out channels.Outgoing) (channels.Receipt, error) {
	m := out.Message
	sent := channels.Receipt{Status: inbox.DeliverySent}
	if s.jobs == nil || m.Direction != inbox.DirectionOutbound {
		return sent, nil
	}
	inboxID, _, after, err := s.visitors.FallbackRoute(ctx, m)
	if err != nil {
		return channels.Receipt{}, err
	}
	if inboxID == 0 {
		return sent, nil
	}
	seen, err := s.visitors.Seen(ctx, m)
	if err != nil {
		return channels.Receipt{}, err
	}
	if seen {
		return sent, nil
	}
	if err := s.jobs.Insert(ctx, FallbackArgs{MessageID: m.ID}, &river.InsertOpts{ScheduledAt: m.CreatedAt.Add(after)}); err != nil {
		return channels.Receipt{}, fmt.Errorf("chat: schedule email fallback: %w", err)
	}
	return sent, nil
}
