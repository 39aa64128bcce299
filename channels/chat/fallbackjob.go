package chat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// FallbackArgs is the job that emails a chat reply the visitor has not seen: the chat sender
// schedules it when it delivers the reply, due once the chat inbox's fallback delay has passed.
type FallbackArgs struct {
	MessageID int64 `json:"message_id"`
}

// Kind implements river.JobArgs.
func (FallbackArgs) Kind() string { return "chat_fallback" }

// InsertOpts makes one fallback per reply.
func (FallbackArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: channels.QueueDefault, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// fallbackWorker runs FallbackArgs jobs.
type fallbackWorker struct {
	river.WorkerDefaults[FallbackArgs]
	store    *inbox.Store
	visitors *Visitors
	log      *slog.Logger
}

// Work emails the reply unless the visitor has seen it since: it writes an outbound email
// message (auto AutoEmailFallback, the same author and text, metadata "to" the visitor's
// address and "chat_fallback_of" the reply's id) through the fallback inbox, whose sender
// delivers it. The copy and the job's completion commit together, so a retried job never
// emails twice. A closed conversation takes no copy.
func (w *fallbackWorker) Work(ctx context.Context, job *river.Job[FallbackArgs]) error {
	m, err := w.store.GetMessage(ctx, job.Args.MessageID)
	if errors.Is(err, inbox.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if m.Direction != inbox.DirectionOutbound || m.Channel != inbox.ChannelChat || m.DeliveryStatus == inbox.DeliveryFailed {
		return nil
	}
	seen, err := w.visitors.Seen(ctx, m)
	if err != nil || seen {
		return err
	}
	inboxID, address, _, err := w.visitors.FallbackRoute(ctx, m)
	if err != nil || inboxID == 0 {
		return err
	}
	author := inbox.Actor{}
	if m.AuthorAgentID != nil {
		author.AgentID = *m.AuthorAgentID
	}
	err = w.store.InTx(ctx, func(tx pgx.Tx) error {
		_, err := w.store.WriteTx(ctx, tx, inbox.Reply{ConversationID: m.ConversationID, Author: author,
			Text: m.Text, HTML: m.HTML, Channel: inbox.ChannelEmail, InboxID: inboxID, Auto: AutoEmailFallback,
			Metadata: map[string]any{"to": address, "chat_fallback_of": m.ID}}, inbox.DirectionOutbound)
		if errors.Is(err, inbox.ErrConflict) {
			w.log.Info("chat fallback: conversation closed; not emailing", "message", m.ID)
		} else if err != nil {
			return err
		}
		_, err = river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job)
		return err
	})
	if err != nil {
		return fmt.Errorf("chat: fallback of message %d: %w", m.ID, err)
	}
	return nil
}
