package chat

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// FallbackScheduler schedules the email fallback of a chat reply: a job, due at a given
// instant, that emails the reply unless the visitor has seen it by then. The workflow's
// Enqueuer implements it (ScheduleChatFallback); scheduling one message twice schedules it once.
type FallbackScheduler interface {
	ScheduleChatFallback(ctx context.Context, messageID int64, at time.Time) error
}

// Sender is the chat channel's side of outbound delivery (cmd adapts it to channels.Sender).
// A chat reply needs no provider: committing it published its message.created event, which
// every parley process's hub pushes to the visitor's sockets it holds (marking the message
// delivered), and a visitor who is away gets it on their next connection. Send itself only
// schedules the email fallback.
type Sender struct {
	visitors *Visitors
	fallback FallbackScheduler
}

// Sender returns the chat sender; fallback may be nil (no email fallback).
func (s *Server) Sender(fallback FallbackScheduler) *Sender {
	return &Sender{visitors: s.visitors, fallback: fallback}
}

// Send "sends" chat reply m: it returns the status reached, sent (a socket that pushes it
// moves it to delivered). When the chat inbox has an email fallback and the visitor left an
// email, it schedules the fallback at the reply's time plus the inbox's delay. Errors are
// temporary (the database): the delivery is retried.
func (s *Sender) Send(ctx context.Context, m inbox.Message) (string, error) {
	if s.fallback == nil || m.Direction != inbox.DirectionOutbound {
		return inbox.DeliverySent, nil
	}
	inboxID, _, after, err := s.visitors.FallbackRoute(ctx, m)
	if err != nil {
		return "", err
	}
	if inboxID == 0 {
		return inbox.DeliverySent, nil
	}
	seen, err := s.visitors.Seen(ctx, m)
	if err != nil {
		return "", err
	}
	if seen {
		return inbox.DeliverySent, nil
	}
	if err := s.fallback.ScheduleChatFallback(ctx, m.ID, m.CreatedAt.Add(after)); err != nil {
		return "", fmt.Errorf("chat: schedule email fallback: %w", err)
	}
	return inbox.DeliverySent, nil
}
