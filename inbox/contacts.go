package inbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// GetContact returns a contact with its identities. A merged contact resolves to the one it
// was merged into.
func (s *Store) GetContact(ctx context.Context, id int64) (Contact, error) {
	var c Contact
	err := s.pool.QueryRow(ctx, `SELECT id, name, tier, tags, merged_into, created_at FROM contacts WHERE id = $1`, id).
		Scan(&c.ID, &c.Name, &c.Tier, &c.Tags, &c.MergedInto, &c.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("inbox: contact %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("inbox: contact %d: %w", id, err)
	}
	if c.MergedInto != nil {
		return s.GetContact(ctx, *c.MergedInto)
	}
	rows, err := s.pool.Query(ctx, `SELECT id, contact_id, kind, address, verified FROM contact_identities
		WHERE contact_id = $1 ORDER BY id`, c.ID)
	if err != nil {
		return c, fmt.Errorf("inbox: contact identities: %w", err)
	}
	c.Identities, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Identity, error) {
		var i Identity
		err := r.Scan(&i.ID, &i.ContactID, &i.Kind, &i.Address, &i.Verified)
		return i, err
	})
	if err != nil {
		return c, fmt.Errorf("inbox: contact identities: %w", err)
	}
	return c, nil
}

// ContactByIdentity returns the contact holding a normalized address, or ErrNotFound.
func (s *Store) ContactByIdentity(ctx context.Context, kind IdentityKind, address string) (Contact, error) {
	addr, err := NormalizeIdentity(kind, address, s.region)
	if err != nil {
		return Contact{}, fmt.Errorf("inbox: contact by identity: %w", err)
	}
	var id int64
	err = s.pool.QueryRow(ctx, `SELECT contact_id FROM contact_identities WHERE kind = $1 AND address = $2`, kind, addr).Scan(&id)
	if err != nil {
		return Contact{}, fmt.Errorf("inbox: contact by identity: %w", notFound(err))
	}
	return s.GetContact(ctx, id)
}

// Merge folds other into keep: other's identities, conversations and messages move to keep,
// tags are united, and other remains only as a pointer (merged_into) so old links still resolve.
// One customer known by email, phone and chat becomes one timeline; their next message threads
// into keep's open conversation whatever the channel. Merging a contact into itself, or one
// already merged, is ErrConflict.
func (s *Store) Merge(ctx context.Context, keep, other int64, by Actor) (Contact, error) {
	err := s.InTx(ctx, func(tx pgx.Tx) error { return s.MergeTx(ctx, tx, keep, other, by) })
	if err != nil {
		return Contact{}, err
	}
	return s.GetContact(ctx, keep)
}

// MergeTx is Merge in the caller's transaction.
func (s *Store) MergeTx(ctx context.Context, tx pgx.Tx, keep, other int64, by Actor) error {
	if keep == other {
		return fmt.Errorf("inbox: merge: a contact cannot merge into itself: %w", ErrConflict)
	}
	// Lock both in id order so two opposite merges cannot deadlock; conversations and messages
	// after them, as the lock order wants (see the package doc).
	rows, err := tx.Query(ctx, `SELECT id, merged_into IS NOT NULL FROM contacts WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE`,
		[]int64{keep, other})
	if err != nil {
		return fmt.Errorf("inbox: merge: lock: %w", err)
	}
	merged := map[int64]bool{}
	for rows.Next() {
		var id int64
		var m bool
		if err := rows.Scan(&id, &m); err != nil {
			rows.Close()
			return fmt.Errorf("inbox: merge: lock: %w", err)
		}
		merged[id] = m
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("inbox: merge: lock: %w", err)
	}
	for _, id := range []int64{keep, other} {
		m, ok := merged[id]
		if !ok {
			return fmt.Errorf("inbox: merge: contact %d: %w", id, ErrNotFound)
		}
		if m {
			return fmt.Errorf("inbox: merge: contact %d was already merged: %w", id, ErrConflict)
		}
	}
	// other's conversations in id order, as the lock order wants, before the UPDATE below
	// takes them in an order of its own.
	if _, err := tx.Exec(ctx, `SELECT 1 FROM conversations WHERE contact_id = $1 ORDER BY id FOR NO KEY UPDATE`, other); err != nil {
		return fmt.Errorf("inbox: merge: lock conversations: %w", err)
	}
	now := s.now()
	steps := []struct{ what, sql string }{
		{"identities", `UPDATE contact_identities SET contact_id = $1 WHERE contact_id = $2`},
		{"conversations", `UPDATE conversations SET contact_id = $1 WHERE contact_id = $2`},
		{"messages", `UPDATE messages SET contact_id = $1 WHERE contact_id = $2`},
		{"events", `UPDATE conversation_events SET contact_id = $1 WHERE contact_id = $2`},
		{"contact", `UPDATE contacts k SET
			name = CASE WHEN k.name = '' THEN o.name ELSE k.name END,
			tier = CASE WHEN k.tier = '' THEN o.tier ELSE k.tier END,
			tags = (SELECT coalesce(array_agg(DISTINCT t ORDER BY t), '{}') FROM unnest(k.tags || o.tags) t),
			updated_at = $3
			FROM contacts o WHERE k.id = $1 AND o.id = $2`},
		{"mark", `UPDATE contacts SET merged_into = $1, updated_at = $3 WHERE id = $2`},
	}
	for _, st := range steps {
		args := []any{keep, other}
		if st.what == "contact" || st.what == "mark" {
			args = append(args, now)
		}
		if _, err := tx.Exec(ctx, st.sql, args...); err != nil {
			return fmt.Errorf("inbox: merge: %s: %w", st.what, err)
		}
	}
	if err := audit(ctx, tx, auditEntry{contactID: &keep, agentID: nonZero(by.AgentID), actor: by.kind(),
		kind: "merge", data: map[string]any{"merged": other}, at: now}); err != nil {
		return err
	}
	who, err := auditAgent(ctx, tx, by.AgentID)
	if err != nil {
		return fmt.Errorf("inbox: merge: %w", err)
	}
	rec := who.Record(AuditContactsMerged, AuditTarget("contact", keep), map[string]any{"merged": other})
	rec.At = now
	if err := s.RecordAuditTx(ctx, tx, rec); err != nil {
		return err
	}
	return s.Publish(ctx, tx, Event{Type: EventContactMerged, ContactID: keep, AgentID: by.AgentID,
		Data: map[string]any{"merged": other}, At: now})
}
