package inbox

import (
	"fmt"

	"github.com/jackc/pgx/v5"
)

// replyWrites are the writes of a wave's messages into conversations that exist (a returning
// customer's message, or a new sender's on a known thread): one statement updates all their
// conversations and inserts all their messages, so the cost of a statement is paid once a
// wave, not once a message. What a message also tells (a name, a verified address, a reopened
// conversation's audit entry) stays a statement of its own, queued before (queueMessage).
type replyWrites struct {
	items []*ingestItem
	// senders holds the contact each item's message is from, which may not be its
	// conversation's (a colleague on an email thread).
	senders []int64
}

// replySQL writes a wave's messages into their conversations, one row of the parameters'
// arrays each (see replyWrites.queue). x draws each message's id up front, so that every row
// can be matched to its message. g folds the messages of one conversation (two senders on one
// email thread) into one change of it, as their changes one after the other would make: the
// latest activity, reopened or woken if any of them does, waiting since the earliest. l locks
// the conversations in id order, the package's lock order, before the UPDATE changes them.
// Each row returned is one message's: its position in the arrays, its conversation's
// convStateCols after the change, and the message's id (NULL when a concurrent transaction
// took its external id first).
func replySQL() string {
	msgs, names := messageArrays(6)
	return `WITH x AS MATERIALIZED (
		SELECT u.*, nextval('messages_id_seq') AS message_id
		FROM unnest($1::int[], $2::bigint[], $3::bigint[], $4::bool[], $5::bool[], ` + msgs + `)
			AS u(n, conv, contact, reopen, wake, ` + names + `)),
	g AS (SELECT conv, max(at) AS last_at, bool_or(reopen) AS reopens, bool_or(reopen OR wake) AS opens,
			min(waiting) AS waits
		FROM x GROUP BY conv),
	l AS (SELECT c.id AS locked FROM conversations c WHERE c.id IN (SELECT conv FROM g) ORDER BY c.id FOR NO KEY UPDATE),
	v AS (UPDATE conversations c SET
			last_activity_at = greatest(c.last_activity_at, g.last_at),
			status = CASE WHEN g.opens THEN 'open' ELSE c.status END,
			resolved_at = CASE WHEN g.reopens THEN NULL ELSE c.resolved_at END,
			resolved_by = CASE WHEN g.reopens THEN NULL ELSE c.resolved_by END,
			snoozed_until = CASE WHEN g.opens THEN NULL ELSE c.snoozed_until END,
			waiting_since = coalesce(c.waiting_since, g.waits)
		FROM l JOIN g ON g.conv = l.locked WHERE c.id = l.locked
		RETURNING ` + convStateCols + `),
	m AS (` + insertMessagesSQL("r.message_id", "r.conv", "r.contact", "FROM x r JOIN v ON v.id = r.conv") + `)
	SELECT x.n, v.*, m.id FROM x JOIN v ON v.id = x.conv LEFT JOIN m ON m.id = x.message_id`
}

// add takes the item of a message from sender into the conversation its write (it.w) decided.
func (r *replyWrites) add(it *ingestItem, sender int64) {
	r.items = append(r.items, it)
	r.senders = append(r.senders, sender)
}

// queue queues the statement that writes every item's message in b.
func (r *replyWrites) queue(b *pgx.Batch) error {
	n := len(r.items)
	pos, conv := make([]int32, n), make([]int64, n)
	reopen, wake := make([]bool, n), make([]bool, n)
	var msgs messageRows
	for j, it := range r.items {
		d := it.w.d
		pos[j], conv[j], reopen[j], wake[j] = int32(j), d.conversationID, d.reopen, d.wake
		if err := msgs.add(it.w); err != nil {
			return err
		}
	}
	b.Queue(replySQL(), append([]any{pos, conv, r.senders, reopen, wake}, msgs.args()...)...)
	return nil
}

// read reads the rows of the statement queue queued from br and finishes each item with its
// conversation and message (see finishWritten).
func (r *replyWrites) read(br pgx.BatchResults, trail *auditRows) error {
	if err := finishWritten(br, r.items, false, trail); err != nil {
		return fmt.Errorf("inbox: ingest: write messages: %w", err)
	}
	return nil
}
