package inbox

import (
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
// firstWrites.queue). x gives each its contact's and message's ids up front, so that every row
// can name the contact it belongs to and be matched to its message; t looks up the
// conversation's team (the routed team when it exists, else the inbox's) and the inbox's team
// once for all of them. The contact is written with what its conversation adds to it
// (migration 174's trigger: the channel's and team's keys in reach, seen_at the message's
// instant), so that the trigger finds nothing to add and the new row is not written a second
// time in the same statement. Each row returned is one sender's: its position in the arrays,
// the conversation's convStateCols, the message's id (NULL when a concurrent transaction took
// its external id first) and the inbox's team (0: none).
func firstSQL() string {
	msgs, names := messageArrays(13)
	return `WITH x AS MATERIALIZED (
		SELECT u.*, nextval('contacts_id_seq') AS cid, nextval('messages_id_seq') AS message_id
		FROM unnest($2::int[], $3::text[], $4::bigint[], $5::text[], $6::timestamptz[], $7::text[], $8::text[],
			$9::bool[], $10::text[], $11::bigint[], $12::text[], ` + msgs + `)
			AS u(n, name, route_team, priority, routed_at, kind, address, verified, subject, previous, language, ` + names + `)),
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
	m AS (` + insertMessagesSQL("r.message_id", "v.id", "r.cid", "FROM t r JOIN v ON v.contact_id = r.cid") + `)
	SELECT t.n, v.*, m.id, coalesce(t.inbox_team, 0)
	FROM t JOIN v ON v.contact_id = t.cid LEFT JOIN m ON m.id = t.message_id`
}

// add takes a first-time sender's item, whose write (it.w) is decided.
func (f *firstWrites) add(it *ingestItem) {
	f.items = append(f.items, it)
}

// queue queues the statement that writes every item's rows in b, now being the wave's time.
func (f *firstWrites) queue(b *pgx.Batch, now time.Time) error {
	n := len(f.items)
	var (
		pos                                    = make([]int32, n)
		name, priority, kind, address, subject = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		routeTeam, previous                    = make([]*int64, n), make([]*int64, n)
		routedAt                               = make([]*time.Time, n)
		verified                               = make([]bool, n)
		language                               = make([]*string, n)
		msgs                                   messageRows
	)
	for j, it := range f.items {
		w, in := it.w, it.in
		pos[j] = int32(j)
		name[j], kind[j], address[j], verified[j] = in.Name, string(in.From.Kind), in.From.Address, in.From.Verified
		subject[j], previous[j], language[j] = subjectOf(in), nonZero(w.d.previousID), languageOf(in)
		priority[j] = string(PriorityNormal)
		if r := w.route; r != nil {
			routeTeam[j], routedAt[j] = nonZero(r.TeamID), &now
			if r.Priority != "" {
				priority[j] = string(r.Priority)
			}
		}
		if err := msgs.add(w); err != nil {
			return err
		}
	}
	args := append([]any{now, pos, name, routeTeam, priority, routedAt, kind, address, verified, subject, previous, language},
		msgs.args()...)
	b.Queue(firstSQL(), args...)
	return nil
}

// read reads the rows of the statement queue queued from br and finishes each item with its
// conversation and message, adding a routed one's audit entries to trail (see finishWritten).
func (f *firstWrites) read(br pgx.BatchResults, trail *auditRows) error {
	if err := finishWritten(br, f.items, true, trail); err != nil {
		return fmt.Errorf("inbox: ingest: write first-time senders: %w", err)
	}
	return nil
}
