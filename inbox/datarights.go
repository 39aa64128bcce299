package inbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Audit kinds of a data subject's rights exercised.
const (
	AuditContactExported = "contact.exported"
	AuditContactErased   = "contact.erased"
)

// erasedText replaces the text of an erased customer's messages.
const erasedText = "[erased]"

// ContactExport is everything Parley holds about one customer: the answer to a subject access
// request.
type ContactExport struct {
	ExportedAt    time.Time            `json:"exported_at"`
	Contact       Contact              `json:"contact"`
	Conversations []ExportConversation `json:"conversations"`
}

// ExportConversation is one conversation of an export, with its messages.
type ExportConversation struct {
	ID        int64           `json:"id"`
	Channel   Channel         `json:"channel"`
	Status    Status          `json:"status"`
	Subject   string          `json:"subject"`
	CreatedAt time.Time       `json:"created_at"`
	Messages  []ExportMessage `json:"messages"`
}

// ExportMessage is one message of an export; attachments are listed by name and size.
type ExportMessage struct {
	ID          int64     `json:"id"`
	Direction   Direction `json:"direction"`
	Channel     Channel   `json:"channel"`
	Text        string    `json:"text"`
	CreatedAt   time.Time `json:"created_at"`
	Attachments []string  `json:"attachments,omitempty"`
}

// ExportContact gathers everything about a contact (a merged one resolves to the contact it
// joined) and records the export in the audit log. An unknown contact is ErrNotFound.
func (s *Store) ExportContact(ctx context.Context, id int64, by AuditActor) (ContactExport, error) {
	c, err := s.GetContact(ctx, id)
	if err != nil {
		return ContactExport{}, err
	}
	out := ContactExport{ExportedAt: s.now().UTC(), Contact: c, Conversations: []ExportConversation{}}
	rows, err := s.pool.Query(ctx, `SELECT c.id, c.channel, c.status, c.subject, c.created_at, m.id, m.direction, m.channel, m.text, m.created_at,
		coalesce((SELECT array_agg(a.filename || ' (' || a.size || ' bytes)' ORDER BY a.id) FROM attachments a WHERE a.message_id = m.id), '{}')
		FROM conversations c JOIN messages m ON m.conversation_id = c.id
		WHERE c.contact_id = $1 ORDER BY c.id, m.id`, c.ID)
	if err != nil {
		return ContactExport{}, fmt.Errorf("inbox: export contact: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cv ExportConversation
		var m ExportMessage
		if err := rows.Scan(&cv.ID, &cv.Channel, &cv.Status, &cv.Subject, &cv.CreatedAt, &m.ID, &m.Direction, &m.Channel, &m.Text,
			&m.CreatedAt, &m.Attachments); err != nil {
			return ContactExport{}, fmt.Errorf("inbox: export contact: %w", err)
		}
		if n := len(out.Conversations); n == 0 || out.Conversations[n-1].ID != cv.ID {
			out.Conversations = append(out.Conversations, cv)
		}
		last := &out.Conversations[len(out.Conversations)-1]
		last.Messages = append(last.Messages, m)
	}
	if err := rows.Err(); err != nil {
		return ContactExport{}, fmt.Errorf("inbox: export contact: %w", err)
	}
	if err := s.RecordAudit(ctx, by.Record(AuditContactExported, AuditTarget("contact", c.ID), nil)); err != nil {
		return ContactExport{}, err
	}
	return out, nil
}

// EraseContact erases a customer, audited, in one transaction: their identities are deleted;
// the text of every message of their conversations and the subjects are replaced, the
// attachments' content and names removed (files in the file store are handed to the next
// prune_uploads run, which deletes them); their name, notes, tags, tier, attributes and company
// are cleared. The conversations stay, anonymized, for the reports. An unknown contact is
// ErrNotFound; a merged one ErrConflict (erase the one it joined). The channels' own records
// (a chat visitor's typed email, SMS opt-outs) are not erased here.
func (s *Store) EraseContact(ctx context.Context, id int64, by AuditActor) error {
	return s.Audited(ctx, func(tx pgx.Tx) (AuditRecord, error) {
		var merged bool
		err := tx.QueryRow(ctx, `SELECT merged_into IS NOT NULL FROM contacts WHERE id = $1 FOR NO KEY UPDATE`, id).Scan(&merged)
		if errors.Is(err, pgx.ErrNoRows) {
			return AuditRecord{}, fmt.Errorf("inbox: erase contact %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return AuditRecord{}, fmt.Errorf("inbox: erase contact: %w", err)
		}
		if merged {
			return AuditRecord{}, fmt.Errorf("inbox: erase contact %d: it was merged: %w", id, ErrConflict)
		}
		now := s.now()
		steps := []struct{ what, sql string }{
			{"identities", `DELETE FROM contact_identities WHERE contact_id = $1`},
			{"files", `INSERT INTO uploads (store_key, filename, content_type, size, created_at)
				SELECT a.store_key, 'erased', 'application/octet-stream', 0, '-infinity' FROM attachments a, messages m, conversations c
				WHERE a.message_id = m.id AND m.conversation_id = c.id AND c.contact_id = $1 AND a.store_key IS NOT NULL`},
			{"attachments", `UPDATE attachments a SET content = NULL, store_key = NULL, filename = 'erased', content_id = '', size = 0
				FROM messages m, conversations c WHERE a.message_id = m.id AND m.conversation_id = c.id AND c.contact_id = $1`},
			{"messages", `UPDATE messages m SET text = '` + erasedText + `', html = '', metadata = '{}', email_references = '{}'
				FROM conversations c WHERE m.conversation_id = c.id AND c.contact_id = $1`},
			{"conversations", `UPDATE conversations SET subject = '' WHERE contact_id = $1`},
			{"trail", `UPDATE conversation_events SET data = '{}' WHERE contact_id = $1 AND actor = 'customer'`},
			{"merged", `UPDATE contacts SET name = '', notes = '', attributes = '{}', tags = '{}', tier = '', erased_at = $2 WHERE merged_into = $1`},
			{"contact", `UPDATE contacts SET name = '', notes = '', attributes = '{}', tags = '{}', tier = '', company_id = NULL,
				erased_at = $2, updated_at = $2 WHERE id = $1`},
		}
		for _, st := range steps {
			args := []any{id}
			if st.what == "merged" || st.what == "contact" {
				args = append(args, now)
			}
			if _, err := tx.Exec(ctx, st.sql, args...); err != nil {
				return AuditRecord{}, fmt.Errorf("inbox: erase contact: %s: %w", st.what, err)
			}
		}
		return by.Record(AuditContactErased, AuditTarget("contact", id), nil), nil
	})
}
