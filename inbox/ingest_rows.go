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

// arrayColumn is one column of a set-based write: its name in the statement, its element type,
// and its values.
type arrayColumn struct {
	name, typ string
	values    any
}

// columns lists messageRows' arrays, the one list that messageArrays and args follow.
func (r *messageRows) columns() []arrayColumn {
	return []arrayColumn{{"channel", "text", r.channel}, {"inbox", "bigint", r.inbox}, {"ext", "text", r.ext},
		{"text", "text", r.text}, {"html", "text", r.html}, {"mid", "text", r.mid}, {"irt", "text", r.irt},
		{"refs", "text", r.refs}, {"threaded", "text", r.threaded}, {"auto", "text", r.auto}, {"meta", "text", r.meta},
		{"at", "timestamptz", r.at}, {"waiting", "timestamptz", r.waiting}}
}

// args returns the arrays in messageArrays' order.
func (r *messageRows) args() []any {
	var out []any
	for _, c := range r.columns() {
		out = append(out, c.values)
	}
	return out
}

// messageArrays returns the unnest arguments of messageRows' arrays, their placeholders
// numbered from first, and the names of their columns.
func messageArrays(first int) (arrays, names string) {
	cols := (&messageRows{}).columns()
	ps, ns := make([]string, len(cols)), make([]string, len(cols))
	for i, c := range cols {
		ps[i], ns[i] = "$"+strconv.Itoa(first+i)+"::"+c.typ+"[]", c.name
	}
	return strings.Join(ps, ", "), strings.Join(ns, ", ")
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
