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

// ConversationPage is one page of the API's conversation list; Next is empty on the last page.
type ConversationPage struct {
	Conversations []Conversation `json:"conversations"`
	Next          string         `json:"next_cursor,omitempty"`
}

// ConversationRow is one conversation of the agent's inbox list with its latest message's
// opening words.
type ConversationRow struct {
	Conversation
	Preview          string    `json:"preview"`
	PreviewDirection Direction `json:"preview_direction,omitempty"`
}

// RowPage is one page of the agent's inbox list; Next is empty on the last page.
type RowPage struct {
	Rows []ConversationRow `json:"rows"`
	Next string            `json:"next_cursor,omitempty"`
}

// previewLen is how many characters of the latest message a row shows.
const previewLen = 140

const conversationCols = `c.id, c.contact_id, c.inbox_id, c.channel, c.status, c.priority, c.subject,
	c.team_id, c.assignee_id, c.tags, c.category, c.previous_id, c.created_at, c.first_response_at,
	c.resolved_at, c.closed_at, c.last_activity_at, c.snoozed_until, coalesce(c.language, ''), k.name, ` + categoryCols

// categoryCols are a conversation's category and resolution code columns (conversationCols
// ends with them): primary-key lookups, one per row.
const categoryCols = `c.category_id, c.resolution_code_id,
	coalesce((SELECT complaint FROM categories WHERE id = c.category_id), false) AS complaint,
	coalesce((SELECT name FROM resolution_codes WHERE id = c.resolution_code_id), '') AS resolution_code`

// conversationDest is where a row of conversationCols scans to.
func conversationDest(c *Conversation) []any {
	return []any{&c.ID, &c.ContactID, &c.InboxID, &c.Channel, &c.Status, &c.Priority, &c.Subject,
		&c.TeamID, &c.AssigneeID, &c.Tags, &c.Category, &c.PreviousID, &c.CreatedAt, &c.FirstResponseAt,
		&c.ResolvedAt, &c.ClosedAt, &c.LastActivityAt, &c.SnoozedUntil, &c.Language, &c.ContactName,
		&c.CategoryID, &c.ResolutionCodeID, &c.Complaint, &c.ResolutionCode}
}

func scanConversation(row pgx.Row) (Conversation, error) {
	var c Conversation
	err := row.Scan(conversationDest(&c)...)
	return c, err
}

// ListConversations returns one keyset page of the conversations q selects, as the API lists
// them: no OFFSET and no COUNT, so the first page of a million conversations costs what the
// first page of ten does. A bad filter is an ErrInvalid naming it.
func (s *Store) ListConversations(ctx context.Context, q ConversationQuery) (ConversationPage, error) {
	b, err := q.build(s.region, false)
	if err != nil {
		return ConversationPage{}, fmt.Errorf("inbox: list: %w", err)
	}
	page := ConversationPage{Conversations: []Conversation{}}
	if b.none {
		return page, nil
	}
	if err := s.queryConversations(ctx, b, func(rows pgx.Rows) error {
		c, err := scanConversation(rows)
		if err != nil {
			return err
		}
		page.Conversations = append(page.Conversations, c)
		return nil
	}); err != nil {
		return ConversationPage{}, err
	}
	if len(page.Conversations) > b.limit {
		page.Conversations = page.Conversations[:b.limit]
		last := page.Conversations[b.limit-1]
		page.Next = encodeCursor(last.LastActivityAt, last.ID)
	}
	return page, nil
}

// ConversationRows returns one keyset page of the conversations q selects, as the agent's inbox
// lists them: each with its latest message's opening words. It runs the statement
// ListConversations runs for the same q, and fetches the previews of that page's rows only.
// A bad filter is an ErrInvalid naming it.
func (s *Store) ConversationRows(ctx context.Context, q ConversationQuery) (RowPage, error) {
	b, err := q.build(s.region, true)
	if err != nil {
		return RowPage{}, fmt.Errorf("inbox: list: %w", err)
	}
	page := RowPage{Rows: []ConversationRow{}}
	if b.none {
		return page, nil
	}
	if err := s.queryConversations(ctx, b, func(rows pgx.Rows) error {
		var r ConversationRow
		c := &r.Conversation
		err := rows.Scan(append(conversationDest(c), &r.Preview, &r.PreviewDirection)...)
		if err != nil {
			return err
		}
		page.Rows = append(page.Rows, r)
		return nil
	}); err != nil {
		return RowPage{}, err
	}
	if len(page.Rows) > b.limit {
		page.Rows = page.Rows[:b.limit]
		last := page.Rows[b.limit-1]
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
