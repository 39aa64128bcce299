package inbox

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// AuditCompanyChanged is the audit kind of a company created or changed.
const AuditCompanyChanged = "company.changed"

//go:embed freemail.txt
var freemailList string

// FreeMail reports whether domain is a free-mail provider's (gmail.com, outlook.com, ...): a
// company never holds one, so nobody joins a company by such an address.
func FreeMail(domain string) bool {
	return slices.Contains(strings.Fields(freemailList), strings.ToLower(domain))
}

// Company is an organization customers belong to. A contact joins the company of their email
// address's domain on their first message from it (never for a free-mail domain), or by hand.
type Company struct {
	ID         int64          `json:"id"`
	Name       string         `json:"name"`
	Domains    []string       `json:"domains"`
	Tier       string         `json:"tier"`
	Attributes map[string]any `json:"attributes"`
	CreatedAt  time.Time      `json:"created_at"`
}

// CompanyPatch creates or changes a company; nil fields stay as they are.
type CompanyPatch struct {
	Name    *string   `json:"name"`
	Domains *[]string `json:"domains"`
	Tier    *string   `json:"tier"`
	// Attributes sets the named company attributes; null or "" removes one.
	Attributes map[string]any `json:"attributes"`
}

func (p *CompanyPatch) normalize(create bool) error {
	if p.Name != nil {
		n := strings.TrimSpace(clean(*p.Name))
		if n == "" || len(n) > maxContactName {
			return invalid("name", "1 to %d characters", maxContactName)
		}
		p.Name = &n
	} else if create {
		return invalid("name", "required")
	}
	if p.Tier != nil {
		t := strings.ToLower(strings.TrimSpace(*p.Tier))
		if len(t) > maxContactTier {
			return invalid("tier", "at most %d characters", maxContactTier)
		}
		p.Tier = &t
	}
	if p.Domains != nil {
		ds := []string{}
		for _, d := range *p.Domains {
			d = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(d)), "@")
			if d == "" {
				continue
			}
			if !strings.Contains(d, ".") || len(d) > 253 || strings.Trim(d, "abcdefghijklmnopqrstuvwxyz0123456789.-") != "" {
				return invalid("domains", "%q is not a domain", d)
			}
			if FreeMail(d) {
				return invalid("domains", "%s is a free-mail domain: its users are not one company", d)
			}
			if !slices.Contains(ds, d) {
				ds = append(ds, d)
			}
		}
		if len(ds) > 50 {
			return invalid("domains", "at most 50")
		}
		slices.Sort(ds)
		p.Domains = &ds
	}
	return nil
}

const companyCols = `id, name, domains, tier, attributes, created_at`

func scanCompany(r pgx.Row) (Company, error) {
	var c Company
	err := r.Scan(&c.ID, &c.Name, &c.Domains, &c.Tier, &c.Attributes, &c.CreatedAt)
	return c, err
}

// Companies lists up to 500 companies by name; with text, those whose name starts with it.
func (s *Store) Companies(ctx context.Context, text string) ([]Company, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+companyCols+` FROM companies
		WHERE $1 = '' OR lower(name) LIKE $1 || '%' ORDER BY lower(name) LIMIT 500`,
		strings.NewReplacer("%", "", "_", "", "\\", "").Replace(strings.ToLower(strings.TrimSpace(text))))
	if err != nil {
		return nil, fmt.Errorf("inbox: companies: %w", err)
	}
	cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Company, error) { return scanCompany(r) })
	if err != nil {
		return nil, fmt.Errorf("inbox: companies: %w", err)
	}
	return cs, nil
}

// GetCompany returns one company, or ErrNotFound.
func (s *Store) GetCompany(ctx context.Context, id int64) (Company, error) {
	c, err := scanCompany(s.pool.QueryRow(ctx, `SELECT `+companyCols+` FROM companies WHERE id = $1`, id))
	if err != nil {
		return Company{}, fmt.Errorf("inbox: company %d: %w", id, notFound(err))
	}
	return c, nil
}

// SaveCompany creates a company (id 0) or changes one, audited, and puts the contacts known by
// an address at one of its domains, and in no company yet, into it. A name another company has
// is ErrConflict; bad fields or a free-mail domain are ErrInvalid; an unknown id ErrNotFound.
func (s *Store) SaveCompany(ctx context.Context, id int64, p CompanyPatch, by AuditActor) (Company, error) {
	if err := p.normalize(id == 0); err != nil {
		return Company{}, fmt.Errorf("inbox: company: %w", err)
	}
	err := s.Audited(ctx, func(tx pgx.Tx) (AuditRecord, error) {
		attrs := map[string]any{}
		if id == 0 {
			if err := tx.QueryRow(ctx, `INSERT INTO companies (name) VALUES ($1) RETURNING id`, *p.Name).Scan(&id); err != nil {
				return AuditRecord{}, companyErr(err)
			}
		} else if err := tx.QueryRow(ctx, `SELECT attributes FROM companies WHERE id = $1 FOR NO KEY UPDATE`, id).Scan(&attrs); err != nil {
			return AuditRecord{}, fmt.Errorf("inbox: company %d: %w", id, notFound(err))
		}
		if p.Attributes != nil {
			defs, err := attributeDefs(ctx, tx, AttrCompany)
			if err != nil {
				return AuditRecord{}, err
			}
			if attrs, err = applyAttributes(defs, attrs, p.Attributes); err != nil {
				return AuditRecord{}, fmt.Errorf("inbox: company: %w", err)
			}
		}
		_, err := tx.Exec(ctx, `UPDATE companies SET name = coalesce($2, name), domains = coalesce($3, domains),
			tier = coalesce($4, tier), attributes = $5, updated_at = $6 WHERE id = $1`, id, p.Name, p.Domains, p.Tier, attrs, s.now())
		if err != nil {
			return AuditRecord{}, companyErr(err)
		}
		joined, err := tx.Exec(ctx, `UPDATE contacts k SET company_id = $1, updated_at = $2
			FROM companies co, contact_identities i
			WHERE co.id = $1 AND i.kind = 'email' AND split_part(i.address, '@', 2) = ANY(co.domains)
			  AND k.id = i.contact_id AND k.company_id IS NULL AND k.merged_into IS NULL AND k.erased_at IS NULL`, id, s.now())
		if err != nil {
			return AuditRecord{}, fmt.Errorf("inbox: company %d: join contacts: %w", id, err)
		}
		// Its contacts' SLA clocks follow a new tier, and those who just joined follow its tier.
		if p.Tier != nil || joined.RowsAffected() > 0 {
			if err := s.Publish(ctx, tx, Event{Type: EventCompanyUpdated, Data: map[string]any{"company_id": id,
				"tier": p.Tier != nil, "joined": joined.RowsAffected()}, At: s.now()}); err != nil {
				return AuditRecord{}, err
			}
		}
		return by.Record(AuditCompanyChanged, AuditTarget("company", id), map[string]any{"joined": joined.RowsAffected()}), nil
	})
	if err != nil {
		return Company{}, err
	}
	return s.GetCompany(ctx, id)
}

func companyErr(err error) error {
	if isUniqueViolation(err) {
		return fmt.Errorf("inbox: company: another company has this name: %w", ErrConflict)
	}
	if errors.Is(err, ErrNotFound) {
		return err
	}
	return fmt.Errorf("inbox: company: %w", err)
}

// CompanyConversation is one conversation of a company's contact, for the company page.
type CompanyConversation struct {
	HistoryConversation
	ContactID   int64  `json:"contact_id"`
	ContactName string `json:"contact_name"`
}

// CompanyConversations returns the newest conversations (up to limit, at most 200) of a
// company's contacts that the viewer may see. Each contact's conversations are read through
// their own index (contact, id), newest first, so the cost grows with the company, not with the
// inbox.
func (sc Scope) CompanyConversations(ctx context.Context, companyID int64, limit int) ([]CompanyConversation, error) {
	if limit <= 0 || limit > maxHistory {
		limit = maxHistory
	}
	args := []any{companyID, limit}
	arg := func(x any) string {
		args = append(args, x)
		return "$" + strconv.Itoa(len(args))
	}
	visible := ""
	if !sc.v.All {
		visible = " AND " + sc.v.where("c", arg)
	}
	rows, err := sc.s.pool.Query(ctx, `SELECT c.id, c.channel, c.status, c.subject, c.category, c.created_at, c.last_activity_at, k.id, k.name
		FROM contacts k CROSS JOIN LATERAL (SELECT c.* FROM conversations c WHERE c.contact_id = k.id`+visible+` ORDER BY c.id DESC LIMIT $2) c
		WHERE k.company_id = $1 AND k.merged_into IS NULL AND k.erased_at IS NULL
		ORDER BY c.id DESC LIMIT $2`, args...)
	if err != nil {
		return nil, fmt.Errorf("inbox: company %d conversations: %w", companyID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (CompanyConversation, error) {
		var c CompanyConversation
		err := r.Scan(&c.ID, &c.Channel, &c.Status, &c.Subject, &c.Category, &c.CreatedAt, &c.LastActivityAt, &c.ContactID, &c.ContactName)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: company %d conversations: %w", companyID, err)
	}
	return out, nil
}
