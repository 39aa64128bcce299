package inbox

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/jackc/pgx/v5"
)

// InboxQuery selects one keyset page of the agent inbox: a view (assignee, teams), filters
// (status, channel), an optional full-text search and the viewer's visibility.
type InboxQuery struct {
	// Statuses keeps conversations in these statuses; empty keeps every status.
	Statuses []Status
	// AssigneeID keeps one agent's conversations; 0 keeps unassigned ones.
	AssigneeID *int64
	// TeamIDs, when not nil, keeps these teams' conversations (an empty list keeps none).
	TeamIDs []int64
	Channel Channel
	// Text searches message text, contact names and addresses (emails, phones) by word prefix.
	Text string
	// VisibleTo restricts the page to what one agent may see; nil sees everything.
	VisibleTo *Viewer
	// Cursor continues after the previous page's last row (InboxPage.Next).
	Cursor string
	// Limit is the page size: 1 to 100, default 25.
	Limit int
}

// Viewer is an agent of role agent: they see conversations assigned to them, those of their
// teams and those of no team. Supervisors and admins see everything.
type Viewer struct {
	AgentID int64
	TeamIDs []int64
}

// InboxRow is one conversation of the inbox list with its latest message's opening words.
type InboxRow struct {
	Conversation
	Preview          string    `json:"preview"`
	PreviewDirection Direction `json:"preview_direction,omitempty"`
}

// InboxPage is one page of the inbox; Next is empty on the last page.
type InboxPage struct {
	Rows []InboxRow `json:"rows"`
	Next string     `json:"next_cursor,omitempty"`
}

// previewLen is how many characters of the latest message a row shows.
const previewLen = 140

// Inbox returns one keyset page of conversations, newest activity first, with no COUNT and no
// OFFSET. Status sets are written into the SQL as literals (they are validated), so the planner
// can use the partial indexes of active conversations (migration 063). A search first collects
// the matching conversations through the GIN indexes (migration 062; at most searchCap per
// source), then pages them.
func (s *Store) Inbox(ctx context.Context, q InboxQuery) (InboxPage, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 25
	}
	if limit > 100 {
		return InboxPage{}, fmt.Errorf("inbox: list: %w", invalid("limit", "at most 100"))
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
				return InboxPage{}, fmt.Errorf("inbox: list: %w", invalid("status", "unknown status %q", st))
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
	if q.TeamIDs != nil {
		where = append(where, "c.team_id = ANY("+arg(q.TeamIDs)+"::bigint[])")
	}
	if q.Channel != "" {
		if !q.Channel.Valid() {
			return InboxPage{}, fmt.Errorf("inbox: list: %w", invalid("channel", "unknown channel %q", q.Channel))
		}
		where = append(where, "c.channel = "+arg(q.Channel))
	}
	if v := q.VisibleTo; v != nil {
		where = append(where, "(c.assignee_id = "+arg(v.AgentID)+" OR c.team_id IS NULL OR c.team_id = ANY("+
			arg(append([]int64{}, v.TeamIDs...))+"::bigint[]))")
	}
	if q.Cursor != "" {
		at, id, err := decodeCursor(q.Cursor)
		if err != nil {
			return InboxPage{}, fmt.Errorf("inbox: list: %w", err)
		}
		where = append(where, "(c.last_activity_at, c.id) < ("+arg(at)+", "+arg(id)+")")
	}
	from := "conversations c"
	var mode []any
	if text := strings.TrimSpace(q.Text); text != "" {
		// A search is planned with its words every time (an unnamed statement): a cached
		// generic plan cannot use the address index for LIKE $n and guesses badly how many
		// messages a word prefix matches. With this and no parallel workers (below), searching
		// an order number among a million conversations takes 2.6 ms instead of 75 to 470 ms.
		mode = []any{pgx.QueryExecModeExec}
		tsq, prefix := searchTerms(text, s.region)
		if tsq == "" && prefix == "" {
			return InboxPage{Rows: []InboxRow{}}, nil
		}
		from = "(" + searchHits(tsq, prefix, arg) + ") hit JOIN conversations c ON c.id = hit.id"
	}
	// The page is chosen first and only its rows fetch their latest message.
	sql := "SELECT " + conversationCols + " FROM " + from + " JOIN contacts k ON k.id = c.contact_id"
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += " ORDER BY c.last_activity_at DESC, c.id DESC LIMIT " + arg(limit+1)
	sql = `SELECT c.*, coalesce(left(p.text, ` + strconv.Itoa(previewLen) + `), ''), coalesce(p.direction, '')
		FROM (` + sql + `) c LEFT JOIN LATERAL (SELECT m.text, m.direction FROM messages m WHERE m.conversation_id = c.id
			ORDER BY m.id DESC LIMIT 1) p ON true
		ORDER BY c.last_activity_at DESC, c.id DESC`
	var db interface {
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	} = s.pool
	if mode != nil {
		// Nor does a search start parallel workers: they take longer to start than it runs.
		tx, err := s.pool.Begin(ctx)
		if err != nil {
			return InboxPage{}, fmt.Errorf("inbox: search: %w", err)
		}
		defer func() { _ = tx.Rollback(ctx) }() // it only reads
		if _, err := tx.Exec(ctx, "SET LOCAL max_parallel_workers_per_gather = 0"); err != nil {
			return InboxPage{}, fmt.Errorf("inbox: search: %w", err)
		}
		db = tx
	}
	rows, err := db.Query(ctx, sql, append(mode, args...)...)
	if err != nil {
		return InboxPage{}, fmt.Errorf("inbox: list: %w", err)
	}
	defer rows.Close()
	page := InboxPage{Rows: []InboxRow{}}
	for rows.Next() {
		var r InboxRow
		c := &r.Conversation
		if err := rows.Scan(&c.ID, &c.ContactID, &c.InboxID, &c.Channel, &c.Status, &c.Priority, &c.Subject,
			&c.TeamID, &c.AssigneeID, &c.Tags, &c.Category, &c.PreviousID, &c.CreatedAt, &c.FirstResponseAt,
			&c.ResolvedAt, &c.ClosedAt, &c.LastActivityAt, &c.ContactName, &r.Preview, &r.PreviewDirection); err != nil {
			return InboxPage{}, fmt.Errorf("inbox: list: %w", err)
		}
		page.Rows = append(page.Rows, r)
	}
	if err := rows.Err(); err != nil {
		return InboxPage{}, fmt.Errorf("inbox: list: %w", err)
	}
	if len(page.Rows) > limit {
		page.Rows = page.Rows[:limit]
		last := page.Rows[limit-1]
		page.Next = encodeCursor(last.LastActivityAt, last.ID)
	}
	return page, nil
}

// searchCap bounds each source of search hits to its newest searchCap matches. A word found in
// more places than that is too common to page through anyway; the bound also tells the planner
// the set is small, so it joins it to conversations by primary key instead of scanning them.
// Each source orders by "id + 0" so that the planner finds matches through the GIN index and
// sorts them, rather than walking the primary key backwards hoping to meet matches soon.
const searchCap = 1000

// searchHits is the set of conversation ids matching a search: messages by text, and the
// conversations of contacts matching by name or by an address prefix.
func searchHits(tsq, prefix string, arg func(any) string) string {
	limit := " LIMIT " + strconv.Itoa(searchCap) + ")"
	var parts []string
	if tsq != "" {
		q := "to_tsquery('simple', " + arg(tsq) + ")"
		parts = append(parts,
			"(SELECT m.conversation_id AS id FROM messages m WHERE m.search @@ "+q+" ORDER BY m.id + 0 DESC"+limit,
			"(SELECT c2.id FROM contacts k2 JOIN conversations c2 ON c2.contact_id = k2.id WHERE to_tsvector('simple', k2.name) @@ "+q+
				" ORDER BY c2.id + 0 DESC"+limit)
	}
	if prefix != "" {
		parts = append(parts, "(SELECT c3.id FROM contact_identities i JOIN conversations c3 ON c3.contact_id = i.contact_id"+
			" WHERE i.address LIKE "+arg(prefix)+" ORDER BY c3.id + 0 DESC"+limit)
	}
	return strings.Join(parts, " UNION ")
}

// searchTerms turns what an agent typed into a tsquery of word prefixes ("refund ord" ->
// "'refund':* & 'ord':*"), built only of letters and digits so that no input is a syntax error,
// and, when the text looks like an address (an email or a phone), a LIKE prefix for it.
func searchTerms(text, region string) (tsq, likePrefix string) {
	if len(text) > 200 {
		text = text[:200]
	}
	var terms []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if len(terms) < 8 {
			terms = append(terms, "'"+w+"':*")
		}
	}
	tsq = strings.Join(terms, " & ")
	t := strings.ToLower(strings.TrimSpace(text))
	switch {
	case strings.Contains(t, "@") && !strings.ContainsAny(t, " %_\\"):
		likePrefix = t + "%"
	case strings.HasPrefix(t, "+") || (len(t) >= 6 && strings.Trim(t, "0123456789 -().") == ""):
		digits := strings.Map(func(r rune) rune {
			if unicode.IsDigit(r) {
				return r
			}
			return -1
		}, t)
		if e164, err := NormalizePhone(t, region); err == nil {
			likePrefix = e164 + "%"
		} else if len(digits) >= 4 {
			likePrefix = "+" + digits + "%"
		}
	}
	return tsq, likePrefix
}
