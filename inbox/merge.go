package inbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// AuditContactsUnmerged is the audit kind of a merge undone.
const AuditContactsUnmerged = "contacts.unmerged"

// MergeRecord is a merge as the contact page lists it: who folded which contact into which,
// when, and whether it was undone.
type MergeRecord struct {
	ID         int64      `json:"id"`
	KeepID     int64      `json:"keep_id"`
	MergedID   int64      `json:"merged_id"`
	MergedName string     `json:"merged_name"`
	By         string     `json:"by"` // the agent's name; empty for the system
	At         time.Time  `json:"at"`
	UndoneAt   *time.Time `json:"undone_at,omitempty"`
}

// mergeBefore is what a merge changed, kept to undo it: the merged contact's identities,
// conversations and trail entries that moved, and the kept contact's profile before.
type mergeBefore struct {
	Identities    []int64        `json:"identities"`
	Conversations []int64        `json:"conversations"`
	Events        []int64        `json:"events"`
	Keep          map[string]any `json:"keep"`
}

// recordMerge stores the state a merge of other into keep is about to change.
func recordMerge(ctx context.Context, tx pgx.Tx, keep, other int64, by Actor, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO contact_merges (keep_id, merged_id, agent_id, before, created_at)
		SELECT $1, $2, $3, jsonb_build_object(
			'identities', coalesce((SELECT jsonb_agg(id ORDER BY id) FROM contact_identities WHERE contact_id = $2), '[]'),
			'conversations', coalesce((SELECT jsonb_agg(id ORDER BY id) FROM conversations WHERE contact_id = $2), '[]'),
			'events', coalesce((SELECT jsonb_agg(id ORDER BY id) FROM conversation_events WHERE contact_id = $2), '[]'),
			'keep', (SELECT jsonb_build_object('name', name, 'tier', tier, 'tags', tags, 'notes', notes,
				'attributes', attributes, 'company_id', company_id) FROM contacts WHERE id = $1)),
			$4
		RETURNING id`, keep, other, nonZero(by.AgentID), now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("inbox: merge: record: %w", err)
	}
	return id, nil
}

// MergePreview is what a merge of Other into Keep would do.
type MergePreview struct {
	Keep  Contact `json:"keep"`
	Other Contact `json:"other"`
	// Identities move from Other to Keep.
	Identities []Identity `json:"identities"`
	// Conversations move from Other to Keep; Open are both contacts' open conversations, which
	// become one customer's (the next message threads into the newest).
	Conversations []HistoryConversation `json:"conversations"`
	Open          []HistoryConversation `json:"open"`
}

// MergePreview shows what merging other into keep would move, for a viewer who may see every
// conversation of both (as Merge requires); ErrNotFound otherwise, ErrConflict for a contact
// into itself or one already merged.
func (sc Scope) MergePreview(ctx context.Context, keep, other int64) (MergePreview, error) {
	if keep == other {
		return MergePreview{}, fmt.Errorf("inbox: merge preview: a contact cannot merge into itself: %w", ErrConflict)
	}
	ok, err := sc.seesContacts(ctx, sc.s.pool, []int64{keep, other}, true)
	if err != nil {
		return MergePreview{}, err
	}
	if !ok {
		return MergePreview{}, fmt.Errorf("inbox: merge preview %d into %d: %w", other, keep, ErrNotFound)
	}
	var p MergePreview
	if p.Keep, err = sc.s.GetContact(ctx, keep); err != nil {
		return MergePreview{}, err
	}
	if p.Other, err = sc.s.GetContact(ctx, other); err != nil {
		return MergePreview{}, err
	}
	if p.Keep.ID != keep || p.Other.ID != other {
		return MergePreview{}, fmt.Errorf("inbox: merge preview: already merged: %w", ErrConflict)
	}
	p.Identities = p.Other.Identities
	rows, err := sc.s.pool.Query(ctx, `SELECT id, channel, status, subject, category, created_at, last_activity_at, contact_id = $2
		FROM conversations WHERE contact_id = ANY($1) ORDER BY id DESC LIMIT 500`, []int64{keep, other}, other)
	if err != nil {
		return MergePreview{}, fmt.Errorf("inbox: merge preview: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h HistoryConversation
		var moves bool
		if err := rows.Scan(&h.ID, &h.Channel, &h.Status, &h.Subject, &h.Category, &h.CreatedAt, &h.LastActivityAt, &moves); err != nil {
			return MergePreview{}, fmt.Errorf("inbox: merge preview: %w", err)
		}
		if moves {
			p.Conversations = append(p.Conversations, h)
		}
		if h.Status == StatusNew || h.Status == StatusOpen || h.Status == StatusPending || h.Status == StatusSnoozed {
			p.Open = append(p.Open, h)
		}
	}
	if err := rows.Err(); err != nil {
		return MergePreview{}, fmt.Errorf("inbox: merge preview: %w", err)
	}
	return p, nil
}

// MergeAndRecord is Merge returning the merge's id too (for UndoMerge).
func (sc Scope) MergeAndRecord(ctx context.Context, keep, other int64, by Actor) (Contact, int64, error) {
	var id int64
	ids := []int64{keep, other}
	if keep == other {
		ids = ids[:1] // mergeTx refuses it (ErrConflict) once the viewer may see it
	}
	err := sc.lockVisible(ctx, ids, ids, "merge", func(tx pgx.Tx) (err error) {
		id, err = sc.s.mergeTx(ctx, tx, keep, other, by)
		return err
	})
	if err != nil {
		return Contact{}, 0, err
	}
	c, err := sc.s.GetContact(ctx, keep)
	return c, id, err
}

// lockVisible locks the contacts of lock (in id order, so that two merges cannot deadlock) and
// runs fn in that transaction when the viewer may see every conversation of the contacts check;
// ErrNotFound otherwise. The check runs after the locks, so no merge moves conversations
// between them.
func (sc Scope) lockVisible(ctx context.Context, lock, check []int64, what string, fn func(tx pgx.Tx) error) error {
	return sc.s.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM contacts WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE`, lock); err != nil {
			return fmt.Errorf("inbox: %s: %w", what, err)
		}
		ok, err := sc.seesContacts(ctx, tx, check, true)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("inbox: %s %v: %w", what, check, ErrNotFound)
		}
		return fn(tx)
	})
}

// UndoMerge restores a merge: the identities, conversations (with their messages) and trail
// entries that moved go back to the contact they came from, which is a contact again, and the
// kept contact's profile returns to what it was. It is audited and announced. The viewer must
// see every conversation of the kept contact. An unknown merge, or one the viewer may not see,
// is ErrNotFound; one already undone, or whose kept contact was since merged itself, is
// ErrConflict.
func (sc Scope) UndoMerge(ctx context.Context, mergeID int64, by AuditActor) (MergeRecord, error) {
	var keep, other int64
	err := sc.s.pool.QueryRow(ctx, `SELECT keep_id, merged_id FROM contact_merges WHERE id = $1`, mergeID).Scan(&keep, &other)
	if errors.Is(err, pgx.ErrNoRows) {
		return MergeRecord{}, hidden("merge", mergeID)
	}
	if err != nil {
		return MergeRecord{}, fmt.Errorf("inbox: undo merge: %w", err)
	}
	err = sc.lockVisible(ctx, []int64{keep, other}, []int64{keep}, "undo merge", func(tx pgx.Tx) error {
		var b mergeBefore
		var undone, keepMerged, otherHere bool
		err := tx.QueryRow(ctx, `SELECT m.before, m.undone_at IS NOT NULL, k.merged_into IS NOT NULL, o.merged_into IS NOT DISTINCT FROM k.id
			FROM contact_merges m JOIN contacts k ON k.id = m.keep_id JOIN contacts o ON o.id = m.merged_id
			WHERE m.id = $1 FOR NO KEY UPDATE OF m`, mergeID).Scan(&b, &undone, &keepMerged, &otherHere)
		if err != nil {
			return fmt.Errorf("inbox: undo merge: %w", err)
		}
		if undone || keepMerged || !otherHere {
			return fmt.Errorf("inbox: undo merge %d: already undone, or the kept contact was merged since: %w", mergeID, ErrConflict)
		}
		now := sc.s.now()
		steps := []struct {
			what, sql string
			args      []any
		}{
			{"identities", `UPDATE contact_identities SET contact_id = $2 WHERE contact_id = $1 AND id = ANY($3)`, []any{keep, other, b.Identities}},
			{"conversations", `UPDATE conversations SET contact_id = $2 WHERE contact_id = $1 AND id = ANY($3)`, []any{keep, other, b.Conversations}},
			{"messages", `UPDATE messages SET contact_id = $2 WHERE contact_id = $1 AND conversation_id = ANY($3)`, []any{keep, other, b.Conversations}},
			{"events", `UPDATE conversation_events SET contact_id = $2 WHERE contact_id = $1 AND id = ANY($3)`, []any{keep, other, b.Events}},
			{"keep", `UPDATE contacts SET name = $2::jsonb->>'name', tier = $2::jsonb->>'tier',
				tags = ARRAY(SELECT jsonb_array_elements_text(coalesce($2::jsonb->'tags', '[]'))), notes = $2::jsonb->>'notes',
				attributes = coalesce($2::jsonb->'attributes', '{}'), company_id = ($2::jsonb->>'company_id')::bigint, updated_at = $3
				WHERE id = $1`, []any{keep, b.Keep, now}},
			{"other", `UPDATE contacts SET merged_into = NULL, updated_at = $2 WHERE id = $1`, []any{other, now}},
			{"record", `UPDATE contact_merges SET undone_at = $2, undone_by = $3 WHERE id = $1`, []any{mergeID, now, nonZero(by.AgentID)}},
		}
		for _, st := range steps {
			if _, err := tx.Exec(ctx, st.sql, st.args...); err != nil {
				return fmt.Errorf("inbox: undo merge: %s: %w", st.what, err)
			}
		}
		data := map[string]any{"restored": other, "merge_id": mergeID}
		if err := audit(ctx, tx, auditEntry{contactID: &keep, agentID: nonZero(by.AgentID), actor: Actor{AgentID: by.AgentID}.kind(),
			kind: "unmerge", data: data, at: now}); err != nil {
			return err
		}
		rec := by.Record(AuditContactsUnmerged, AuditTarget("contact", keep), data)
		rec.At = now
		if err := sc.s.RecordAuditTx(ctx, tx, rec); err != nil {
			return err
		}
		return sc.s.Publish(ctx, tx, Event{Type: EventContactMerged, ContactID: keep, AgentID: by.AgentID, Data: data, At: now})
	})
	if err != nil {
		return MergeRecord{}, err
	}
	return sc.s.merge(ctx, mergeID)
}

const mergeCols = `m.id, m.keep_id, m.merged_id, o.name, coalesce(a.name, ''), m.created_at, m.undone_at
	FROM contact_merges m JOIN contacts o ON o.id = m.merged_id LEFT JOIN agents a ON a.id = m.agent_id`

func scanMerge(r pgx.Row) (MergeRecord, error) {
	var m MergeRecord
	err := r.Scan(&m.ID, &m.KeepID, &m.MergedID, &m.MergedName, &m.By, &m.At, &m.UndoneAt)
	return m, err
}

func (s *Store) merge(ctx context.Context, id int64) (MergeRecord, error) {
	m, err := scanMerge(s.pool.QueryRow(ctx, `SELECT `+mergeCols+` WHERE m.id = $1`, id))
	if err != nil {
		return MergeRecord{}, fmt.Errorf("inbox: merge %d: %w", id, notFound(err))
	}
	return m, nil
}

// Merges lists the merges into a contact the viewer may see, newest first.
func (sc Scope) Merges(ctx context.Context, contactID int64) ([]MergeRecord, error) {
	if _, err := sc.GetContact(ctx, contactID); err != nil {
		return nil, err
	}
	rows, err := sc.s.pool.Query(ctx, `SELECT `+mergeCols+` WHERE m.keep_id = $1 ORDER BY m.id DESC LIMIT 50`, contactID)
	if err != nil {
		return nil, fmt.Errorf("inbox: merges: %w", err)
	}
	ms, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (MergeRecord, error) { return scanMerge(r) })
	if err != nil {
		return nil, fmt.Errorf("inbox: merges: %w", err)
	}
	return ms, nil
}
