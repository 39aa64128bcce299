package inbox

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// A mention in an internal note is "@" and an agent's handle: the local part of their email
// address ("@ann" for ann@example.com), or the whole address when several active agents share
// that local part ("@ann@example.org"). The "@" must start the text or follow a space or
// punctuation, so an address written in a note ("bob@example.com") is no mention. A handle that
// names no active agent is left as text; one that names several, or an agent who may not see
// the conversation, refuses the note (a *ValidationError saying why).
var mentionPattern = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_@.+-])@([\p{L}\p{N}][\p{L}\p{N}._+-]*(?:@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+)?)`)

// maxMentions bounds the handles one note may hold.
const maxMentions = 20

// Mentions returns the distinct handles text mentions, lower-cased, in order.
func Mentions(text string) []string {
	var out []string
	for _, m := range mentionPattern.FindAllStringSubmatch(text, -1) {
		h := strings.ToLower(strings.TrimRight(m[1], "._+-"))
		if h != "" && !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}

// seesConversationSQL is Viewer.Sees as a condition on agents aliased a, for the conversation
// whose team and assignee are $team and $assignee (0: none): the agents who may see it.
func seesConversationSQL(team, assignee string) string {
	return `(a.role IN ('supervisor', 'admin') OR a.id = ` + assignee + ` OR EXISTS (SELECT 1 FROM team_members m
		JOIN teams t ON t.id = m.team_id WHERE m.agent_id = a.id AND (t.id = ` + team + ` OR (` + team + ` = 0 AND t.default_queue))))`
}

// handleSQL is an agent's handle: the local part of the address, or the address when another
// active agent shares the local part.
const handleSQL = `CASE WHEN EXISTS (SELECT 1 FROM agents b WHERE b.id <> a.id AND b.deactivated_at IS NULL
		AND split_part(b.email, '@', 1) = split_part(a.email, '@', 1)) THEN a.email ELSE split_part(a.email, '@', 1) END`

// Mentionable is an agent a note may mention: who may see the conversation.
type Mentionable struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Handle string `json:"handle"`
}

// MentionCandidates lists up to 10 active agents who may see conversation id and whose name,
// address or handle starts with prefix (any, when empty), by name: the note composer's
// autocomplete. A conversation the viewer may not see is ErrNotFound.
func (sc Scope) MentionCandidates(ctx context.Context, id int64, prefix string) ([]Mentionable, error) {
	c, err := sc.GetConversation(ctx, id)
	if err != nil {
		return nil, err
	}
	prefix = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(prefix), "@"))
	rows, err := sc.s.pool.Query(ctx, `SELECT a.id, a.name, `+handleSQL+` FROM agents a
		WHERE a.deactivated_at IS NULL AND `+seesConversationSQL("$1", "$2")+`
			AND (lower(a.name) LIKE $3 || '%' OR a.email LIKE $3 || '%'
				OR EXISTS (SELECT 1 FROM unnest(string_to_array(lower(a.name), ' ')) w WHERE w LIKE $3 || '%'))
		ORDER BY a.name, a.id LIMIT 10`, deref(c.TeamID), deref(c.AssigneeID), likeEscape(prefix))
	if err != nil {
		return nil, fmt.Errorf("inbox: mention candidates: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Mentionable])
	if err != nil {
		return nil, fmt.Errorf("inbox: mention candidates: %w", err)
	}
	return out, nil
}

// likeEscape makes s match itself in a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// mentionNotices resolves the mentions of a note by author in conversation c, on tx: a notice
// for each agent mentioned (but the author), or a *ValidationError when a handle names several
// agents or one who may not see the conversation.
func mentionNotices(ctx context.Context, tx pgx.Tx, c convState, text string, author int64) ([]Notice, error) {
	handles := Mentions(text)
	if len(handles) == 0 {
		return nil, nil
	}
	if len(handles) > maxMentions {
		return nil, fmt.Errorf("inbox: note: %w", invalid("text", "a note mentions at most %d agents, not %d", maxMentions, len(handles)))
	}
	rows, err := tx.Query(ctx, `SELECT a.id, a.name, a.email, split_part(a.email, '@', 1), `+seesConversationSQL("$2", "$3")+`
		FROM agents a WHERE a.deactivated_at IS NULL AND (a.email = ANY($1) OR split_part(a.email, '@', 1) = ANY($1))
		ORDER BY a.id`, handles, c.teamID, c.assigneeID)
	if err != nil {
		return nil, fmt.Errorf("inbox: note: mentions: %w", err)
	}
	type match struct {
		id                 int64
		name, email, local string
		sees               bool
	}
	var agents []match
	for rows.Next() {
		var m match
		if err := rows.Scan(&m.id, &m.name, &m.email, &m.local, &m.sees); err != nil {
			rows.Close()
			return nil, fmt.Errorf("inbox: note: mentions: %w", err)
		}
		agents = append(agents, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("inbox: note: mentions: %w", err)
	}
	var ns []Notice
	for _, h := range handles {
		var found []match
		for _, m := range agents {
			if m.email == h || !strings.Contains(h, "@") && m.local == h {
				found = append(found, m)
			}
		}
		switch {
		case len(found) == 0:
			continue // no agent: plain text
		case len(found) > 1:
			return nil, fmt.Errorf("inbox: note: %w", invalid("text", "@%s names %d agents: write the whole address, as @%s", h, len(found), found[0].email))
		case !found[0].sees:
			return nil, fmt.Errorf("inbox: note: %w", invalid("text", "%s cannot see this conversation", found[0].name))
		case found[0].id != author:
			ns = append(ns, Notice{AgentID: found[0].id, Kind: NotifyMentioned, ConversationID: c.id, ActorID: author, Text: text})
		}
	}
	return ns, nil
}
