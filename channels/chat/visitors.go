package chat

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// Visitors is the chat channel's own table, chat_visitors: per visitor the email they left
// and the last message a socket showed them. It answers the email fallback job (FallbackArgs):
// has the visitor seen a reply, and where would an unseen one go.
type Visitors struct {
	store *inbox.Store
	log   *slog.Logger

	mu         sync.Mutex
	pending    []seenMark
	committing bool
}

// NewVisitors returns the visitor records of store's database; log receives the failures of
// background bookkeeping (nil discards them).
func NewVisitors(store *inbox.Store, log *slog.Logger) *Visitors {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Visitors{store: store, log: log}
}

// remember records what a visitor told about themselves (name and email from the widget);
// empty values keep what was known.
func (v *Visitors) remember(ctx context.Context, inboxID int64, visitorID, name, email string) error {
	_, err := v.store.Pool().Exec(ctx, `INSERT INTO chat_visitors (visitor_id, inbox_id, name, email, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5)
		ON CONFLICT (visitor_id) DO UPDATE SET
			name = coalesce(nullif(excluded.name, ''), chat_visitors.name),
			email = coalesce(nullif(excluded.email, ''), chat_visitors.email),
			updated_at = excluded.updated_at`,
		visitorID, inboxID, name, email, v.store.Now())
	if err != nil {
		return fmt.Errorf("chat: remember visitor: %w", err)
	}
	return nil
}

// seenTx records, in tx, that sockets showed each visitor (of inbox inboxIDs[i]) named in
// visitorIDs[i] the messages up to messageIDs[i]: one statement, rows taken in visitor order
// (so two processes recording overlapping visitors cannot deadlock).
func (v *Visitors) seenTx(ctx context.Context, tx pgx.Tx, inboxIDs []int64, visitorIDs []string, messageIDs []int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO chat_visitors (visitor_id, inbox_id, last_seen_message_id, last_seen_at, created_at, updated_at)
		SELECT visitor_id, min(inbox_id), max(message_id), $4::timestamptz, $4::timestamptz, $4::timestamptz
		FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS s(visitor_id, inbox_id, message_id)
		GROUP BY visitor_id ORDER BY visitor_id
		ON CONFLICT (visitor_id) DO UPDATE SET
			last_seen_message_id = greatest(chat_visitors.last_seen_message_id, excluded.last_seen_message_id),
			last_seen_at = excluded.last_seen_at`,
		visitorIDs, inboxIDs, messageIDs, v.store.Now())
	if err != nil {
		return fmt.Errorf("chat: visitor seen: %w", err)
	}
	return nil
}

// seenMark is one message a socket showed a visitor.
type seenMark struct {
	inboxID   int64
	visitorID string
	m         inbox.Message
}

// maxSeenBatch caps the marks one transaction records; seenGather is how long marks gather
// before they are committed, so that a burst of replies is pushed to its sockets first and
// recorded after, in a few transactions.
const (
	maxSeenBatch = 2000
	seenGather   = 500 * time.Millisecond
)

// markSeen records that a socket showed a visitor msgs: outbound chat messages become
// delivered (from this process, which pushed them) and the visitor's last seen message
// advances. Marks are group-committed: the caller that finds no batch running starts a
// goroutine that gathers marks for seenGather and commits every mark that piled up, one
// transaction per batch; every caller returns at once (a socket's writer does not wait for the
// database). A broadcast to thousands of sockets so costs a few commits instead of one each,
// after its pushes rather than among them. It is best effort: a mark lost to a crash leaves
// the message "sent", and the next replay marks it.
func (v *Visitors) markSeen(ctx context.Context, inboxID int64, visitorID string, msgs []inbox.Message) {
	if len(msgs) == 0 {
		return
	}
	v.mu.Lock()
	for _, m := range msgs {
		v.pending = append(v.pending, seenMark{inboxID: inboxID, visitorID: visitorID, m: m})
	}
	if v.committing {
		v.mu.Unlock()
		return
	}
	v.committing = true
	v.mu.Unlock()
	go v.commitPending(ctx)
}

// commitPending gathers marks for seenGather (less once ctx ends: the server is closing),
// then commits them, a batch at a time, until none is left.
func (v *Visitors) commitPending(ctx context.Context) {
	gather := time.NewTimer(seenGather)
	select {
	case <-gather.C:
	case <-ctx.Done():
		gather.Stop()
	}
	// The batches are everyone's: the caller's socket closing must not cancel them.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	for {
		v.mu.Lock()
		n := min(len(v.pending), maxSeenBatch)
		batch := v.pending[:n:n]
		v.pending = v.pending[n:]
		if n == 0 {
			v.pending = nil
			v.committing = false
			v.mu.Unlock()
			return
		}
		v.mu.Unlock()
		if err := v.commitSeen(ctx, batch); err != nil {
			v.log.Warn("chat: record deliveries", "marks", len(batch), "err", err)
		}
	}
}

// commitSeen records a batch of marks in one transaction of a few statements: the replies
// become delivered (inbox.Store.MarkDeliveredTx, which locks them in id order), then each
// visitor's last seen message advances.
func (v *Visitors) commitSeen(ctx context.Context, batch []seenMark) error {
	var replies []int64
	inboxIDs := make([]int64, len(batch))
	visitorIDs := make([]string, len(batch))
	messageIDs := make([]int64, len(batch))
	for i, s := range batch {
		m := s.m
		inboxIDs[i], visitorIDs[i], messageIDs[i] = s.inboxID, s.visitorID, m.ID
		if m.Direction == inbox.DirectionOutbound && m.Channel == inbox.ChannelChat && m.DeliveryStatus != inbox.DeliveryDelivered {
			replies = append(replies, m.ID)
		}
	}
	return v.store.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := v.store.MarkDeliveredTx(ctx, tx, replies); err != nil {
			return err
		}
		return v.seenTx(ctx, tx, inboxIDs, visitorIDs, messageIDs)
	})
}

// visitorState is what the fallback needs of a contact's visitors.
type visitorState struct {
	lastSeen int64
	email    string // the most recently left email, "" when none
}

// stateOf returns the state of a contact's chat visitors: their chat identities are visitor ids.
func (v *Visitors) stateOf(ctx context.Context, contactID int64) (visitorState, error) {
	c, err := v.store.GetContact(ctx, contactID)
	if err != nil {
		return visitorState{}, fmt.Errorf("chat: visitors of contact %d: %w", contactID, err)
	}
	var ids []string
	for _, id := range c.Identities {
		if id.Kind == inbox.IdentityChat {
			ids = append(ids, id.Address)
		}
	}
	var st visitorState
	err = v.store.Pool().QueryRow(ctx, `SELECT coalesce(max(last_seen_message_id), 0),
			coalesce((array_agg(email ORDER BY updated_at DESC) FILTER (WHERE email <> ''))[1], '')
		FROM chat_visitors WHERE visitor_id = ANY($1)`, ids).Scan(&st.lastSeen, &st.email)
	if err != nil {
		return visitorState{}, fmt.Errorf("chat: visitors of contact %d: %w", contactID, err)
	}
	return st, nil
}

// Seen reports whether a visitor has seen chat message m: a socket pushed it (delivered) or
// showed them a later message.
func (v *Visitors) Seen(ctx context.Context, m inbox.Message) (bool, error) {
	if m.DeliveryStatus == inbox.DeliveryDelivered {
		return true, nil
	}
	if m.ContactID == nil {
		return false, nil
	}
	st, err := v.stateOf(ctx, *m.ContactID)
	if err != nil {
		return false, err
	}
	return st.lastSeen >= m.ID, nil
}

// FallbackRoute returns where chat reply m goes by email if the visitor does not see it: the
// chat inbox's fallback email inbox and the address the visitor left, with the delay after
// which it is due. inboxID is 0 when there is no route (the fallback is off, or the visitor
// left no email).
func (v *Visitors) FallbackRoute(ctx context.Context, m inbox.Message) (inboxID int64, address string, after time.Duration, err error) {
	if m.InboxID == nil || m.ContactID == nil {
		return 0, "", 0, nil
	}
	in, err := v.store.GetInbox(ctx, *m.InboxID)
	if err != nil {
		return 0, "", 0, fmt.Errorf("chat: fallback route: %w", err)
	}
	settings, err := inboxSettings(in)
	if err != nil {
		return 0, "", 0, err
	}
	fallbackID, delay := settings.Fallback()
	if fallbackID == 0 {
		return 0, "", 0, nil
	}
	st, err := v.stateOf(ctx, *m.ContactID)
	if err != nil || st.email == "" {
		return 0, "", 0, err
	}
	return fallbackID, st.email, delay, nil
}
