package workflow

import (
	"context"
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/sla"
)

// SLA is the read and admin side of SLA policies and clocks: the policies, the supervisors'
// board of open conversations by next due instant, the breaches over a period, and the
// lifecycle settings.
type SLA struct {
	pool  *pgxpool.Pool
	store *inbox.Store
	by    inbox.AuditActor // who the audit log names for the changes (see As)
}

// NewSLA returns the SLA desk: its own tables on pool, the conversations through store (whose
// clock it reads).
func NewSLA(pool *pgxpool.Pool, store *inbox.Store) *SLA { return &SLA{pool: pool, store: store} }

// CreatePolicy stores a new policy. It applies to conversations whose clocks are computed from
// then on (every change recomputes them). Bad input is an *inbox.ValidationError, a taken name
// or team-and-priority pair inbox.ErrConflict.
func (s *SLA) CreatePolicy(ctx context.Context, n NewPolicy) (Policy, error) {
	p, err := n.policy()
	if err != nil {
		return p, fmt.Errorf("workflow: policy: %w", err)
	}
	var out Policy
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if out, err = insertPolicy(ctx, tx, p, s.store.Now()); err != nil {
			return err
		}
		return audit(ctx, tx, s.store, s.by, inbox.AuditPolicyChanged, inbox.AuditTarget("sla_policy", out.ID),
			map[string]any{"action": "created", "name": out.Name})
	})
	return out, err
}

// Policies lists every policy, most specific first.
func (s *SLA) Policies(ctx context.Context) ([]Policy, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+policyCols+` FROM sla_policies p
		ORDER BY p.tier IS NULL, p.team_id IS NULL, p.priority IS NULL, p.name`)
	if err != nil {
		return nil, fmt.Errorf("workflow: policies: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Policy, error) { return scanPolicy(r) })
	if err != nil {
		return nil, fmt.Errorf("workflow: policies: %w", err)
	}
	return out, nil
}

// Board states of an open conversation.
const (
	BoardOK       = "ok"       // every running clock is before its warning instant
	BoardAtRisk   = "at_risk"  // a clock passed its warning instant
	BoardBreached = "breached" // a clock missed its target, still unmet
	BoardPaused   = "paused"   // every clock is paused (pending on the customer)
)

// BoardEntry is one open conversation on the SLA board.
type BoardEntry struct {
	ConversationID int64          `json:"conversation_id"`
	Subject        string         `json:"subject"`
	Status         inbox.Status   `json:"status"`
	Priority       inbox.Priority `json:"priority"`
	TeamID         *int64         `json:"team_id,omitempty"`
	AssigneeID     *int64         `json:"assignee_id,omitempty"`
	// Target is the clock due first, DueAt its due instant (nil when all are paused).
	Target   sla.Target   `json:"target"`
	DueAt    *time.Time   `json:"due_at"`
	State    string       `json:"state"`
	Breached []sla.Target `json:"breached,omitempty"`
}

// BoardFilter selects a page of the board.
type BoardFilter struct {
	TeamID *int64
	// Cursor continues after the previous page's last entry; Limit is 1-500, default 100.
	Cursor string
	Limit  int
}

// BoardPage is one page of the board, soonest due first; Next is empty on the last page.
type BoardPage struct {
	Entries []BoardEntry `json:"conversations"`
	Next    string       `json:"next_cursor,omitempty"`
}

// Board lists the open conversations that have running or paused clocks, soonest due first
// (paused ones last), with their state. It aggregates the open clocks (one index range).
//
// Like the compliance report, it reads the inbox's conversations table itself, read-only,
// joined with the clocks: the keyset order is the clocks' while the status and team filters are
// the conversations', and only one query that sees both can page without over-fetching.
func (s *SLA) Board(ctx context.Context, f BoardFilter) (BoardPage, error) {
	limit, err := pageLimit(f.Limit, 100, 500)
	if err != nil {
		return BoardPage{}, err
	}
	afterDue, afterID := int64(math.MinInt64), int64(0)
	if f.Cursor != "" {
		if afterDue, afterID, err = decodeKey(f.Cursor); err != nil {
			return BoardPage{}, err
		}
	}
	rows, err := s.pool.Query(ctx, `WITH k AS (
			SELECT conversation_id, min(due_at) AS due, (array_agg(target ORDER BY due_at NULLS LAST))[1] AS target,
				coalesce(array_agg(target) FILTER (WHERE breached_at IS NOT NULL), '{}') AS breached,
				bool_or(warned_at IS NOT NULL OR warn_at <= $1) AS at_risk
			FROM sla_clocks WHERE state IN ('running', 'paused') GROUP BY conversation_id)
		SELECT c.id, c.subject, c.status, c.priority, c.team_id, c.assignee_id, k.target, k.due, k.breached, k.at_risk,
			coalesce((extract(epoch FROM k.due) * 1000000)::bigint, $5) AS key
		FROM k JOIN conversations c ON c.id = k.conversation_id
		WHERE c.status IN ('new', 'open', 'pending') AND ($2::bigint IS NULL OR c.team_id = $2)
			AND (coalesce((extract(epoch FROM k.due) * 1000000)::bigint, $5), c.id) > ($3, $4)
		ORDER BY key, c.id LIMIT $6`, s.store.Now(), f.TeamID, afterDue, afterID, int64(math.MaxInt64), limit+1)
	if err != nil {
		return BoardPage{}, fmt.Errorf("workflow: board: %w", err)
	}
	page := BoardPage{Entries: []BoardEntry{}}
	var lastKey int64
	for rows.Next() {
		var e BoardEntry
		var atRisk *bool
		if err := rows.Scan(&e.ConversationID, &e.Subject, &e.Status, &e.Priority, &e.TeamID, &e.AssigneeID, &e.Target,
			&e.DueAt, &e.Breached, &atRisk, &lastKey); err != nil {
			rows.Close()
			return BoardPage{}, fmt.Errorf("workflow: board: %w", err)
		}
		switch {
		case len(e.Breached) > 0:
			e.State = BoardBreached
		case atRisk != nil && *atRisk:
			e.State = BoardAtRisk
		case e.DueAt == nil:
			e.State = BoardPaused
		default:
			e.State = BoardOK
		}
		if len(page.Entries) == limit {
			last := page.Entries[limit-1]
			page.Next = encodeKey(keyOf(last.DueAt), last.ConversationID)
			break
		}
		page.Entries = append(page.Entries, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return BoardPage{}, fmt.Errorf("workflow: board: %w", err)
	}
	return page, nil
}

func keyOf(t *time.Time) int64 {
	if t == nil {
		return math.MaxInt64
	}
	return t.UnixMicro()
}

func pageLimit(n, def, most int) (int, error) {
	switch {
	case n == 0:
		return def, nil
	case n < 0 || n > most:
		return 0, fmt.Errorf("workflow: %w", &inbox.ValidationError{Field: "limit", Reason: fmt.Sprintf("must be 1 to %d", most)})
	}
	return n, nil
}

// encodeKey and decodeKey make an opaque keyset cursor of an ordering key and an id.
func encodeKey(key, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(key, 10) + "." + strconv.FormatInt(id, 10)))
}

func decodeKey(s string) (int64, int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	k, idStr, ok := strings.Cut(string(b), ".")
	key, err1 := strconv.ParseInt(k, 10, 64)
	id, err2 := strconv.ParseInt(idStr, 10, 64)
	if err != nil || !ok || err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("workflow: %w", &inbox.ValidationError{Field: "cursor", Reason: "malformed"})
	}
	return key, id, nil
}
