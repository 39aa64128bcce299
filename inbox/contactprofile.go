package inbox

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// maxHistory caps the conversations a contact page lists.
const maxHistory = 200

// ContactDetail is everything the contact page shows: the contact, when each identity was
// first and last seen, every conversation the viewer may see across channels (newest first)
// with its satisfaction score, and the lifetime figures over those conversations.
type ContactDetail struct {
	Contact    Contact               `json:"contact"`
	Identities []IdentitySeen        `json:"identities"`
	History    []HistoryConversation `json:"conversations"`
	Figures    ContactFigures        `json:"figures"`
}

// IdentitySeen is an identity with when it first and last wrote.
type IdentitySeen struct {
	Identity
	FirstSeen time.Time  `json:"first_seen"`
	LastSeen  *time.Time `json:"last_seen,omitempty"`
}

// HistoryConversation is one line of a contact's timeline.
type HistoryConversation struct {
	ID             int64     `json:"id"`
	Channel        Channel   `json:"channel"`
	Status         Status    `json:"status"`
	Subject        string    `json:"subject"`
	Category       string    `json:"category"`
	CreatedAt      time.Time `json:"created_at"`
	LastActivityAt time.Time `json:"last_activity_at"`
	CSAT           *int      `json:"csat,omitempty"`
}

// ContactFigures are a customer's lifetime figures.
type ContactFigures struct {
	FirstSeen         time.Time     `json:"first_seen"`
	LastContact       *time.Time    `json:"last_contact,omitempty"`
	Conversations     int           `json:"conversations"`
	Open              int           `json:"open"`
	Complaints        int           `json:"complaints"`
	MedianFirstReply  time.Duration `json:"median_first_response,omitempty"` // 0: none yet
	MedianResolution  time.Duration `json:"median_resolution,omitempty"`     // 0: none yet
	AverageCSAT       *float64      `json:"average_csat,omitempty"`
	LastCSAT          *int          `json:"last_csat,omitempty"`
	ChannelsUsed      []Channel     `json:"channels"`
	HistoryIncomplete bool          `json:"history_incomplete,omitempty"`
}

// ContactDetail returns the profile of a contact the viewer may see; its figures and timeline
// count only the conversations the viewer may see. ErrNotFound otherwise.
func (sc Scope) ContactDetail(ctx context.Context, id int64) (ContactDetail, error) {
	c, err := sc.GetContact(ctx, id)
	if err != nil {
		return ContactDetail{}, err
	}
	p := ContactDetail{Contact: c, Identities: []IdentitySeen{}, History: []HistoryConversation{}}
	var args []any
	arg := func(x any) string {
		args = append(args, x)
		return "$" + strconv.Itoa(len(args))
	}
	where := "c.contact_id = " + arg(c.ID)
	if !sc.v.All {
		where += " AND " + sc.v.where("c", arg)
	}
	// The scores live in workflow's surveys table; this read is the only one inbox makes of it.
	rows, err := sc.s.pool.Query(ctx, `SELECT c.id, c.channel, c.status, c.subject, c.category, c.created_at, c.last_activity_at,
		(SELECT s.score::int FROM surveys s WHERE s.conversation_id = c.id AND s.score IS NOT NULL ORDER BY s.id DESC LIMIT 1)
		FROM conversations c WHERE `+where+` ORDER BY c.id DESC LIMIT `+arg(maxHistory+1), args...)
	if err != nil {
		return ContactDetail{}, fmt.Errorf("inbox: contact profile: %w", err)
	}
	p.History, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (HistoryConversation, error) {
		var h HistoryConversation
		err := r.Scan(&h.ID, &h.Channel, &h.Status, &h.Subject, &h.Category, &h.CreatedAt, &h.LastActivityAt, &h.CSAT)
		return h, err
	})
	if err != nil {
		return ContactDetail{}, fmt.Errorf("inbox: contact profile: %w", err)
	}
	if len(p.History) > maxHistory {
		p.History = p.History[:maxHistory]
		p.Figures.HistoryIncomplete = true
	}
	if err := sc.s.pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE c.status IN ('new', 'open', 'pending', 'snoozed')),
		count(*) FILTER (WHERE c.category_id IN (SELECT id FROM categories WHERE complaint) OR 'complaint' = ANY(c.tags)), max(c.last_activity_at),
		percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.first_response_at - c.created_at)),
		percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.resolved_at - c.created_at)),
		(SELECT avg(s.score)::float8 FROM surveys s JOIN conversations c ON c.id = s.conversation_id WHERE `+where+` AND s.score IS NOT NULL),
		(SELECT s.score::int FROM surveys s JOIN conversations c ON c.id = s.conversation_id WHERE `+where+` AND s.score IS NOT NULL ORDER BY s.answered_at DESC NULLS LAST, s.id DESC LIMIT 1),
		coalesce(array_agg(DISTINCT c.channel ORDER BY c.channel), '{}')
		FROM conversations c WHERE `+where, args[:len(args)-1]...).Scan(&p.Figures.Conversations, &p.Figures.Open, &p.Figures.Complaints,
		&p.Figures.LastContact, secondsInto(&p.Figures.MedianFirstReply), secondsInto(&p.Figures.MedianResolution),
		&p.Figures.AverageCSAT, &p.Figures.LastCSAT, &p.Figures.ChannelsUsed); err != nil {
		return ContactDetail{}, fmt.Errorf("inbox: contact figures: %w", err)
	}
	p.Figures.FirstSeen = c.CreatedAt
	rows, err = sc.s.pool.Query(ctx, `SELECT i.id, i.kind, i.address, i.verified, i.created_at,
		(SELECT max(m.created_at) FROM messages m JOIN conversations c ON c.id = m.conversation_id
		 WHERE c.contact_id = i.contact_id AND m.direction = 'inbound' AND m.channel = CASE i.kind WHEN 'phone' THEN 'sms' ELSE i.kind END)
		FROM contact_identities i WHERE i.contact_id = $1 ORDER BY i.id`, c.ID)
	if err != nil {
		return ContactDetail{}, fmt.Errorf("inbox: contact identities: %w", err)
	}
	p.Identities, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (IdentitySeen, error) {
		i := IdentitySeen{Identity: Identity{ContactID: c.ID}}
		err := r.Scan(&i.ID, &i.Kind, &i.Address, &i.Verified, &i.FirstSeen, &i.LastSeen)
		return i, err
	})
	if err != nil {
		return ContactDetail{}, fmt.Errorf("inbox: contact identities: %w", err)
	}
	return p, nil
}
