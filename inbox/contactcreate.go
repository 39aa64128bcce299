package inbox

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
)

// NewContact is a contact added by hand or by an integration (POST /api/v1/contacts): an email,
// a phone or both (claimed, not verified: nothing proved them), and the profile fields of
// ContactPatch.
type NewContact struct {
	Email string `json:"email"`
	Phone string `json:"phone"`
	ContactPatch
}

// CreateContact adds a contact, audited. Without an email and a phone, or with a bad field, it
// is ErrInvalid; an address another contact holds is ErrConflict (update or merge that one
// instead); an unknown company ErrInvalid. Given no company, the contact joins their email
// domain's, as a customer who writes does.
func (s *Store) CreateContact(ctx context.Context, n NewContact, by AuditActor) (Contact, error) {
	var ids []Identity
	for _, id := range []Identity{{Kind: IdentityEmail, Address: n.Email}, {Kind: IdentityPhone, Address: n.Phone}} {
		if id.Address == "" {
			continue
		}
		addr, err := NormalizeIdentity(id.Kind, id.Address, s.region)
		if err != nil {
			return Contact{}, fmt.Errorf("inbox: create contact: %w", err)
		}
		ids = append(ids, Identity{Kind: id.Kind, Address: addr})
	}
	if len(ids) == 0 {
		return Contact{}, fmt.Errorf("inbox: create contact: %w", invalid("email", "an email or a phone is required"))
	}
	p := n.ContactPatch
	if err := p.normalize(); err != nil {
		return Contact{}, fmt.Errorf("inbox: create contact: %w", err)
	}
	var id int64
	err := s.Audited(ctx, func(tx pgx.Tx) (AuditRecord, error) {
		// The identity locks an ingest takes, in the same (sorted) order: a message from one of
		// these addresses waits, then finds this contact.
		keys := make([]string, len(ids))
		for i, x := range ids {
			keys[i] = "identity:" + string(x.Kind) + ":" + x.Address
		}
		slices.Sort(keys)
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) k`, keys); err != nil {
			return AuditRecord{}, fmt.Errorf("inbox: create contact: lock: %w", err)
		}
		for _, x := range ids {
			var holder int64
			err := tx.QueryRow(ctx, `SELECT contact_id FROM contact_identities WHERE kind = $1 AND address = $2`, x.Kind, x.Address).Scan(&holder)
			if err == nil {
				return AuditRecord{}, fmt.Errorf("inbox: create contact: contact %d has %s %s: %w", holder, x.Kind, x.Address, ErrConflict)
			}
			if !errors.Is(err, pgx.ErrNoRows) {
				return AuditRecord{}, fmt.Errorf("inbox: create contact: %w", err)
			}
		}
		attrs := map[string]any{}
		if p.Attributes != nil {
			defs, err := attributeDefs(ctx, tx, AttrContact)
			if err != nil {
				return AuditRecord{}, err
			}
			if attrs, err = applyAttributes(defs, attrs, p.Attributes); err != nil {
				return AuditRecord{}, fmt.Errorf("inbox: create contact: %w", err)
			}
		}
		var company *int64
		if p.CompanyID != nil && *p.CompanyID != 0 {
			company = p.CompanyID
		}
		tags := []string{}
		if p.Tags != nil {
			tags = *p.Tags
		}
		str := func(v *string) string {
			if v == nil {
				return ""
			}
			return *v
		}
		now := s.now()
		if err := tx.QueryRow(ctx, `INSERT INTO contacts (name, tier, tags, notes, attributes, company_id, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`, str(p.Name), str(p.Tier), tags, str(p.Notes), attrs, company, now).Scan(&id); err != nil {
			return AuditRecord{}, fmt.Errorf("inbox: create contact: %w", notFoundFK(err, "company_id"))
		}
		for _, x := range ids {
			if _, err := tx.Exec(ctx, `INSERT INTO contact_identities (contact_id, kind, address, verified, created_at) VALUES ($1, $2, $3, false, $4)`,
				id, x.Kind, x.Address, now); err != nil {
				return AuditRecord{}, fmt.Errorf("inbox: create contact: identity: %w", err)
			}
		}
		return by.Record(AuditContactChanged, AuditTarget("contact", id), map[string]any{"created": true}), nil
	})
	if err != nil {
		return Contact{}, err
	}
	return s.GetContact(ctx, id)
}
