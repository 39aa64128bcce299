package inbox

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// maxDuplicates caps the suggestions for one contact.
const maxDuplicates = 10

// Duplicate is another contact that may be the same customer, and why.
type Duplicate struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Reason string `json:"reason"` // "email" (the same address with a +tag) or "name" (the same name at a shared domain)
}

// Duplicates suggests contacts that may be the same customer as id: the same email address with
// or without a +tag (ann+shop@example.com and ann@example.com), or the same name with an email
// at the same (not free-mail) domain, among the newest 200 of that name. Only contacts the viewer may see are suggested; the
// contact itself must be visible (ErrNotFound otherwise).
func (sc Scope) Duplicates(ctx context.Context, id int64) ([]Duplicate, error) {
	c, err := sc.GetContact(ctx, id)
	if err != nil {
		return nil, err
	}
	var bases, prefixes, domains []string
	for _, i := range c.Identities {
		if i.Kind != IdentityEmail {
			continue
		}
		local, domain, ok := strings.Cut(i.Address, "@")
		if !ok {
			continue
		}
		base, _, _ := strings.Cut(local, "+")
		bases = append(bases, base+"@"+domain)
		prefixes = append(prefixes, strings.NewReplacer("%", `\%`, "_", `\_`, `\`, `\\`).Replace(base)+"+%@"+domain)
		if !FreeMail(domain) {
			domains = append(domains, domain)
		}
	}
	if len(bases) == 0 {
		return []Duplicate{}, nil
	}
	// Each +tag prefix is its own LIKE with its value planned in (QueryExecModeExec), so that
	// the address prefix index serves it.
	args := []any{pgx.QueryExecModeExec, c.ID, bases, c.Name, domains}
	var likes []string
	for _, p := range prefixes {
		args = append(args, p)
		likes = append(likes, fmt.Sprintf("SELECT i.contact_id, 'email' FROM contact_identities i WHERE i.kind = 'email' AND i.address LIKE $%d", len(args)-1))
	}
	rows, err := sc.s.pool.Query(ctx, `SELECT DISTINCT ON (k.id) k.id, k.name, d.reason FROM (
			SELECT i.contact_id, 'email' AS reason FROM contact_identities i WHERE i.kind = 'email' AND i.address = ANY($2)
			UNION ALL `+strings.Join(likes, " UNION ALL ")+`
			UNION ALL
			SELECT k2.id, 'name' FROM (SELECT k3.id FROM contacts k3 WHERE $3 <> '' AND to_tsvector('simple', k3.name) @@ plainto_tsquery('simple', $3)
				AND lower(k3.name) = lower($3) ORDER BY k3.id + 0 DESC LIMIT 200) k2
			WHERE EXISTS (SELECT 1 FROM contact_identities i WHERE i.contact_id = k2.id
					AND i.kind = 'email' AND split_part(i.address, '@', 2) = ANY($4))
		) d JOIN contacts k ON k.id = d.contact_id
		WHERE k.id <> $1 AND k.merged_into IS NULL AND k.erased_at IS NULL
		ORDER BY k.id, d.reason LIMIT `+fmt.Sprint(maxDuplicates), args...)
	if err != nil {
		return nil, fmt.Errorf("inbox: duplicates: %w", err)
	}
	found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Duplicate, error) {
		var d Duplicate
		err := r.Scan(&d.ID, &d.Name, &d.Reason)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: duplicates: %w", err)
	}
	out := []Duplicate{}
	for _, d := range found {
		ok, err := sc.seesContacts(ctx, sc.s.pool, []int64{d.ID}, false)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, d)
		}
	}
	return out, nil
}
