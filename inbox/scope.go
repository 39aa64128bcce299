package inbox

import (
	"context"
	"fmt"
	"io"
	"strconv"
)

// Scope is the store seen by one Viewer: every read and action that the web pages, the API and
// the sockets offer on conversations, messages, contacts and attachments, each of which first
// applies the viewer's rule. Whatever the viewer may not see answers ErrNotFound, exactly as an
// id that does not exist, so ids do not leak. Build one with Store.As, for one request: it
// remembers the conversations it found visible, so a page that reads one conversation's
// messages, trail and contact checks it once. It is not safe for concurrent use.
type Scope struct {
	s        *Store
	v        Viewer
	visible  map[int64]bool // conversations found visible
	contacts map[int64]bool // contacts of those conversations, visible by the rule
	liveOnly bool           // reports read no rollup (the tests' oracle)
}

// As returns the store as v sees it.
func (s *Store) As(v Viewer) Scope {
	return Scope{s: s, v: v, visible: map[int64]bool{}, contacts: map[int64]bool{}}
}

// Viewer returns the scope's viewer.
func (sc Scope) Viewer() Viewer { return sc.v }

// hidden is the error for an object the viewer may not see: ErrNotFound, as for a missing id.
func hidden(what string, id int64) error {
	return fmt.Errorf("inbox: %s %d: %w", what, id, ErrNotFound)
}

// GetConversation returns one conversation the viewer may see.
func (sc Scope) GetConversation(ctx context.Context, id int64) (Conversation, error) {
	c, err := sc.s.GetConversation(ctx, id)
	if err != nil {
		return Conversation{}, err
	}
	if !sc.v.SeesConversation(c) {
		return Conversation{}, hidden("conversation", id)
	}
	sc.visible[id] = true
	sc.contacts[c.ContactID] = true
	return c, nil
}

// check answers ErrNotFound unless the viewer may see conversation id.
func (sc Scope) check(ctx context.Context, id int64) error {
	if sc.v.All || sc.visible[id] {
		return nil
	}
	_, err := sc.GetConversation(ctx, id)
	return err
}

// Messages is Store.Messages of a conversation the viewer may see.
func (sc Scope) Messages(ctx context.Context, conversationID, afterID int64, limit int) ([]Message, error) {
	if err := sc.check(ctx, conversationID); err != nil {
		return nil, err
	}
	return sc.s.Messages(ctx, conversationID, afterID, limit)
}

// Audit is Store.Audit of a conversation the viewer may see.
func (sc Scope) Audit(ctx context.Context, conversationID int64) ([]AuditEntry, error) {
	if err := sc.check(ctx, conversationID); err != nil {
		return nil, err
	}
	return sc.s.Audit(ctx, conversationID)
}

// Send is Store.Send on a conversation the viewer may see.
func (sc Scope) Send(ctx context.Context, r Reply) (Message, error) {
	if err := sc.check(ctx, r.ConversationID); err != nil {
		return Message{}, err
	}
	return sc.s.Send(ctx, r)
}

// Note is Store.Note on a conversation the viewer may see.
func (sc Scope) Note(ctx context.Context, r Reply) (Message, error) {
	if err := sc.check(ctx, r.ConversationID); err != nil {
		return Message{}, err
	}
	return sc.s.Note(ctx, r)
}

// Assign is Store.Assign on a conversation the viewer may see.
func (sc Scope) Assign(ctx context.Context, id, agentID int64, by Actor) (Conversation, error) {
	if err := sc.check(ctx, id); err != nil {
		return Conversation{}, err
	}
	return sc.s.Assign(ctx, id, agentID, by)
}

// SetStatus is Store.SetStatus on a conversation the viewer may see.
func (sc Scope) SetStatus(ctx context.Context, id int64, status Status, by Actor) (Conversation, error) {
	if err := sc.check(ctx, id); err != nil {
		return Conversation{}, err
	}
	return sc.s.SetStatus(ctx, id, status, by)
}

// SetPriority is Store.SetPriority on a conversation the viewer may see.
func (sc Scope) SetPriority(ctx context.Context, id int64, p Priority, by Actor) (Conversation, error) {
	if err := sc.check(ctx, id); err != nil {
		return Conversation{}, err
	}
	return sc.s.SetPriority(ctx, id, p, by)
}

// SetTags is Store.SetTags on a conversation the viewer may see.
func (sc Scope) SetTags(ctx context.Context, id int64, add, remove []string, by Actor) (Conversation, error) {
	if err := sc.check(ctx, id); err != nil {
		return Conversation{}, err
	}
	return sc.s.SetTags(ctx, id, add, remove, by)
}

// Categorize is Store.Categorize on a conversation the viewer may see.
func (sc Scope) Categorize(ctx context.Context, id int64, ch CategoryChange, by Actor) (Conversation, error) {
	if err := sc.check(ctx, id); err != nil {
		return Conversation{}, err
	}
	return sc.s.Categorize(ctx, id, ch, by)
}

// SetStatusCoded is Store.SetStatusCoded on a conversation the viewer may see.
func (sc Scope) SetStatusCoded(ctx context.Context, id int64, status Status, codeID int64, by Actor) (Conversation, error) {
	if err := sc.check(ctx, id); err != nil {
		return Conversation{}, err
	}
	return sc.s.SetStatusCoded(ctx, id, status, codeID, by)
}

// limit returns q restricted to what the viewer may see.
func (sc Scope) limit(q ConversationQuery) ConversationQuery {
	if !sc.v.All {
		v := sc.v
		q.VisibleTo = &v
	}
	return q
}

// ListConversations is Store.ListConversations of what the viewer may see.
func (sc Scope) ListConversations(ctx context.Context, q ConversationQuery) (ConversationPage, error) {
	return sc.s.ListConversations(ctx, sc.limit(q))
}

// ConversationRows is Store.ConversationRows of what the viewer may see.
func (sc Scope) ConversationRows(ctx context.Context, q ConversationQuery) (RowPage, error) {
	return sc.s.ConversationRows(ctx, sc.limit(q))
}

// seesContacts reports whether every contact of ids has a conversation the viewer may see and,
// with all set, whether the viewer may see every one of their conversations.
func (sc Scope) seesContacts(ctx context.Context, db rowQuerier, ids []int64, all bool) (bool, error) {
	if sc.v.All {
		return true, nil
	}
	var args []any
	arg := func(x any) string {
		args = append(args, x)
		return "$" + strconv.Itoa(len(args))
	}
	idsArg := arg(ids)
	visible := sc.v.where("c", arg)
	sql := `SELECT count(DISTINCT c.contact_id) = cardinality(` + idsArg + `::bigint[])
		FROM conversations c WHERE c.contact_id = ANY(` + idsArg + `::bigint[]) AND ` + visible
	if all {
		sql = `SELECT (` + sql + `) AND NOT EXISTS (SELECT 1 FROM conversations c
			WHERE c.contact_id = ANY(` + idsArg + `::bigint[]) AND NOT coalesce(` + visible + `, false))`
	}
	var ok bool
	if err := db.QueryRow(ctx, sql, args...).Scan(&ok); err != nil {
		return false, fmt.Errorf("inbox: contact visibility: %w", err)
	}
	return ok, nil
}

// GetContact returns a contact one of whose conversations the viewer may see.
func (sc Scope) GetContact(ctx context.Context, id int64) (Contact, error) {
	if sc.contacts[id] {
		return sc.s.GetContact(ctx, id)
	}
	ok, err := sc.seesContacts(ctx, sc.s.pool, []int64{id}, false)
	if err != nil {
		return Contact{}, err
	}
	if !ok {
		return Contact{}, hidden("contact", id)
	}
	return sc.s.GetContact(ctx, id)
}

// Merge is Store.Merge for a viewer who may see every conversation of both contacts; otherwise
// ErrNotFound. The check runs in the merge's transaction, after the contacts are locked.
func (sc Scope) Merge(ctx context.Context, keep, other int64, by Actor) (Contact, error) {
	c, _, err := sc.MergeAndRecord(ctx, keep, other, by)
	return c, err
}

// Attachment returns an attachment of a conversation the viewer may see, with its content.
func (sc Scope) Attachment(ctx context.Context, id int64) (Attachment, error) {
	if err := sc.seesAttachment(ctx, id); err != nil {
		return Attachment{}, err
	}
	return sc.s.Attachment(ctx, id)
}

// OpenAttachment returns the metadata of an attachment of a conversation the viewer may see
// and a stream of its content, which the caller closes; another team's is ErrNotFound.
func (sc Scope) OpenAttachment(ctx context.Context, id int64) (Attachment, io.ReadCloser, error) {
	if err := sc.seesAttachment(ctx, id); err != nil {
		return Attachment{}, nil, err
	}
	return sc.s.OpenAttachmentFile(ctx, id)
}

// seesAttachment is nil when the viewer may see the conversation attachment id belongs to.
func (sc Scope) seesAttachment(ctx context.Context, id int64) error {
	if sc.v.All {
		return nil
	}
	var team, assignee *int64
	err := sc.s.pool.QueryRow(ctx, `SELECT c.team_id, c.assignee_id FROM attachments a
		JOIN messages m ON m.id = a.message_id JOIN conversations c ON c.id = m.conversation_id
		WHERE a.id = $1`, id).Scan(&team, &assignee)
	if err != nil {
		return fmt.Errorf("inbox: attachment %d: %w", id, notFound(err))
	}
	if !sc.v.Sees(deref(team), deref(assignee)) {
		return hidden("attachment", id)
	}
	return nil
}
