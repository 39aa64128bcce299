package inbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Interceptor looks at a known customer's inbound message before it is threaded, and may claim
// it for a conversation the usual threading would not pick, without reopening or waking that
// conversation. The workflow uses it to take a bare "4" answering a satisfaction survey as the
// survey's score rather than as a new complaint. It runs inside the ingest's transaction, so
// what it records commits with the message or not at all; it is called once per message
// (a redelivered message is recognized before it), and only for senders already known.
//
// InterceptTx should decide from the message alone when it can (no query for text that cannot
// be an answer): it is on the path of every inbound message.
type Interceptor interface {
	InterceptTx(ctx context.Context, tx pgx.Tx, call InterceptCall) (Interception, error)
}

// InterceptCall is what an Interceptor is shown: the normalized message, its sender's contact,
// the store's clock reading and the store itself, whose Tx methods read the inbox's tables in
// the ingest's transaction.
type InterceptCall struct {
	Inbound   *Inbound
	ContactID int64
	Now       time.Time
	Store     *Store
}

// Interception is an Interceptor's verdict. A zero ConversationID lets the message thread as
// usual. Otherwise the message is stored in that conversation, inbound, marked with Auto
// (such as "survey-answer") and threaded_by Reason, the conversation's status is left alone,
// and Events are published with the message's own.
type Interception struct {
	ConversationID int64
	Auto           string
	Reason         string
	Events         []Event
}

// intercepted asks the store's Interceptor about an inbound message of a known contact and,
// when it claims the message, stores it where the Interceptor said. ok reports whether it did.
func (s *Store) intercepted(ctx context.Context, tx pgx.Tx, in *Inbound, look looked, at, now time.Time) (IngestResult, []Event, bool, error) {
	if s.intercept == nil || look.contactID == 0 {
		return IngestResult{}, nil, false, nil
	}
	hit, err := s.intercept.InterceptTx(ctx, tx, InterceptCall{Inbound: in, ContactID: look.contactID, Now: now, Store: s})
	if err != nil {
		return IngestResult{}, nil, false, fmt.Errorf("inbox: ingest: intercept: %w", err)
	}
	if hit.ConversationID == 0 {
		return IngestResult{}, nil, false, nil
	}
	// A copy: a failed group commit retries with the caller's Inbound, which must stay as it came.
	claimed := *in
	claimed.Auto = hit.Auto
	w := write{in: &claimed, at: at, now: now, d: threadDecision{conversationID: hit.ConversationID, reason: hit.Reason}}
	var a args
	msg, err := w.insertMessage(&a, a.p(hit.ConversationID)+"::bigint", a.p(look.contactID)+"::bigint", "")
	if err != nil {
		return IngestResult{}, nil, false, err
	}
	if b := (&pgx.Batch{}); w.touchContact(b, look) > 0 {
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return IngestResult{}, nil, false, fmt.Errorf("inbox: ingest: touch contact: %w", err)
		}
	}
	conv, err := scanConvState(tx.QueryRow(ctx, `SELECT `+convStateCols+` FROM conversations WHERE id = $1`, hit.ConversationID))
	if err != nil {
		return IngestResult{}, nil, false, fmt.Errorf("inbox: ingest: intercepted conversation %d: %w", hit.ConversationID, notFound(err))
	}
	var mid int64
	err = tx.QueryRow(ctx, msg, a...).Scan(&mid)
	if errors.Is(err, pgx.ErrNoRows) {
		return IngestResult{}, nil, false, errRaced
	}
	if err != nil {
		return IngestResult{}, nil, false, fmt.Errorf("inbox: ingest: insert message: %w", err)
	}
	res := IngestResult{ContactID: look.contactID, ConversationID: conv.id, MessageID: mid, ThreadedBy: hit.Reason}
	if err := addClaimed(ctx, tx, res.ContactID, in.Also, now); err != nil {
		return IngestResult{}, nil, false, err
	}
	if err := insertAttachments(ctx, tx, mid, in.Attachments, now); err != nil {
		return IngestResult{}, nil, false, err
	}
	e := conv.event(EventMessageCreated, at)
	e.MessageID, e.Direction, e.Channel = mid, DirectionInbound, in.Channel
	e.Data = map[string]any{"auto": hit.Auto}
	return res, append(hit.Events, e), true, nil
}
