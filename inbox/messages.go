package inbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/jackc/pgx/v5"
)

const messageCols = `id, conversation_id, direction, channel, inbox_id, external_id, contact_id,
	author_agent_id, text, html, email_message_id, email_in_reply_to, email_references,
	delivery_status, delivery_error, threaded_by, auto, metadata, created_at`

func scanMessage(row pgx.Row) (Message, error) {
	var m Message
	err := row.Scan(&m.ID, &m.ConversationID, &m.Direction, &m.Channel, &m.InboxID, &m.ExternalID,
		&m.ContactID, &m.AuthorAgentID, &m.Text, &m.HTML, &m.EmailMessageID, &m.EmailInReplyTo,
		&m.EmailReferences, &m.DeliveryStatus, &m.DeliveryError, &m.ThreadedBy, &m.Auto, &m.Metadata,
		&m.CreatedAt)
	return m, err
}

// Messages returns a conversation's timeline, oldest first, with attachment metadata. afterID
// returns only the messages after it (0 for all); at most limit (0 means 500).
func (s *Store) Messages(ctx context.Context, conversationID, afterID int64, limit int) ([]Message, error) {
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	rows, err := s.pool.Query(ctx, "SELECT "+messageCols+` FROM messages
		WHERE conversation_id = $1 AND id > $2 ORDER BY id LIMIT $3`, conversationID, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("inbox: messages: %w", err)
	}
	msgs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Message, error) { return scanMessage(r) })
	if err != nil {
		return nil, fmt.Errorf("inbox: messages: %w", err)
	}
	return s.withAttachments(ctx, msgs)
}

// UndeliveredReplies returns the outbound messages of channel in the conversations named,
// with ids up to upToID, that are not yet delivered, oldest first: the most recent limit (0
// means 500), with attachment metadata. A live channel replays them to a client whose last message id
// may have moved past a reply it never got (see the chat's replay).
func (s *Store) UndeliveredReplies(ctx context.Context, conversationIDs []int64, channel Channel, upToID int64, limit int) ([]Message, error) {
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	if len(conversationIDs) == 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, "SELECT "+messageCols+` FROM messages
		WHERE conversation_id = ANY($1) AND id <= $2 AND channel = $3 AND direction = 'outbound'
			AND delivery_status <> 'delivered'
		ORDER BY id DESC LIMIT $4`, conversationIDs, upToID, channel, limit)
	if err != nil {
		return nil, fmt.Errorf("inbox: undelivered replies: %w", err)
	}
	msgs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Message, error) { return scanMessage(r) })
	if err != nil {
		return nil, fmt.Errorf("inbox: undelivered replies: %w", err)
	}
	slices.Reverse(msgs)
	return s.withAttachments(ctx, msgs)
}

// withAttachments fills in the attachment metadata of msgs.
func (s *Store) withAttachments(ctx context.Context, msgs []Message) ([]Message, error) {
	if len(msgs) == 0 {
		return msgs, nil
	}
	index := make(map[int64]int, len(msgs))
	ids := make([]int64, len(msgs))
	for i, m := range msgs {
		index[m.ID] = i
		ids[i] = m.ID
	}
	arows, err := s.pool.Query(ctx, `SELECT id, message_id, filename, content_type, content_id, size
		FROM attachments WHERE message_id = ANY($1) ORDER BY id`, ids)
	if err != nil {
		return nil, fmt.Errorf("inbox: attachments: %w", err)
	}
	defer arows.Close()
	for arows.Next() {
		var a Attachment
		if err := arows.Scan(&a.ID, &a.MessageID, &a.Filename, &a.ContentType, &a.ContentID, &a.Size); err != nil {
			return nil, fmt.Errorf("inbox: attachments: %w", err)
		}
		i := index[a.MessageID]
		msgs[i].Attachments = append(msgs[i].Attachments, a)
	}
	return msgs, arows.Err()
}

// MessageAttachments returns the attachment metadata of one message, in the order attached.
func (s *Store) MessageAttachments(ctx context.Context, messageID int64) ([]Attachment, error) {
	msgs, err := s.withAttachments(ctx, []Message{{ID: messageID}})
	if err != nil {
		return nil, err
	}
	return msgs[0].Attachments, nil
}

// OpenAttachment streams the content of one attachment from the file store (or, for a row
// written before the store, from the database); the caller closes it. An attachment stored
// without its content (over the size limit) is ErrNotFound.
func (s *Store) OpenAttachment(ctx context.Context, id int64) (io.ReadCloser, error) {
	var key *string
	var content []byte
	err := s.pool.QueryRow(ctx, `SELECT store_key, content FROM attachments WHERE id = $1`, id).Scan(&key, &content)
	if err != nil {
		return nil, fmt.Errorf("inbox: attachment %d: %w", id, notFound(err))
	}
	return s.openStored(ctx, id, key, content)
}

// OpenAttachmentFile is OpenAttachment with the attachment's record, read in the same query:
// what serving it as a download needs.
func (s *Store) OpenAttachmentFile(ctx context.Context, id int64) (Attachment, io.ReadCloser, error) {
	var a Attachment
	var key *string
	var content []byte
	err := s.pool.QueryRow(ctx, `SELECT id, message_id, filename, content_type, content_id, size, store_key, content
		FROM attachments WHERE id = $1`, id).Scan(&a.ID, &a.MessageID, &a.Filename, &a.ContentType, &a.ContentID, &a.Size, &key, &content)
	if err != nil {
		return a, nil, fmt.Errorf("inbox: attachment %d: %w", id, notFound(err))
	}
	rc, err := s.openStored(ctx, id, key, content)
	return a, rc, err
}

// GetMessage returns one message.
func (s *Store) GetMessage(ctx context.Context, id int64) (Message, error) {
	m, err := scanMessage(s.pool.QueryRow(ctx, "SELECT "+messageCols+" FROM messages WHERE id = $1", id))
	if err != nil {
		return m, fmt.Errorf("inbox: message %d: %w", id, notFound(err))
	}
	return m, nil
}

// GetMessagesByID returns the messages of ids that exist, in no particular order, with their
// attachments' records (a second query for all of them): for a fan-out that shows each of a
// burst of replies, and its files, to its visitor.
func (s *Store) GetMessagesByID(ctx context.Context, ids []int64) ([]Message, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+messageCols+" FROM messages WHERE id = ANY($1)", ids)
	if err != nil {
		return nil, fmt.Errorf("inbox: messages by id: %w", err)
	}
	defer rows.Close()
	var msgs []Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("inbox: messages by id: %w", err)
		}
		msgs = append(msgs, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("inbox: messages by id: %w", err)
	}
	return s.withAttachments(ctx, msgs)
}

// Attachment returns one attachment with its content read whole into memory (nil when it was
// over the size limit). Prefer AttachmentInfo and OpenAttachment, which stream.
func (s *Store) Attachment(ctx context.Context, id int64) (Attachment, error) {
	a, err := s.AttachmentInfo(ctx, id)
	if err != nil {
		return a, err
	}
	rc, err := s.OpenAttachment(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return a, nil
	}
	if err != nil {
		return a, err
	}
	defer rc.Close()
	if a.Content, err = io.ReadAll(rc); err != nil {
		return a, fmt.Errorf("inbox: attachment %d: %w", id, err)
	}
	return a, nil
}

// AttachmentInfo returns one attachment's metadata, without its content.
func (s *Store) AttachmentInfo(ctx context.Context, id int64) (Attachment, error) {
	var a Attachment
	err := s.pool.QueryRow(ctx, `SELECT id, message_id, filename, content_type, content_id, size
		FROM attachments WHERE id = $1`, id).Scan(&a.ID, &a.MessageID, &a.Filename, &a.ContentType, &a.ContentID, &a.Size)
	if err != nil {
		return a, fmt.Errorf("inbox: attachment %d: %w", id, notFound(err))
	}
	return a, nil
}

// notFound turns pgx.ErrNoRows into ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
