package inbox

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// firstWrites are the writes of a wave's first-time senders: for each, a contact, its
// identity, the conversation it starts and its message. One statement writes them all: the
// rows of one table go in as one INSERT, so the cost of a statement (opening the tables, their
// indexes and triggers) is paid once a wave, not once a sender.
type firstWrites struct {
	items []*ingestItem
}

// firstSQL writes a wave's first-time senders, one row of the parameters' arrays each (see
// firstWrites.queue). x gives each its contact's id up front, so that every row can name the
// contact it belongs to; t looks up the conversation's team (the routed team when it exists,
// else the inbox's) and the inbox's team once for all of them. The contact is written with
// what its conversation adds to it (migration 174's trigger: the channel's and team's keys in
// reach, seen_at the message's instant), so that the trigger finds nothing to add and the new
// row is not written a second time in the same statement. Each row returned is one sender's:
// its position in the arrays, the conversation's convStateCols, the message's id (NULL when a
// concurrent transaction took its external id first) and the inbox's team (0: none).
const firstSQL = `WITH x AS MATERIALIZED (
		SELECT u.*, nextval('contacts_id_seq') AS cid
		FROM unnest($2::int[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[], $8::timestamptz[],
			$9::text[], $10::text[], $11::bool[], $12::text[], $13::bigint[], $14::timestamptz[], $15::timestamptz[],
			$16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[], $23::text[],
			$24::text[], $25::text[])
			AS u(n, name, channel, inbox, route_team, priority, routed_at,
				kind, address, verified, subject, previous, at, waiting,
				language, ext, text, html, mid, irt, refs, threaded, auto,
				meta)),
	t AS MATERIALIZED (
		SELECT x.*, coalesce(rt.id, ib.team_id) AS team, ib.team_id AS inbox_team
		FROM x LEFT JOIN inboxes ib ON ib.id = x.inbox LEFT JOIN teams rt ON rt.id = x.route_team),
	k AS (INSERT INTO contacts (id, name, created_at, updated_at, reach, seen_at)
		SELECT cid, name, $1, $1, ARRAY['c:' || channel, 't:' || coalesce(team::text, '')], at FROM t),
	i AS (INSERT INTO contact_identities (contact_id, kind, address, verified, created_at)
		SELECT cid, kind, address, verified, $1 FROM t),
	v AS (INSERT INTO conversations (contact_id, inbox_id, channel, subject, team_id, previous_id,
			created_at, last_activity_at, waiting_since, language, routed_at, priority)
		SELECT cid, inbox, channel, subject, team, previous, at, at, waiting, language, routed_at, priority FROM t
		RETURNING ` + convStateCols + `),
	m AS (INSERT INTO messages (conversation_id, contact_id, direction, channel, inbox_id, external_id, text, html,
			email_message_id, email_in_reply_to, email_references, delivery_status, threaded_by, auto, metadata, created_at)
		SELECT v.id, t.cid, 'inbound', t.channel, t.inbox, t.ext, t.text, t.html, t.mid, t.irt,
			ARRAY(SELECT jsonb_array_elements_text(t.refs::jsonb)), 'received', t.threaded, t.auto, t.meta::jsonb, t.at
		FROM t JOIN v ON v.contact_id = t.cid
		ON CONFLICT (channel, external_id) DO NOTHING RETURNING id, conversation_id)
	SELECT t.n, v.*, m.id, coalesce(t.inbox_team, 0)
	FROM t JOIN v ON v.contact_id = t.cid LEFT JOIN m ON m.conversation_id = v.id`

// add takes a first-time sender's item, whose write (it.w) is decided.
func (f *firstWrites) add(it *ingestItem) {
	f.items = append(f.items, it)
}

// queue queues the statement that writes every item's rows in b, now being the wave's time.
func (f *firstWrites) queue(b *pgx.Batch, now time.Time) error {
	n := len(f.items)
	var (
		pos                                       = make([]int32, n)
		name, channel, priority, kind, address    = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		subject, ext, text, html, refs, thr, auto = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		meta                                      = make([]string, n)
		inbox, routeTeam, previous                = make([]*int64, n), make([]*int64, n), make([]*int64, n)
		routedAt, waiting                         = make([]*time.Time, n), make([]*time.Time, n)
		at                                        = make([]time.Time, n)
		verified                                  = make([]bool, n)
		language, mid, irt                        = make([]*string, n), make([]*string, n), make([]*string, n)
	)
	for j, it := range f.items {
		w, in := it.w, it.in
		pos[j] = int32(j)
		name[j], channel[j], kind[j], address[j] = in.Name, string(in.Channel), string(in.From.Kind), in.From.Address
		verified[j], inbox[j], subject[j], previous[j] = in.From.Verified, nonZero(in.InboxID), subjectOf(in), nonZero(w.d.previousID)
		at[j], waiting[j], language[j] = w.at, w.waitingSince(), languageOf(in)
		ext[j], text[j], html[j], thr[j], auto[j] = in.ExternalID, in.Text, in.HTML, w.d.reason, in.Auto
		priority[j] = string(PriorityNormal)
		if r := w.route; r != nil {
			routeTeam[j], routedAt[j] = nonZero(r.TeamID), &now
			if r.Priority != "" {
				priority[j] = string(r.Priority)
			}
		}
		refList := []string{}
		if e := in.Email; e != nil {
			mid[j], irt[j] = strOrNil(e.MessageID), strOrNil(e.InReplyTo)
			refList = append(refList, e.References...)
		}
		r, err := json.Marshal(refList)
		if err != nil {
			return fmt.Errorf("inbox: ingest: references: %w", err)
		}
		m, err := json.Marshal(orEmpty(in.Metadata))
		if err != nil {
			return fmt.Errorf("inbox: ingest: metadata: %w", err)
		}
		refs[j], meta[j] = string(r), string(m)
	}
	b.Queue(firstSQL, now, pos, name, channel, inbox, routeTeam, priority, routedAt,
		kind, address, verified, subject, previous, at, waiting,
		language, ext, text, html, mid, irt, refs, thr, auto, meta)
	return nil
}

// read reads the rows of the statement queue queued from br and finishes each item with its
// conversation and message, adding a routed one's audit entries to trail. A message whose
// external id a concurrent transaction took first fails the wave with errRaced, as the
// ingest of any other message would.
func (f *firstWrites) read(br pgx.BatchResults, trail *auditRows) error {
	rows, err := br.Query()
	if err != nil {
		return fmt.Errorf("inbox: ingest: write first-time senders: %w", err)
	}
	defer rows.Close()
	got := make([]*written, len(f.items))
	for rows.Next() {
		var pos int32
		var wr written
		var mid *int64
		c := &wr.conv
		if err := rows.Scan(&pos, &c.id, &c.contactID, &c.inboxID, &c.teamID, &c.assigneeID, &c.channel, &c.status, &c.priority,
			&mid, &wr.inboxTeam); err != nil {
			return fmt.Errorf("inbox: ingest: write first-time senders: %w", err)
		}
		if pos < 0 || int(pos) >= len(got) || got[pos] != nil {
			return fmt.Errorf("inbox: ingest: write first-time senders: unexpected row %d", pos)
		}
		if mid == nil {
			return errRaced
		}
		wr.messageID = *mid
		got[pos] = &wr
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("inbox: ingest: write first-time senders: %w", err)
	}
	for j, it := range f.items {
		if got[j] == nil {
			return fmt.Errorf("inbox: ingest: write first-time senders: no row for message %q", it.in.ExternalID)
		}
		it.finish(*got[j], trail)
	}
	return nil
}
