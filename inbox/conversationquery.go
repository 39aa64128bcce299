package inbox

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// ConversationQuery selects one keyset page of conversations, newest activity first: the API's
// list (Store.ListConversations), the agent's inbox page (Store.ConversationRows) and a contact's
// history all ask through it, so they share its filters, keyset and search. Each filter set is
// one statement served by an index of migrations 001, 062 and 063 (its tests pin the SQL). The
// zero value selects every conversation.
type ConversationQuery struct {
	// Statuses keeps conversations in these statuses; empty keeps every status.
	Statuses []Status
	// AssigneeID keeps one agent's conversations; 0 keeps unassigned ones; nil keeps all.
	AssigneeID *int64
	// TeamIDs, when not nil, keeps these teams' conversations (an empty list keeps none).
	TeamIDs []int64
	// Channel keeps the conversations of one channel; empty keeps all.
	Channel Channel
	// ContactID keeps one contact's conversations; 0 keeps everyone's.
	ContactID int64
	// Text searches message text, contact names and addresses (emails, phones) by word prefix.
	Text string
	// VisibleTo restricts the page to what one viewer may see (see Viewer); nil sees everything.
	VisibleTo *Viewer
	// Cursor continues after the previous page's last row (the page's Next).
	Cursor string
	// Limit is the page size: 1 to 100, default 25.
	Limit int
}

// ActiveStatuses are the statuses of a conversation still to be worked (new, open, pending):
// the set the inbox shows by default and its partial indexes cover (migration 063).
func ActiveStatuses() []Status { return []Status{StatusNew, StatusOpen, StatusPending} }

// conversationSQL is a ConversationQuery turned into one statement.
type conversationSQL struct {
	sql   string
	args  []any
	limit int // the page size; the statement asks for one row more
	// search is set when the statement searches: it is then planned with its words every time
	// and without parallel workers (see Store.queryConversations).
	search bool
	// none is set when the search text holds no word: the page is empty and nothing is run.
	none bool
}

// build turns q into SQL. Every filter is one conjunct that an index of migrations 001 and 063
// serves: status sets are written as literals (they are validated first) so that the planner
// can match the partial indexes of active conversations; one team is an equality, so that the
// team index also gives the order. A search first collects the matching conversations through
// the GIN indexes of migration 062 (at most searchCap per source), then pages them. The page
// is ordered by (last_activity_at, id) descending and continued with a keyset cursor: no
// OFFSET and no COUNT. With preview, each row of the page (and only those) also fetches the
// opening words and direction of its latest message. region reads phone numbers searched for.
func (q ConversationQuery) build(region string, preview bool) (conversationSQL, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 25
	}
	if limit > 100 {
		return conversationSQL{}, invalid("limit", "at most 100")
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if len(q.Statuses) > 0 {
		lits := make([]string, len(q.Statuses))
		for i, st := range q.Statuses {
			if !st.Valid() {
				return conversationSQL{}, invalid("status", "unknown status %q", st)
			}
			lits[i] = "'" + string(st) + "'"
		}
		where = append(where, "c.status IN ("+strings.Join(lits, ", ")+")")
	}
	if q.AssigneeID != nil {
		if *q.AssigneeID == 0 {
			where = append(where, "c.assignee_id IS NULL")
		} else {
			where = append(where, "c.assignee_id = "+arg(*q.AssigneeID))
		}
	}
	switch {
	case q.TeamIDs == nil:
	case len(q.TeamIDs) == 1:
		where = append(where, "c.team_id = "+arg(q.TeamIDs[0]))
	default:
		where = append(where, "c.team_id = ANY("+arg(q.TeamIDs)+"::bigint[])")
	}
	if q.Channel != "" {
		if !q.Channel.Valid() {
			return conversationSQL{}, invalid("channel", "unknown channel %q", q.Channel)
		}
		where = append(where, "c.channel = "+arg(q.Channel))
	}
	if q.ContactID != 0 {
		where = append(where, "c.contact_id = "+arg(q.ContactID))
	}
	if v := q.VisibleTo; v != nil && !v.All {
		where = append(where, v.where("c", arg))
	}
	if q.Cursor != "" {
		at, id, err := decodeCursor(q.Cursor)
		if err != nil {
			return conversationSQL{}, err
		}
		where = append(where, "(c.last_activity_at, c.id) < ("+arg(at)+", "+arg(id)+")")
	}
	out := conversationSQL{limit: limit}
	from := "conversations c"
	if text := strings.TrimSpace(q.Text); text != "" {
		out.search = true
		tsq, prefix := searchTerms(text, region)
		if tsq == "" && prefix == "" {
			out.none = true
			return out, nil
		}
		from = "(" + searchHits(tsq, prefix, arg) + ") hit JOIN conversations c ON c.id = hit.id"
	}
	sql := "SELECT " + conversationCols + " FROM " + from + " JOIN contacts k ON k.id = c.contact_id"
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += " ORDER BY c.last_activity_at DESC, c.id DESC LIMIT " + arg(limit+1)
	if preview {
		// The page is chosen first and only its rows fetch their latest message.
		sql = `SELECT c.*, coalesce(left(p.text, ` + strconv.Itoa(previewLen) + `), ''), coalesce(p.direction, '')
		FROM (` + sql + `) c LEFT JOIN LATERAL (SELECT m.text, m.direction FROM messages m WHERE m.conversation_id = c.id
			ORDER BY m.id DESC LIMIT 1) p ON true
		ORDER BY c.last_activity_at DESC, c.id DESC`
	}
	out.sql, out.args = sql, args
	return out, nil
}

// queryConversations runs a built statement and hands each row to scan.
func (s *Store) queryConversations(ctx context.Context, b conversationSQL, scan func(pgx.Rows) error) error {
	var db interface {
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	} = s.pool
	args := b.args
	if b.search {
		// A search is planned with its words every time (an unnamed statement): a cached
		// generic plan cannot use the address index for LIKE $n and guesses badly how many
		// messages a word prefix matches. Nor does it start parallel workers: they take longer
		// to start than it runs. With both, searching an order number among a million
		// conversations takes 2.6 ms instead of 75 to 470 ms.
		args = append([]any{pgx.QueryExecModeExec}, args...)
		tx, err := s.pool.Begin(ctx)
		if err != nil {
			return fmt.Errorf("inbox: search: %w", err)
		}
		defer func() { _ = tx.Rollback(ctx) }() // it only reads
		if _, err := tx.Exec(ctx, "SET LOCAL max_parallel_workers_per_gather = 0"); err != nil {
			return fmt.Errorf("inbox: search: %w", err)
		}
		db = tx
	}
	rows, err := db.Query(ctx, b.sql, args...)
	if err != nil {
		return fmt.Errorf("inbox: list: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("inbox: list: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("inbox: list: %w", err)
	}
	return nil
}
