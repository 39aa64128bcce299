package inbox

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// Notification kinds: why an agent is told.
const (
	NotifyAssigned        = "assigned"         // a conversation was assigned to them
	NotifyCustomerReplied = "customer_replied" // the customer wrote in a conversation assigned to them
	NotifyMentioned       = "mentioned"        // a colleague @mentioned them in a note
	NotifySLAWarning      = "sla_warning"      // an SLA target of theirs (or their team's) is at risk
	NotifySLABreach       = "sla_breach"       // an SLA target of theirs (or their team's) was missed
	NotifyFollowup        = "followup"         // a low score opened a follow-up assigned to them
	NotifySnoozeWoke      = "snooze_woke"      // a conversation they snoozed woke up
)

// EventNotificationCreated announces a new notification to its agent only (AgentID is the
// recipient, not the actor; Data: "notification_id", "conversation_id", "kind", and "mail", the
// agent's email preference). It carries no ConversationID so that nothing listening for
// conversation changes takes it for one; the agent sockets send it to AgentID alone.
const EventNotificationCreated = "notification.created"

// Email preferences of an agent (agents.notify_email).
const (
	MailOff       = "off"
	MailImmediate = "immediate"
	MailDaily     = "daily"
)

// Notice is one notification to create: who is told, why, about which conversation, and who
// caused it (ActorID 0: the system or the customer).
type Notice struct {
	AgentID        int64
	Kind           string
	ConversationID int64
	ActorID        int64
	// Text is the detail shown under the title: a note's excerpt, the SLA target, the score.
	Text string
}

// Notification is one row of an agent's notification centre.
type Notification struct {
	ID             int64      `json:"id"`
	Kind           string     `json:"kind"`
	ConversationID int64      `json:"conversation_id"`
	Subject        string     `json:"subject"`
	ActorID        *int64     `json:"actor_id,omitempty"`
	ActorName      string     `json:"actor_name,omitempty"`
	Text           string     `json:"text"`
	CreatedAt      time.Time  `json:"created_at"`
	ReadAt         *time.Time `json:"read_at,omitempty"`
	URL            string     `json:"url"`
}

// ConversationPath is the page of a conversation, the one link every notification, alert and
// mail about a conversation carries (prefixed with the public URL outside the browser).
func ConversationPath(id int64) string { return "/inbox/" + strconv.FormatInt(id, 10) }

// maxNoticeText bounds a notification's detail (a note's excerpt).
const maxNoticeText = 280

// NotifyTx creates notices in the caller's transaction, in one statement, and announces each
// to its agent (EventNotificationCreated, with the mail job an immediate preference causes):
// they exist exactly when the change that caused them commits. Notices to a deactivated agent,
// and a second unread "customer replied" about one conversation, are dropped.
func (s *Store) NotifyTx(ctx context.Context, tx pgx.Tx, ns ...Notice) error {
	events, err := s.notifyEvents(ctx, tx, ns)
	if err != nil {
		return err
	}
	return s.Publish(ctx, tx, events...)
}

// notifyEvents inserts notices on tx and returns the events that announce them, for a caller
// that publishes them itself (the group commit).
func (s *Store) notifyEvents(ctx context.Context, tx pgx.Tx, ns []Notice) ([]Event, error) {
	if len(ns) == 0 {
		return nil, nil
	}
	n := len(ns)
	agents, kinds, convs, actors, texts := make([]int64, n), make([]string, n), make([]int64, n), make([]int64, n), make([]string, n)
	for i, x := range ns {
		agents[i], kinds[i], convs[i], actors[i], texts[i] = x.AgentID, x.Kind, x.ConversationID, x.ActorID, CutRunes(x.Text, maxNoticeText)
	}
	now := s.now()
	rows, err := tx.Query(ctx, `WITH n AS (
			INSERT INTO notifications (agent_id, kind, conversation_id, actor_id, actor, text, created_at)
			SELECT u.agent_id, u.kind, u.conversation_id, nullif(u.actor_id, 0),
				CASE WHEN u.actor_id = 0 THEN 'system' ELSE 'agent' END, u.text, $6
			FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::text[])
				AS u(agent_id, kind, conversation_id, actor_id, text)
			JOIN agents a ON a.id = u.agent_id AND a.deactivated_at IS NULL
			ORDER BY u.agent_id
			ON CONFLICT DO NOTHING
			RETURNING id, agent_id, conversation_id, kind)
		SELECT n.id, n.agent_id, n.conversation_id, n.kind, a.notify_email FROM n JOIN agents a ON a.id = n.agent_id
		ORDER BY n.id`, agents, kinds, convs, actors, texts, now)
	if err != nil {
		return nil, fmt.Errorf("inbox: notify: %w", err)
	}
	var events []Event
	for rows.Next() {
		var id, agent, conv int64
		var kind, mail string
		if err := rows.Scan(&id, &agent, &conv, &kind, &mail); err != nil {
			rows.Close()
			return nil, fmt.Errorf("inbox: notify: %w", err)
		}
		events = append(events, Event{Type: EventNotificationCreated, AgentID: agent, At: now,
			Data: map[string]any{"notification_id": id, "conversation_id": conv, "kind": kind, "mail": mail}})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("inbox: notify: %w", err)
	}
	return events, nil
}

// repliedNotices are the "customer replied" notices of a batch's events: one for each inbound
// message in a conversation assigned to someone.
func repliedNotices(events []Event) []Notice {
	var ns []Notice
	for _, e := range events {
		if e.Type == EventMessageCreated && e.Direction == DirectionInbound && e.AssigneeID != 0 {
			ns = append(ns, Notice{AgentID: e.AssigneeID, Kind: NotifyCustomerReplied, ConversationID: e.ConversationID})
		}
	}
	return ns
}

// TeamSupervisorsTx returns the active supervisors and admins who are members of team teamID
// (none for 0), in id order: who hears of the team's SLA trouble besides the assignee.
func (s *Store) TeamSupervisorsTx(ctx context.Context, tx pgx.Tx, teamID int64) ([]int64, error) {
	if teamID == 0 {
		return nil, nil
	}
	rows, err := tx.Query(ctx, `SELECT a.id FROM team_members m JOIN agents a ON a.id = m.agent_id
		WHERE m.team_id = $1 AND a.role IN ('supervisor', 'admin') AND a.deactivated_at IS NULL ORDER BY a.id`, teamID)
	if err != nil {
		return nil, fmt.Errorf("inbox: team supervisors: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("inbox: team supervisors: %w", err)
	}
	return ids, nil
}
