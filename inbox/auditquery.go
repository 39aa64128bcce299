package inbox

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// AuditQuery selects one keyset page of the audit log, newest first: the admin page and its
// CSV export ask through it. The zero value selects every event.
type AuditQuery struct {
	// Kind keeps events of one kind ("signin.failed"); ending in "*" it keeps every kind that
	// starts with what comes before ("2fa.*", "password*"). Empty keeps every kind.
	Kind string
	// Actor keeps the events of one actor as the log shows them, in any case: an email, "cli" or
	// "system".
	Actor string
	// Target keeps the events about one thing ("agent:12"); ending in "*" every target that
	// starts with the rest ("agent:*").
	Target string
	// SourceIP keeps the events from one client address.
	SourceIP string
	// From keeps events at or after it, To those before it; zero leaves that side open.
	From, To time.Time
	// Cursor continues after the previous page's last row (the page's Next).
	Cursor string
	// Limit is the page size: 1 to MaxAuditPage, default 50.
	Limit int
}

// MaxAuditPage is the largest page of the audit log one query returns.
const MaxAuditPage = 500

// AuditPage is one page of the audit log and the cursor of the next (empty on the last page).
type AuditPage struct {
	Records []AuditRecord `json:"records"`
	Next    string        `json:"next_cursor,omitempty"`
}

// AuditLog returns one page of the audit log, newest first, ordered by (at, id) and continued by
// a keyset cursor (no OFFSET): index audit_log_at_idx of migration 064 gives the order. Bad
// input (a malformed cursor, a limit over MaxAuditPage, To not after From) is a *ValidationError.
func (s *Store) AuditLog(ctx context.Context, q AuditQuery) (AuditPage, error) {
	sql, args, limit, err := q.build()
	if err != nil {
		return AuditPage{}, fmt.Errorf("inbox: audit log: %w", err)
	}
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return AuditPage{}, fmt.Errorf("inbox: audit log: %w", err)
	}
	recs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (AuditRecord, error) {
		var r AuditRecord
		err := row.Scan(&r.ID, &r.At, &r.Kind, &r.ActorID, &r.Actor, &r.Target, &r.SourceIP, &r.Data)
		return r, err
	})
	if err != nil {
		return AuditPage{}, fmt.Errorf("inbox: audit log: %w", err)
	}
	page := AuditPage{Records: recs}
	if len(recs) > limit {
		page.Records = recs[:limit]
		last := page.Records[limit-1]
		page.Next = encodeCursor(last.At, last.ID)
	}
	return page, nil
}

// build turns q into one statement, its arguments and the page size (it asks for one row more,
// to know whether a next page exists).
func (q AuditQuery) build() (string, []any, int, error) {
	limit := q.Limit
	switch {
	case limit == 0:
		limit = 50
	case limit < 0 || limit > MaxAuditPage:
		return "", nil, 0, invalid("limit", "must be 1 to %d", MaxAuditPage)
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From) {
		return "", nil, 0, invalid("to", "must be after from")
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	match := func(col, v string) {
		if v == "" {
			return
		}
		if prefix, ok := strings.CutSuffix(v, "*"); ok {
			where = append(where, col+" LIKE "+arg(likePrefix(prefix)))
			return
		}
		where = append(where, col+" = "+arg(v))
	}
	match("kind", strings.TrimSpace(q.Kind))
	match("target", strings.TrimSpace(q.Target))
	if a := strings.TrimSpace(q.Actor); a != "" {
		where = append(where, "lower(actor) = lower("+arg(a)+")")
	}
	if ip := strings.TrimSpace(q.SourceIP); ip != "" {
		where = append(where, "source_ip = "+arg(ip))
	}
	if !q.From.IsZero() {
		where = append(where, "at >= "+arg(q.From))
	}
	if !q.To.IsZero() {
		where = append(where, "at < "+arg(q.To))
	}
	if q.Cursor != "" {
		at, id, err := decodeCursor(q.Cursor)
		if err != nil {
			return "", nil, 0, err
		}
		where = append(where, "(at, id) < ("+arg(at)+", "+arg(id)+")")
	}
	sql := "SELECT id, at, kind, coalesce(actor_id, 0), actor, target, source_ip, data FROM audit_log"
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += " ORDER BY at DESC, id DESC LIMIT " + arg(limit+1)
	return sql, args, limit, nil
}

// likePrefix is a LIKE pattern matching what starts with prefix, its own % _ and \ taken
// literally.
func likePrefix(prefix string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(prefix) + "%"
}

// AuditKinds lists the kinds the audit log holds, in order: one index probe of
// audit_log_kind_idx per kind (a loose index scan), however long the log.
func (s *Store) AuditKinds(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `WITH RECURSIVE k AS (
			SELECT min(kind) AS kind FROM audit_log
			UNION ALL
			SELECT (SELECT min(kind) FROM audit_log WHERE kind > k.kind) FROM k WHERE k.kind IS NOT NULL)
		SELECT kind FROM k WHERE kind IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("inbox: audit kinds: %w", err)
	}
	kinds, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("inbox: audit kinds: %w", err)
	}
	return kinds, nil
}
