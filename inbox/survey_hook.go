package inbox

import (
	"context"
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

// InterceptCall is what an Interceptor is shown: the normalized message, its sender's contact
// and the store's clock reading.
type InterceptCall struct {
	Inbound   *Inbound
	ContactID int64
	Now       time.Time
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
