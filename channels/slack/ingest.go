package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// ThreadedBySlack is the reason a customer's reply in a known Slack thread joined that thread's
// conversation (the message's threaded_by).
const ThreadedBySlack = "slack-thread"

// message ingests a customer's message in one transaction with its event id, its thread and,
// for a new contact, the job that looks up their Slack profile. A redelivery (the same event id)
// or the same message under another event id changes nothing.
func (h *Handler) message(ctx context.Context, a account, ev Event) error {
	root := threadRoot(ev)
	at := tsTime(ev.TS)
	in := inbox.Inbound{
		InboxID:    a.inbox.ID,
		Channel:    inbox.ChannelSlack,
		ExternalID: externalID(ev.Channel, ev.TS),
		From:       inbox.Identity{Kind: inbox.IdentitySlack, Address: ev.Address(), Verified: true},
		Text:       withFiles(messageText(ev.Text), ev.Files),
		ReceivedAt: at,
		Metadata: map[string]any{"slack": map[string]any{
			"team": ev.TeamID, "user_team": ev.UserTeam, "user": ev.User, "event_id": ev.EventID,
			"channel": ev.Channel, "channel_type": ev.ChannelType, "ts": ev.TS, "thread_ts": root,
		}},
	}
	if at.IsZero() {
		at = h.store.Now()
	}
	return h.store.InTx(ctx, func(tx pgx.Tx) error {
		fresh, err := markEvent(ctx, tx, ev.EventID, a.inbox.ID, h.store.Now())
		if err != nil || !fresh {
			return err
		}
		if ev.ThreadTS != "" {
			conv, err := threadConversation(ctx, tx, ev.Channel, ev.ThreadTS)
			if err != nil {
				return err
			}
			if conv != 0 {
				in.Hints = []inbox.ThreadHint{{ConversationID: conv, Reason: ThreadedBySlack}}
			}
		}
		res, err := h.store.IngestTx(ctx, tx, in)
		if err != nil {
			return fmt.Errorf("slack: ingest %s: %w", in.ExternalID, err)
		}
		if res.Duplicate {
			return nil
		}
		if err := saveThread(ctx, tx, ev.Channel, root, res.ConversationID, at); err != nil {
			return err
		}
		if err := h.fetchFilesLater(ctx, tx, a.inbox.ID, res.MessageID, ev.Files); err != nil {
			return err
		}
		if !res.NewContact || h.jobs == nil {
			return nil
		}
		return h.jobs.InsertTx(ctx, tx, ProfileArgs{ContactID: res.ContactID, InboxID: a.inbox.ID, UserID: ev.User})
	})
}

// threadRoot is the ts of the thread an agent's reply to ev goes in: the thread's parent when ev
// is in one, else ev itself; a direct message outside any thread is answered in the DM, "".
func threadRoot(ev Event) string {
	switch {
	case ev.ThreadTS != "":
		return ev.ThreadTS
	case ev.ChannelType == "im":
		return ""
	}
	return ev.TS
}

// change records a customer's edit or deletion of a stored message, with the event id, in one
// transaction. A change to a message Parley does not hold (one from before the app joined, a
// bot's, staff's in a shared channel) or to one that is not a customer's is ignored.
func (h *Handler) change(ctx context.Context, a account, ev Event) error {
	ch := inbox.MessageChange{Channel: inbox.ChannelSlack, ExternalID: externalID(ev.Channel, ev.TargetTS),
		Deleted: ev.Kind == KindDelete, At: tsTime(ev.TS)}
	if !ch.Deleted {
		ch.Text = messageText(ev.Text)
	}
	return h.store.InTx(ctx, func(tx pgx.Tx) error {
		fresh, err := markEvent(ctx, tx, ev.EventID, a.inbox.ID, h.store.Now())
		if err != nil || !fresh {
			return err
		}
		_, err = h.store.ChangeMessageTx(ctx, tx, ch)
		if errors.Is(err, inbox.ErrNotFound) || errors.Is(err, inbox.ErrConflict) {
			h.log.Debug("slack: change of a message not held", "inbox", a.inbox.ID, "message", ch.ExternalID, "err", err)
			return nil
		}
		return err
	})
}

// withFiles names the files a message without text shared, so its timeline entry says what came.
func withFiles(text string, files []SharedFile) string {
	if text != noText || len(files) == 0 {
		return text
	}
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.Name
	}
	return "[shared " + strings.Join(names, ", ") + "]"
}
