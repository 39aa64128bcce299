package inbox

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// messageRows are a wave's inbound messages as columns, one array a column, for the set-based
// writes of firstWrites and replyWrites: each of their statements unnests its own arrays and
// these (messageArrays), and inserts the messages with insertMessagesSQL.
type messageRows struct {
	channel, ext, text, html, refs, threaded, auto, meta []string
	inbox                                                []*int64
	mid, irt                                             []*string
	at                                                   []time.Time
	waiting                                              []*time.Time
}

// add appends the message that w writes.
func (r *messageRows) add(w write) error {
	in := w.in
	refs := []string{}
	var mid, irt *string
	if e := in.Email; e != nil {
		mid, irt = strOrNil(e.MessageID), strOrNil(e.InReplyTo)
		refs = append(refs, e.References...)
	}
	refsJSON, err := json.Marshal(refs)
	if err != nil {
		return fmt.Errorf("inbox: ingest: references: %w", err)
	}
	meta, err := json.Marshal(orEmpty(in.Metadata))
	if err != nil {
		return fmt.Errorf("inbox: ingest: metadata: %w", err)
	}
	r.channel, r.ext = append(r.channel, string(in.Channel)), append(r.ext, in.ExternalID)
	r.text, r.html = append(r.text, in.Text), append(r.html, in.HTML)
	r.refs, r.meta = append(r.refs, string(refsJSON)), append(r.meta, string(meta))
	r.threaded, r.auto = append(r.threaded, w.d.reason), append(r.auto, in.Auto)
	r.inbox, r.mid, r.irt = append(r.inbox, nonZero(in.InboxID)), append(r.mid, mid), append(r.irt, irt)
	r.at, r.waiting = append(r.at, w.at), append(r.waiting, w.waitingSince())
	return nil
}

// args returns the arrays in messageArrays' order.
func (r *messageRows) args() []any {
	return []any{r.channel, r.inbox, r.ext, r.text, r.html, r.mid, r.irt, r.refs, r.threaded, r.auto, r.meta, r.at, r.waiting}
}

// messageArrays returns the unnest arguments of messageRows' arrays, their placeholders
// numbered from first, and the names of their columns.
func messageArrays(first int) (arrays, names string) {
	types := []string{"text", "bigint", "text", "text", "text", "text", "text", "text", "text", "text", "text", "timestamptz", "timestamptz"}
	ps := make([]string, len(types))
	for i, t := range types {
		ps[i] = "$" + strconv.Itoa(first+i) + "::" + t + "[]"
	}
	return strings.Join(ps, ", "), "channel, inbox, ext, text, html, mid, irt, refs, threaded, auto, meta, at, waiting"
}

// insertMessagesSQL is an INSERT of the messages of the rows that from yields, each named r
// (with messageArrays' columns), into the conversation conv yields, from the contact contact
// yields, with the id id yields (drawn up front, so that every row can be matched to its
// message); a message whose external id is taken is skipped. It returns the ids.
func insertMessagesSQL(id, conv, contact, from string) string {
	return `INSERT INTO messages (id, conversation_id, contact_id, direction, channel, inbox_id, external_id, text, html,
			email_message_id, email_in_reply_to, email_references, delivery_status, threaded_by, auto, metadata, created_at)
		SELECT ` + id + `, ` + conv + `, ` + contact + `, 'inbound', r.channel, r.inbox, r.ext, r.text, r.html, r.mid, r.irt,
			ARRAY(SELECT jsonb_array_elements_text(r.refs::jsonb)), 'received', r.threaded, r.auto, r.meta::jsonb, r.at
		` + from + `
		ON CONFLICT (channel, external_id) DO NOTHING RETURNING id`
}

// finishWritten reads the rows of a set-based write of items (firstSQL, replySQL) from br and
// finishes each item with its conversation and message, adding audit entries to trail. Each
// row holds an item's position, its conversation's convStateCols, the message's id and, when
// inboxTeam, its inbox's team. A message without an id (a concurrent transaction took its
// external id first) fails the wave with errRaced, as the ingest of any other message would;
// an item no row names (its conversation deleted since the lookups) fails it too.
func finishWritten(br pgx.BatchResults, items []*ingestItem, inboxTeam bool, trail *auditRows) error {
	rows, err := br.Query()
	if err != nil {
		return err
	}
	defer rows.Close()
	got := make([]*written, len(items))
	for rows.Next() {
		var pos int32
		var wr written
		var mid *int64
		c := &wr.conv
		dest := []any{&pos, &c.id, &c.contactID, &c.inboxID, &c.teamID, &c.assigneeID, &c.channel, &c.status, &c.priority, &mid}
		if inboxTeam {
			dest = append(dest, &wr.inboxTeam)
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if pos < 0 || int(pos) >= len(got) || got[pos] != nil {
			return fmt.Errorf("unexpected row %d", pos)
		}
		if mid == nil {
			return errRaced
		}
		wr.messageID = *mid
		got[pos] = &wr
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for j, it := range items {
		if got[j] == nil {
			return fmt.Errorf("no row for message %q (conversation %d)", it.in.ExternalID, it.w.d.conversationID)
		}
		it.finish(*got[j], trail)
	}
	return nil
}
