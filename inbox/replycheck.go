package inbox

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// ReplyChecker may refuse an outbound reply before it is stored, for a reason only a channel
// knows (an SMS to a customer who texted STOP). It runs inside the reply's transaction; an
// error refuses the reply and should wrap ErrConflict or ErrForbidden with a message an agent
// can act on.
type ReplyChecker interface {
	CheckReplyTx(ctx context.Context, tx pgx.Tx, r ReplyRoute) error
}

// ReplyRoute is where a reply is about to go.
type ReplyRoute struct {
	ConversationID int64
	ContactID      int64
	Channel        Channel
	InboxID        int64
	// To is the address the message names (its metadata's "to": the number or address an agent
	// started the conversation with); "" leaves the choice to the channel's sender.
	To string
}
