package inbox

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// Bounds of a contact's profile fields.
const (
	maxContactName  = 200
	maxContactTier  = 50
	maxContactTags  = 30
	maxContactTag   = 50
	maxContactNotes = 10000
)

// AuditContactChanged is the audit kind of a change to a contact's profile.
const AuditContactChanged = "contact.changed"

// ContactPatch is a change to a contact's profile; nil fields stay as they are.
type ContactPatch struct {
	Name  *string   `json:"name"`
	Tier  *string   `json:"tier"`
	Tags  *[]string `json:"tags"`
	Notes *string   `json:"notes"`
	// Attributes sets the named custom attributes (AttributeDef); null or "" removes one, the
	// others stay.
	Attributes map[string]any `json:"attributes"`
	// CompanyID puts the contact in a company; 0 takes them out of theirs.
	CompanyID *int64 `json:"company_id"`
}

// normalize trims and checks the patch's fields; it returns a *ValidationError.
func (p *ContactPatch) normalize() error {
	if p.Name != nil {
		n := strings.TrimSpace(clean(*p.Name))
		if utf8.RuneCountInString(n) > maxContactName {
			return invalid("name", "at most %d characters", maxContactName)
		}
		p.Name = &n
	}
	if p.Tier != nil {
		t := strings.ToLower(strings.TrimSpace(*p.Tier))
		if len(t) > maxContactTier {
			return invalid("tier", "at most %d characters", maxContactTier)
		}
		p.Tier = &t
	}
	if p.Tags != nil {
		tags := []string{}
		for _, t := range *p.Tags {
			t = strings.ToLower(strings.TrimSpace(t))
			if t == "" {
				continue
			}
			if len(t) > maxContactTag {
				return invalid("tags", "each at most %d characters", maxContactTag)
			}
			if !slices.Contains(tags, t) {
				tags = append(tags, t)
			}
		}
		if len(tags) > maxContactTags {
			return invalid("tags", "at most %d", maxContactTags)
		}
		slices.Sort(tags)
		p.Tags = &tags
	}
	if p.Notes != nil {
		n := clean(*p.Notes)
		if len(n) > maxContactNotes {
			return invalid("notes", "at most %d characters", maxContactNotes)
		}
		p.Notes = &n
	}
	if p.CompanyID != nil && *p.CompanyID < 0 {
		return invalid("company_id", "must be a company id, or 0 for none")
	}
	return nil
}

// UpdateContact changes the profile of a contact the viewer may see (one of their
// conversations is visible) and records the change in the audit log, in one transaction. A
// merged or erased contact is ErrConflict; bad fields, an undefined attribute or an unknown
// company are ErrInvalid; an invisible or missing contact is ErrNotFound.
func (sc Scope) UpdateContact(ctx context.Context, id int64, p ContactPatch, by AuditActor) (Contact, error) {
	if err := p.normalize(); err != nil {
		return Contact{}, fmt.Errorf("inbox: update contact: %w", err)
	}
	err := sc.s.Audited(ctx, func(tx pgx.Tx) (AuditRecord, error) {
		var merged, erased bool
		var attrs map[string]any
		err := tx.QueryRow(ctx, `SELECT merged_into IS NOT NULL, erased_at IS NOT NULL, attributes FROM contacts WHERE id = $1 FOR NO KEY UPDATE`, id).
			Scan(&merged, &erased, &attrs)
		if errors.Is(err, pgx.ErrNoRows) {
			return AuditRecord{}, hidden("contact", id)
		}
		if err != nil {
			return AuditRecord{}, fmt.Errorf("inbox: update contact: %w", err)
		}
		ok, err := sc.seesContacts(ctx, tx, []int64{id}, false)
		if err != nil {
			return AuditRecord{}, err
		}
		if !ok {
			return AuditRecord{}, hidden("contact", id)
		}
		if merged || erased {
			return AuditRecord{}, fmt.Errorf("inbox: update contact %d: merged or erased: %w", id, ErrConflict)
		}
		changed := []string{}
		if p.Attributes != nil {
			defs, err := attributeDefs(ctx, tx, AttrContact)
			if err != nil {
				return AuditRecord{}, err
			}
			if attrs, err = applyAttributes(defs, attrs, p.Attributes); err != nil {
				return AuditRecord{}, fmt.Errorf("inbox: update contact: %w", err)
			}
			changed = append(changed, "attributes")
		}
		var company *int64
		if p.CompanyID != nil {
			changed = append(changed, "company")
			if *p.CompanyID != 0 {
				company = p.CompanyID
			}
		}
		for _, f := range []struct {
			name string
			set  bool
		}{{"name", p.Name != nil}, {"tier", p.Tier != nil}, {"tags", p.Tags != nil}, {"notes", p.Notes != nil}} {
			if f.set {
				changed = append(changed, f.name)
			}
		}
		_, err = tx.Exec(ctx, `UPDATE contacts SET
			name = coalesce($2, name), tier = coalesce($3, tier), tags = coalesce($4, tags), notes = coalesce($5, notes),
			attributes = $6, company_id = CASE WHEN $7 THEN $8 ELSE company_id END, updated_at = $9
			WHERE id = $1`, id, p.Name, p.Tier, p.Tags, p.Notes, attrs, p.CompanyID != nil, company, sc.s.now())
		if err != nil {
			return AuditRecord{}, fmt.Errorf("inbox: update contact: %w", notFoundFK(err, "company_id"))
		}
		// Announced with the fields only (no values): the SLA clocks of the contact's open
		// conversations follow a new tier or company, and open screens refresh the profile.
		if err := sc.s.Publish(ctx, tx, Event{Type: EventContactUpdated, ContactID: id,
			Data: map[string]any{"fields": changed}, At: sc.s.now()}); err != nil {
			return AuditRecord{}, err
		}
		return by.Record(AuditContactChanged, AuditTarget("contact", id), map[string]any{"fields": changed}), nil
	})
	if err != nil {
		return Contact{}, err
	}
	return sc.s.GetContact(ctx, id)
}
