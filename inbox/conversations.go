package inbox

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// ListFilter selects a page of conversations, newest activity first.
type ListFilter struct {
	Statuses   []Status
	AssigneeID *int64 // 0 means unassigned
	TeamID     *int64
	Channel    Channel
	ContactID  int64
	// Cursor continues after the last row of the previous page (from ConversationPage.Next).
	Cursor string
	// Limit is the page size: 1 to 100, default 25.
	Limit int
}

// ConversationPage is one page of a conversation list; Next is empty on the last page.
type ConversationPage struct {
	Conversations []Conversation `json:"conversations"`
	Next          string         `json:"next_cursor,omitempty"`
}

const conversationCols = `c.id, c.contact_id, c.inbox_id, c.channel, c.status, c.priority, c.subject,
	c.team_id, c.assignee_id, c.tags, c.category, c.previous_id, c.created_at, c.first_response_at,
	c.resolved_at, c.closed_at, c.last_activity_at, k.name`

func scanConversation(row pgx.Row) (Conversation, error) {
	var c Conversation
	err := row.Scan(&c.ID, &c.ContactID, &c.InboxID, &c.Channel, &c.Status, &c.Priority, &c.Subject,
		&c.TeamID, &c.AssigneeID, &c.Tags, &c.Category, &c.PreviousID, &c.CreatedAt, &c.FirstResponseAt,
		&c.ResolvedAt, &c.ClosedAt, &c.LastActivityAt, &c.ContactName)
	return c, err
}

// ListConversations returns one keyset page: no OFFSET and no COUNT, so the first page of a
// million conversations costs what the first page of ten does. Every filter combination is
// served by one of the conversations_*_idx indexes.
func (s *Store) ListConversations(ctx context.Context, f ListFilter) (ConversationPage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 25
	}
	if limit > 100 {
		return ConversationPage{}, fmt.Errorf("inbox: list: %w", invalid("limit", "at most 100"))
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if len(f.Statuses) > 0 {
		for _, st := range f.Statuses {
			if !st.Valid() {
				return ConversationPage{}, fmt.Errorf("inbox: list: %w", invalid("status", "unknown status %q", st))
			}
		}
		where = append(where, "c.status = ANY("+arg(f.Statuses)+"::text[])")
	}
	if f.AssigneeID != nil {
		if *f.AssigneeID == 0 {
			where = append(where, "c.assignee_id IS NULL")
		} else {
			where = append(where, "c.assignee_id = "+arg(*f.AssigneeID))
		}
	}
	if f.TeamID != nil {
		where = append(where, "c.team_id = "+arg(*f.TeamID))
	}
	if f.Channel != "" {
		if !f.Channel.Valid() {
			return ConversationPage{}, fmt.Errorf("inbox: list: %w", invalid("channel", "unknown channel %q", f.Channel))
		}
		where = append(where, "c.channel = "+arg(f.Channel))
	}
	if f.ContactID != 0 {
		where = append(where, "c.contact_id = "+arg(f.ContactID))
	}
	if f.Cursor != "" {
		at, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return ConversationPage{}, fmt.Errorf("inbox: list: %w", err)
		}
		where = append(where, "(c.last_activity_at, c.id) < ("+arg(at)+", "+arg(id)+")")
	}
	q := "SELECT " + conversationCols + " FROM conversations c JOIN contacts k ON k.id = c.contact_id"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY c.last_activity_at DESC, c.id DESC LIMIT " + arg(limit+1)
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return ConversationPage{}, fmt.Errorf("inbox: list: %w", err)
	}
	defer rows.Close()
	page := ConversationPage{Conversations: []Conversation{}}
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return ConversationPage{}, fmt.Errorf("inbox: list: %w", err)
		}
		page.Conversations = append(page.Conversations, c)
	}
	if err := rows.Err(); err != nil {
		return ConversationPage{}, fmt.Errorf("inbox: list: %w", err)
	}
	if len(page.Conversations) > limit {
		page.Conversations = page.Conversations[:limit]
		last := page.Conversations[limit-1]
		page.Next = encodeCursor(last.LastActivityAt, last.ID)
	}
	return page, nil
}

// GetConversation returns one conversation.
func (s *Store) GetConversation(ctx context.Context, id int64) (Conversation, error) {
	c, err := scanConversation(s.pool.QueryRow(ctx, "SELECT "+conversationCols+
		" FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE c.id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("inbox: conversation %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("inbox: conversation %d: %w", id, err)
	}
	return c, nil
}

func encodeCursor(at time.Time, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at.UnixMicro(), 10) + "." + strconv.FormatInt(id, 10)))
}

func decodeCursor(s string) (time.Time, int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return time.Time{}, 0, invalid("cursor", "malformed")
	}
	us, idStr, ok := strings.Cut(string(b), ".")
	micro, err1 := strconv.ParseInt(us, 10, 64)
	id, err2 := strconv.ParseInt(idStr, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return time.Time{}, 0, invalid("cursor", "malformed")
	}
	return time.UnixMicro(micro), id, nil
}
