package workflow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/parleyhq/parley/inbox"
)

// ChatFallbackArgs is the job that emails a chat reply the visitor has not seen: the chat
// sender schedules it when it delivers the reply, due once the chat inbox's fallback delay has
// passed.
type ChatFallbackArgs struct {
	MessageID int64 `json:"message_id"`
}

// Kind implements river.JobArgs.
func (ChatFallbackArgs) Kind() string { return "chat_fallback" }

// InsertOpts makes one fallback per reply.
func (ChatFallbackArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDefault, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// ChatFallbackAuto marks the email copy of a chat reply (inbox.Message.Auto); the chat channel
// shows the original only (chat.AutoEmailFallback is the same value).
const ChatFallbackAuto = "chat-fallback"

// ChatVisitors is what the fallback needs from the chat channel, which implements it.
type ChatVisitors interface {
	// Seen reports whether the visitor has seen chat message m: a socket pushed it to them or
	// showed them a later message.
	Seen(ctx context.Context, m inbox.Message) (bool, error)
	// FallbackRoute returns the email inbox that carries m when unseen and the address the
	// visitor left (inboxID 0 when the inbox has no fallback or the visitor left no email),
	// with the inbox's delay.
	FallbackRoute(ctx context.Context, m inbox.Message) (inboxID int64, address string, after time.Duration, err error)
}

// chatFallbackWorker runs ChatFallbackArgs jobs.
type chatFallbackWorker struct {
	river.WorkerDefaults[ChatFallbackArgs]
	Store    *inbox.Store
	Visitors ChatVisitors
	Log      *slog.Logger
}

// Work emails the reply unless the visitor has seen it since: it writes an outbound email
// message (auto ChatFallbackAuto, the same author and text, metadata "to" the visitor's
// address and "chat_fallback_of" the reply's id) through the fallback inbox, whose sender
// delivers it. The copy and the job's completion commit together, so a retried job never
// emails twice. A closed conversation takes no copy.
func (w *chatFallbackWorker) Work(ctx context.Context, job *river.Job[ChatFallbackArgs]) error {
	if w.Visitors == nil {
		return river.JobCancel(errors.New("workflow: chat fallback: no chat channel on this server"))
	}
	m, err := w.Store.GetMessage(ctx, job.Args.MessageID)
	if errors.Is(err, inbox.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if m.Direction != inbox.DirectionOutbound || m.Channel != inbox.ChannelChat || m.DeliveryStatus == inbox.DeliveryFailed {
		return nil
	}
	seen, err := w.Visitors.Seen(ctx, m)
	if err != nil || seen {
		return err
	}
	inboxID, address, _, err := w.Visitors.FallbackRoute(ctx, m)
	if err != nil || inboxID == 0 {
		return err
	}
	author := inbox.Actor{}
	if m.AuthorAgentID != nil {
		author.AgentID = *m.AuthorAgentID
	}
	err = w.Store.InTx(ctx, func(tx pgx.Tx) error {
		_, err := w.Store.WriteTx(ctx, tx, inbox.Reply{ConversationID: m.ConversationID, Author: author,
			Text: m.Text, HTML: m.HTML, Channel: inbox.ChannelEmail, InboxID: inboxID, Auto: ChatFallbackAuto,
			Metadata: map[string]any{"to": address, "chat_fallback_of": m.ID}}, inbox.DirectionOutbound)
		if errors.Is(err, inbox.ErrConflict) {
			w.Log.Info("chat fallback: conversation closed; not emailing", "message", m.ID)
		} else if err != nil {
			return err
		}
		_, err = river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job)
		return err
	})
	if err != nil {
		return fmt.Errorf("workflow: chat fallback of message %d: %w", m.ID, err)
	}
	return nil
}

// ScheduleChatFallback schedules the email fallback of chat message messageID at at (the
// chat sender's FallbackScheduler). Scheduling a message again is a no-op while its job waits.
func (e *Enqueuer) ScheduleChatFallback(ctx context.Context, messageID int64, at time.Time) error {
	if _, err := e.river.Insert(ctx, ChatFallbackArgs{MessageID: messageID}, &river.InsertOpts{ScheduledAt: at}); err != nil {
		return fmt.Errorf("workflow: schedule chat fallback: %w", err)
	}
	return nil
}
