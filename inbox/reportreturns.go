package inbox

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// RepeatWindow is how long after a resolution a customer's return counts against it: a reopening
// within it means the conversation was not resolved at first contact, and a new conversation of
// the same customer within it is a repeat contact.
const RepeatWindow = 7 * 24 * time.Hour

// FirstContact is first-contact resolution: of the Resolved conversations (resolved now), Single
// were resolved with one agent reply and not reopened within RepeatWindow of their first
// resolution.
type FirstContact struct {
	Resolved int64
	Single   int64
}

// Repeat is repeat contact: of the Resolved conversations, Returned had their customer back
// within RepeatWindow of a resolution: another conversation of theirs, or a message of theirs
// that reopened this one.
type Repeat struct {
	Resolved int64
	Returned int64
}

// DayOpen is the number of conversations open (new, open or pending) at the end of one UTC day;
// for today, now.
type DayOpen struct {
	Day  time.Time
	Open int64
}

// returns computes first-contact resolution and repeat contact over the period's resolved
// conversations: their replies and status events through their conversation's indexes, the
// customer's next conversation through conversations_contact_idx.
func (sc Scope) returns(ctx context.Context, f ReportFilter) (FirstContact, Repeat, error) {
	var a ReportArgs
	var fc FirstContact
	var rp Repeat
	window := "(" + a.Arg(int64(RepeatWindow/time.Second)) + "::bigint * interval '1 second')"
	err := sc.s.pool.QueryRow(ctx, `WITH res AS MATERIALIZED (
			SELECT c.id, c.contact_id, c.resolved_at FROM conversations c
			WHERE `+f.Where(sc.v, "c", &a)+` AND c.resolved_at IS NOT NULL)
		SELECT count(*),
			count(*) FILTER (WHERE (SELECT count(*) FROM messages m WHERE m.conversation_id = res.id
					AND m.direction = 'outbound' AND m.auto = '' AND m.author_agent_id IS NOT NULL) = 1
				AND NOT EXISTS (SELECT 1 FROM conversation_events e WHERE e.conversation_id = res.id AND e.kind = 'status'
					AND e.data->>'from' IN ('resolved', 'closed') AND e.data->>'to' IN ('new', 'open', 'pending')
					AND e.created_at <= coalesce((SELECT min(r.created_at) FROM conversation_events r
						WHERE r.conversation_id = res.id AND r.kind = 'status' AND r.data->>'to' = 'resolved'), res.resolved_at)
						+ `+window+`)),
			count(*) FILTER (WHERE EXISTS (SELECT 1 FROM conversations n WHERE n.contact_id = res.contact_id
					AND n.id > res.id AND n.created_at > res.resolved_at AND n.created_at <= res.resolved_at + `+window+`)
				OR EXISTS (SELECT 1 FROM conversation_events e WHERE e.conversation_id = res.id AND e.kind = 'status'
					AND e.actor = 'customer' AND e.data->>'from' IN ('resolved', 'closed')
					AND e.created_at <= (SELECT min(r.created_at) FROM conversation_events r
						WHERE r.conversation_id = res.id AND r.kind = 'status' AND r.data->>'to' = 'resolved') + `+window+`))
		FROM res`, a.List...).Scan(&fc.Resolved, &fc.Single, &rp.Returned)
	if err != nil {
		return fc, rp, fmt.Errorf("inbox: report: first contact: %w", err)
	}
	rp.Resolved = fc.Resolved
	return fc, rp, nil
}

// backlog is the open count at the end of each UTC day of the period up to today, from the
// count open now walked back: a day ended with those open now, less those created after it
// that are still open, plus those created by then and resolved or closed after it. It reads
// the active and snoozed conversations (conversations_active_idx, conversations_status_idx), those created since the period began
// (conversations_created_idx) and those done since (conversations_done_idx); a conversation
// reopened and resolved again counts as done at its last resolution.
func (sc Scope) backlog(ctx context.Context, f ReportFilter) ([]DayOpen, error) {
	now := sc.s.now()
	first, last := dayNumber(f.From), dayNumber(f.To.Add(-time.Nanosecond))
	today := dayNumber(now)
	if last > today {
		last = today
	}
	if last < first {
		return nil, nil
	}
	start := dayStart(first)
	var a ReportArgs
	narrow := f.Narrow(sc.v, "c", &a)
	since := a.Arg(start)
	// Snoozed conversations are still to be worked: counted apart, so that the active ones are
	// read through their partial index.
	rows, err := sc.s.pool.Query(ctx, `SELECT 0, 0, (SELECT count(*) FROM conversations c
			WHERE c.status IN ('new', 'open', 'pending') AND `+narrow+`) + (SELECT count(*) FROM conversations c
			WHERE c.status = 'snoozed' AND `+narrow+`)
		UNION ALL
		SELECT floor(extract(epoch FROM c.created_at) / 86400)::bigint, -1, count(*) FROM conversations c
			WHERE c.created_at >= `+since+` AND c.status IN ('new', 'open', 'pending', 'snoozed') AND `+narrow+` GROUP BY 1
		UNION ALL
		SELECT greatest(floor(extract(epoch FROM c.created_at) / 86400)::bigint, `+a.Arg(first)+`),
			floor(extract(epoch FROM coalesce(c.resolved_at, c.closed_at)) / 86400)::bigint, count(*) FROM conversations c
			WHERE coalesce(c.resolved_at, c.closed_at) >= `+since+` AND c.status IN ('resolved', 'closed') AND `+narrow+`
			GROUP BY 1, 2`, a.List...)
	if err != nil {
		return nil, fmt.Errorf("inbox: report: backlog: %w", err)
	}
	type group struct{ created, done, n int64 }
	groups, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (group, error) {
		var g group
		err := r.Scan(&g.created, &g.done, &g.n)
		return g, err
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: report: backlog: %w", err)
	}
	var active int64
	for _, g := range groups {
		if g.created == 0 && g.done == 0 {
			active = g.n
		}
	}
	out := make([]DayOpen, 0, last-first+1)
	for d := first; d <= last; d++ {
		open := active
		if d < today {
			for _, g := range groups {
				switch {
				case g.done == -1 && g.created > d:
					open -= g.n // created after the day, still open
				case g.done > 0 && g.created <= d && g.done > d:
					open += g.n // open at the day's end, done since
				}
			}
		}
		out = append(out, DayOpen{Day: dayStart(d), Open: open})
	}
	return out, nil
}

// dayStart is the UTC midnight that begins day number d.
func dayStart(d int64) time.Time { return time.Unix(d*86400, 0).UTC() }

// dayNumber is the number of whole UTC days from the Unix epoch to t.
func dayNumber(t time.Time) int64 {
	s := t.Unix()
	if s < 0 {
		return (s - 86399) / 86400
	}
	return s / 86400
}
