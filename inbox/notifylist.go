package inbox

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// MaxUnreadCount is where the bell stops counting: it shows "99+" beyond.
const MaxUnreadCount = 100

// NotificationQuery is one page of an agent's notifications, newest first.
type NotificationQuery struct {
	// Before is the keyset cursor: the id of the last notification of the previous page.
	Before int64
	Limit  int
	Unread bool
	// Unmailed keeps the unread ones no mail told of yet (the mail jobs'); ID only that one.
	Unmailed bool
	ID       int64
}

// NotificationPage is a page of notifications and the cursor of the next (0: none).
type NotificationPage struct {
	Items []Notification `json:"items"`
	Next  int64          `json:"next_cursor,omitempty"`
}

const notificationCols = `n.id, n.kind, n.conversation_id, c.subject, n.actor_id, coalesce(ac.name, ''), n.text, n.created_at, n.read_at`

// Notifications pages the viewer's own notifications, newest first, keeping only those about
// conversations the viewer may still see (a conversation moved to another team since takes its
// notices with it, so every link opens).
func (sc Scope) Notifications(ctx context.Context, q NotificationQuery) (NotificationPage, error) {
	if q.Limit <= 0 || q.Limit > 100 {
		q.Limit = 50
	}
	args := []any{sc.v.AgentID}
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	where := "n.agent_id = $1 AND " + sc.v.Where("c", arg)
	if q.Before > 0 {
		where += " AND n.id < " + arg(q.Before)
	}
	if q.Unread || q.Unmailed {
		where += " AND n.read_at IS NULL"
	}
	if q.Unmailed {
		where += " AND n.mailed_at IS NULL"
	}
	if q.ID > 0 {
		where += " AND n.id = " + arg(q.ID)
	}
	rows, err := sc.s.pool.Query(ctx, `SELECT `+notificationCols+` FROM notifications n
		JOIN conversations c ON c.id = n.conversation_id
		LEFT JOIN agents ac ON ac.id = n.actor_id
		WHERE `+where+` ORDER BY n.id DESC LIMIT `+arg(q.Limit+1), args...)
	if err != nil {
		return NotificationPage{}, fmt.Errorf("inbox: notifications: %w", err)
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Notification, error) {
		var n Notification
		err := r.Scan(&n.ID, &n.Kind, &n.ConversationID, &n.Subject, &n.ActorID, &n.ActorName, &n.Text, &n.CreatedAt, &n.ReadAt)
		n.URL = ConversationPath(n.ConversationID)
		return n, err
	})
	if err != nil {
		return NotificationPage{}, fmt.Errorf("inbox: notifications: %w", err)
	}
	page := NotificationPage{Items: items}
	if len(items) > q.Limit {
		page.Items = items[:q.Limit]
		page.Next = page.Items[q.Limit-1].ID
	}
	if page.Items == nil {
		page.Items = []Notification{}
	}
	return page, nil
}

// UnreadNotifications counts the viewer's unread notifications about conversations they may
// see, up to MaxUnreadCount (the bell shows "99+" beyond): never an unbounded count.
func (sc Scope) UnreadNotifications(ctx context.Context) (int, error) {
	args := []any{sc.v.AgentID, MaxUnreadCount}
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	var n int
	err := sc.s.pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM notifications n
		JOIN conversations c ON c.id = n.conversation_id
		WHERE n.agent_id = $1 AND n.read_at IS NULL AND `+sc.v.Where("c", arg)+` LIMIT $2) x`, args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("inbox: unread notifications: %w", err)
	}
	return n, nil
}

// MarkNotificationRead marks one of the viewer's notifications read (again: no change). Another
// agent's notification, or none, is ErrNotFound.
func (sc Scope) MarkNotificationRead(ctx context.Context, id int64) error {
	var ok bool
	err := sc.s.pool.QueryRow(ctx, `WITH u AS (UPDATE notifications SET read_at = coalesce(read_at, $3)
			WHERE id = $1 AND agent_id = $2 RETURNING 1)
		SELECT EXISTS (SELECT 1 FROM u)`, id, sc.v.AgentID, sc.s.now()).Scan(&ok)
	if err != nil {
		return fmt.Errorf("inbox: mark notification read: %w", err)
	}
	if !ok {
		return fmt.Errorf("inbox: notification %d: %w", id, ErrNotFound)
	}
	return nil
}

// MarkConversationNotificationsRead marks the viewer's unread notifications about a conversation
// read: opening it answers them.
func (sc Scope) MarkConversationNotificationsRead(ctx context.Context, conversationID int64) error {
	_, err := sc.s.pool.Exec(ctx, `UPDATE notifications SET read_at = $3
		WHERE agent_id = $1 AND conversation_id = $2 AND read_at IS NULL`, sc.v.AgentID, conversationID, sc.s.now())
	if err != nil {
		return fmt.Errorf("inbox: mark notifications read: %w", err)
	}
	return nil
}

// MarkAllNotificationsRead marks every unread notification of the viewer read and returns how
// many it marked.
func (sc Scope) MarkAllNotificationsRead(ctx context.Context) (int64, error) {
	tag, err := sc.s.pool.Exec(ctx, `UPDATE notifications SET read_at = $2 WHERE agent_id = $1 AND read_at IS NULL`,
		sc.v.AgentID, sc.s.now())
	if err != nil {
		return 0, fmt.Errorf("inbox: mark all notifications read: %w", err)
	}
	return tag.RowsAffected(), nil
}

// MailPreference returns how agent id is told by email (MailOff, MailImmediate or MailDaily).
func (s *Store) MailPreference(ctx context.Context, id int64) (string, error) {
	var p string
	err := s.pool.QueryRow(ctx, `SELECT notify_email FROM agents WHERE id = $1`, id).Scan(&p)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("inbox: agent %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("inbox: mail preference: %w", err)
	}
	return p, nil
}

// SetMailPreference sets how agent id is told by email; anything but MailOff, MailImmediate
// and MailDaily is a *ValidationError.
func (s *Store) SetMailPreference(ctx context.Context, id int64, pref string) error {
	switch pref {
	case MailOff, MailImmediate, MailDaily:
	default:
		return fmt.Errorf("inbox: mail preference: %w", invalid("email", "must be off, immediate or daily, not %q", pref))
	}
	if _, err := s.pool.Exec(ctx, `UPDATE agents SET notify_email = $2 WHERE id = $1`, id, pref); err != nil {
		return fmt.Errorf("inbox: mail preference: %w", err)
	}
	return nil
}

// MarkMailed records that a mail told agentID of notifications ids.
func (s *Store) MarkMailed(ctx context.Context, agentID int64, ids []int64) error {
	if _, err := s.pool.Exec(ctx, `UPDATE notifications SET mailed_at = $3 WHERE agent_id = $1 AND id = ANY($2)`,
		agentID, ids, s.now()); err != nil {
		return fmt.Errorf("inbox: mark notifications mailed: %w", err)
	}
	return nil
}

// DigestRecipients returns the active agents who chose the daily digest and have unread
// notifications no mail told of yet, in id order.
func (s *Store) DigestRecipients(ctx context.Context) ([]int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT a.id FROM agents a WHERE a.notify_email = 'daily' AND a.deactivated_at IS NULL
		AND EXISTS (SELECT 1 FROM notifications n WHERE n.agent_id = a.id AND n.read_at IS NULL AND n.mailed_at IS NULL)
		ORDER BY a.id`)
	if err != nil {
		return nil, fmt.Errorf("inbox: digest recipients: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("inbox: digest recipients: %w", err)
	}
	return ids, nil
}
