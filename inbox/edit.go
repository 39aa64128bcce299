package inbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Event types of changes to what was already stored.
const (
	// EventMessageUpdated: a customer edited or deleted a message (Data says which).
	EventMessageUpdated = "message.updated"
	// EventContactUpdated: a contact's name or identities were filled in.
	EventContactUpdated = "contact.updated"
)

// MessageChange is a customer's edit or deletion of an inbound message already stored, as its
// channel reports it (a Slack message_changed or message_deleted).
type MessageChange struct {
	// Channel and ExternalID address the message, as given to Ingest.
	Channel    Channel
	ExternalID string
	// Text and HTML are the message's new content (an edit); HTML must be sanitized.
	Text string
	HTML string
	// Deleted marks the message deleted instead; the text stays, for the record.
	Deleted bool
	// At is when the change happened; zero means now.
	At time.Time
}

// ChangeMessage records an edit or a deletion in one transaction; see ChangeMessageTx.
func (s *Store) ChangeMessage(ctx context.Context, ch MessageChange) (bool, error) {
	var changed bool
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		changed, err = s.ChangeMessageTx(ctx, tx, ch)
		return err
	})
	return changed, err
}

// ChangeMessageTx records an edit or a deletion in the caller's transaction. An edit replaces
// the text and keeps the first version in metadata.original_text (with edited_at and a count of
// edits); a deletion sets metadata.deleted and deleted_at and keeps the text. Either writes an
// audit entry and publishes message.updated. A change that changes nothing (a redelivery, an
// edit of a deleted message) reports false. No such message is ErrNotFound; a message that is
// not inbound is ErrConflict (customers change only their own words).
func (s *Store) ChangeMessageTx(ctx context.Context, tx pgx.Tx, ch MessageChange) (bool, error) {
	if ch.Deleted && (ch.Text != "" || ch.HTML != "") {
		return false, fmt.Errorf("inbox: change message: %w", invalid("text", "a deletion carries no text"))
	}
	// A customer's edit is repaired like their message (see repair), not refused for a NUL.
	ch.Text, _ = cleanString(ch.Text)
	ch.HTML, _ = cleanString(ch.HTML)
	if len(ch.Text) > MaxTextBytes || len(ch.HTML) > MaxTextBytes {
		return false, fmt.Errorf("inbox: change message: %w", invalid("text", "longer than %d bytes", MaxTextBytes))
	}
	var id, convID, contactID int64
	var dir Direction
	var text, html string
	var deleted bool
	err := tx.QueryRow(ctx, `SELECT id, conversation_id, coalesce(contact_id, 0), direction, text, html,
			coalesce((metadata->>'deleted')::boolean, false)
		FROM messages WHERE channel = $1 AND external_id = $2 FOR NO KEY UPDATE`, ch.Channel, ch.ExternalID).
		Scan(&id, &convID, &contactID, &dir, &text, &html, &deleted)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, fmt.Errorf("inbox: change message %s %q: %w", ch.Channel, ch.ExternalID, ErrNotFound)
	}
	if err != nil {
		return false, fmt.Errorf("inbox: change message: %w", err)
	}
	if dir != DirectionInbound {
		return false, fmt.Errorf("inbox: change message %d: only a customer's message changes: %w", id, ErrConflict)
	}
	if deleted || (!ch.Deleted && ch.Text == text && ch.HTML == html) {
		return false, nil
	}
	at := ch.At
	if at.IsZero() {
		at = s.now()
	}
	kind, data := "message_edit", map[string]any{"message_id": id, "edited": true}
	sql := `UPDATE messages SET text = $2, html = $3, metadata = metadata || jsonb_build_object(
			'original_text', coalesce(metadata->'original_text', to_jsonb(messages.text)),
			'edited_at', $4::timestamptz,
			'edits', coalesce((metadata->>'edits')::int, 0) + 1)
		WHERE id = $1`
	args := []any{id, ch.Text, ch.HTML, at}
	if ch.Deleted {
		kind, data = "message_delete", map[string]any{"message_id": id, "deleted": true}
		sql = `UPDATE messages SET metadata = metadata || jsonb_build_object('deleted', true, 'deleted_at', $2::timestamptz)
			WHERE id = $1`
		args = []any{id, at}
	}
	if _, err := tx.Exec(ctx, sql, args...); err != nil {
		return false, fmt.Errorf("inbox: change message %d: %w", id, err)
	}
	c, err := scanConvState(tx.QueryRow(ctx, "SELECT "+convStateCols+" FROM conversations WHERE id = $1", convID))
	if err != nil {
		return false, fmt.Errorf("inbox: change message %d: %w", id, err)
	}
	if err := audit(ctx, tx, auditEntry{conversationID: &c.id, contactID: nonZero(contactID), actor: "customer",
		kind: kind, data: data, at: at}); err != nil {
		return false, err
	}
	e := c.event(EventMessageUpdated, at)
	e.MessageID, e.Direction, e.Channel, e.Data = id, DirectionInbound, ch.Channel, data
	return true, s.Publish(ctx, tx, e)
}

// ContactProfile is what a channel learned about a contact after its first message, such as a
// Slack profile looked up in the background.
type ContactProfile struct {
	// Name becomes the contact's name when it has none.
	Name string
	// Also are further addresses, attached as claimed when nobody holds them yet.
	Also []Identity
}

// CompleteContactTx fills in a contact from p in the caller's transaction and, when anything
// changed, writes an audit entry and publishes contact.updated. It reports whether anything
// changed. An unknown contact is ErrNotFound; one merged into another is ErrConflict (complete
// the one it was merged into); a bad address is a *ValidationError.
func (s *Store) CompleteContactTx(ctx context.Context, tx pgx.Tx, contactID int64, p ContactProfile) (bool, error) {
	also := make([]Identity, 0, len(p.Also))
	for _, id := range p.Also {
		addr, err := NormalizeIdentity(id.Kind, id.Address, s.region)
		if err != nil {
			return false, fmt.Errorf("inbox: complete contact: %w", err)
		}
		also = append(also, Identity{Kind: id.Kind, Address: addr})
	}
	var merged bool
	err := tx.QueryRow(ctx, `SELECT merged_into IS NOT NULL FROM contacts WHERE id = $1 FOR NO KEY UPDATE`, contactID).Scan(&merged)
	if err != nil {
		return false, fmt.Errorf("inbox: complete contact %d: %w", contactID, notFound(err))
	}
	if merged {
		return false, fmt.Errorf("inbox: complete contact %d: it was merged: %w", contactID, ErrConflict)
	}
	now := s.now()
	data := map[string]any{}
	tag, err := tx.Exec(ctx, `UPDATE contacts SET name = $2, updated_at = $3 WHERE id = $1 AND name = '' AND $2 <> ''`,
		contactID, p.Name, now)
	if err != nil {
		return false, fmt.Errorf("inbox: complete contact %d: name: %w", contactID, err)
	}
	if tag.RowsAffected() > 0 {
		data["name"] = p.Name
	}
	var added []string
	for _, id := range also {
		tag, err := tx.Exec(ctx, `INSERT INTO contact_identities (contact_id, kind, address, verified, created_at)
			VALUES ($1, $2, $3, false, $4) ON CONFLICT (kind, address) DO NOTHING`, contactID, id.Kind, id.Address, now)
		if err != nil {
			return false, fmt.Errorf("inbox: complete contact %d: identity: %w", contactID, err)
		}
		if tag.RowsAffected() > 0 {
			added = append(added, string(id.Kind)+":"+id.Address)
		}
	}
	if len(added) > 0 {
		data["identities"] = added
	}
	if len(data) == 0 {
		return false, nil
	}
	if err := audit(ctx, tx, auditEntry{contactID: &contactID, actor: "system", kind: "profile", data: data, at: now}); err != nil {
		return false, err
	}
	return true, s.Publish(ctx, tx, Event{Type: EventContactUpdated, ContactID: contactID, Data: data, At: now})
}
