package inbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// AuditContactsImported is the audit kind of a contact import.
const AuditContactsImported = "contacts.imported"

// ImportContacts reads a contact CSV (see parseImport for its columns) and matches each row to
// the contacts by its email and phone: a row matching nobody creates a contact (its addresses
// claimed, not verified), a row matching one contact updates it (a non-empty cell sets the
// field, tags are added, addresses it lacks are added, nothing is removed), and a row whose
// email and phone belong to two contacts merges the phone's into the email's (undoable, as any
// merge) and then updates it. A company named that does not exist is created. Each contact may
// be on one row only.
//
// With dryRun nothing changes: the report says what the import would do. Otherwise the whole
// file is imported in one transaction and audited, or, when any row is refused (the report's
// Errors), nothing is, and the error is ErrInvalid with the report beside it. A file that is not
// CSV is a *ValidationError; more than MaxImportRows rows ErrTooManyRows; contacts merged by
// someone else during the import ErrConflict.
func (s *Store) ImportContacts(ctx context.Context, r io.Reader, dryRun bool, by AuditActor) (ImportReport, error) {
	defs, err := s.AttributeDefs(ctx, AttrContact)
	if err != nil {
		return ImportReport{}, err
	}
	lines, errs, err := parseImport(r, defs, s.region)
	if err != nil {
		return ImportReport{}, fmt.Errorf("inbox: import: %w", err)
	}
	var rep ImportReport
	run := func(tx pgx.Tx) error {
		rep = ImportReport{DryRun: dryRun, Rows: len(lines), Errors: append([]ImportError{}, errs...), Results: []ImportResult{}, NewCompanies: []string{}}
		if err := planImport(ctx, tx, lines, &rep); err != nil {
			return err
		}
		if dryRun || len(rep.Errors) > 0 {
			return nil
		}
		return s.applyImport(ctx, tx, lines, &rep, by)
	}
	if dryRun {
		err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, run)
	} else {
		err = s.Audited(ctx, func(tx pgx.Tx) (AuditRecord, error) {
			if err := run(tx); err != nil {
				return AuditRecord{}, err
			}
			if len(rep.Errors) > 0 {
				return AuditRecord{}, errImportRefused
			}
			return by.Record(AuditContactsImported, "", map[string]any{"rows": rep.Rows, "created": rep.Created,
				"updated": rep.Updated, "merged": rep.Merged, "companies": len(rep.NewCompanies)}), nil
		})
	}
	slices.SortStableFunc(rep.Errors, func(a, b ImportError) int { return a.Row - b.Row })
	if errors.Is(err, errImportRefused) {
		return rep, fmt.Errorf("inbox: import: %d rows refused: %w", len(rep.Errors), ErrInvalid)
	}
	if err != nil {
		return rep, fmt.Errorf("inbox: import: %w", err)
	}
	return rep, nil
}

// errImportRefused rolls back an import with refused rows.
var errImportRefused = errors.New("rows refused")

// planImport fills rep's results: each row's action by the contacts holding its email and
// phone, and the companies to create; a contact on two rows refuses the second.
func planImport(ctx context.Context, tx pgx.Tx, lines []importLine, rep *ImportReport) error {
	var kinds, addrs, companies []string
	for _, l := range lines {
		for _, id := range []Identity{{Kind: IdentityEmail, Address: l.email}, {Kind: IdentityPhone, Address: l.phone}} {
			if id.Address != "" {
				kinds, addrs = append(kinds, string(id.Kind)), append(addrs, id.Address)
			}
		}
		if l.company != "" {
			companies = append(companies, strings.ToLower(l.company))
		}
	}
	owner := map[string]int64{}
	// One lookup through the (kind, address) index per address (LATERAL, LIMIT 1): never a join
	// a plan could make a scan of every identity.
	rows, err := tx.Query(ctx, `SELECT x.kind, x.address, i.contact_id FROM unnest($1::text[], $2::text[]) x(kind, address)
		CROSS JOIN LATERAL (SELECT contact_id FROM contact_identities WHERE kind = x.kind AND address = x.address LIMIT 1) i`, kinds, addrs)
	if err != nil {
		return fmt.Errorf("identities: %w", err)
	}
	for rows.Next() {
		var kind, addr string
		var id int64
		if err := rows.Scan(&kind, &addr, &id); err != nil {
			rows.Close()
			return fmt.Errorf("identities: %w", err)
		}
		owner[kind+":"+addr] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("identities: %w", err)
	}
	known := map[string]bool{}
	rows, err = tx.Query(ctx, `SELECT lower(name) FROM companies WHERE lower(name) = ANY($1::text[])`, companies)
	if err != nil {
		return fmt.Errorf("companies: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("companies: %w", err)
	}
	for _, n := range names {
		known[n] = true
	}
	tagsOf, err := contactTags(ctx, tx, owner)
	if err != nil {
		return err
	}
	touched := map[int64]int{} // contact -> its row
	for _, l := range lines {
		e, p := owner["email:"+l.email], owner["phone:"+l.phone]
		res := ImportResult{Row: l.row, Action: ImportCreate, Email: l.email, Phone: l.phone}
		switch {
		case e != 0 && p != 0 && e != p:
			res.Action, res.ContactID, res.MergedID = ImportMerge, e, p
		case e != 0 || p != 0:
			res.Action, res.ContactID = ImportUpdate, max(e, p)
		}
		clash := false
		for _, id := range []int64{res.ContactID, res.MergedID} {
			if first, ok := touched[id]; ok && id != 0 {
				rep.Errors = append(rep.Errors, ImportError{Row: l.row, Field: "email",
					Message: fmt.Sprintf("contact #%d is also on row %d: one row per contact", id, first)})
				clash = true
			}
		}
		if clash {
			continue
		}
		if res.Action != ImportCreate && len(l.tags) > 0 {
			// Tags are added to the contact's (and, merging, the other's): the sum keeps the cap.
			all := slices.Concat(tagsOf[res.ContactID], tagsOf[res.MergedID], l.tags)
			slices.Sort(all)
			if n := len(slices.Compact(all)); n > maxContactTags {
				rep.Errors = append(rep.Errors, ImportError{Row: l.row, Field: "tags",
					Message: fmt.Sprintf("contact #%d would have %d tags with these; a contact has at most %d", res.ContactID, n, maxContactTags)})
				continue
			}
		}
		for _, id := range []int64{res.ContactID, res.MergedID} {
			if id != 0 {
				touched[id] = l.row
			}
		}
		if c := strings.ToLower(l.company); c != "" && !known[c] {
			known[c] = true
			rep.NewCompanies = append(rep.NewCompanies, l.company)
		}
		rep.Results = append(rep.Results, res)
		switch res.Action {
		case ImportCreate:
			rep.Created++
		case ImportUpdate:
			rep.Updated++
		case ImportMerge:
			rep.Merged++
		}
	}
	return nil
}

// contactTags reads the tags of the contacts holding the file's addresses (owner's values).
func contactTags(ctx context.Context, tx pgx.Tx, owner map[string]int64) (map[int64][]string, error) {
	ids := make([]int64, 0, len(owner))
	for _, id := range owner {
		ids = append(ids, id)
	}
	rows, err := tx.Query(ctx, `SELECT id, tags FROM contacts WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("contact tags: %w", err)
	}
	out := make(map[int64][]string, len(ids))
	var id int64
	var tags []string
	_, err = pgx.ForEachRow(rows, []any{&id, &tags}, func() error {
		out[id] = tags
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("contact tags: %w", err)
	}
	return out, nil
}

// applyImport carries out a plan without refusals in tx: it locks the contacts it changes (in id
// order, as the lock order wants), creates the new companies, runs the merges, then creates and
// updates the contacts in one round trip.
func (s *Store) applyImport(ctx context.Context, tx pgx.Tx, lines []importLine, rep *ImportReport, by AuditActor) error {
	var ids []int64
	for _, res := range rep.Results {
		for _, id := range []int64{res.ContactID, res.MergedID} {
			if id != 0 {
				ids = append(ids, id)
			}
		}
	}
	slices.Sort(ids)
	var live int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM (SELECT id FROM contacts WHERE id = ANY($1) AND merged_into IS NULL AND erased_at IS NULL
		ORDER BY id FOR NO KEY UPDATE) k`, ids).Scan(&live); err != nil {
		return fmt.Errorf("lock contacts: %w", err)
	}
	if live != len(ids) {
		return fmt.Errorf("contacts were merged or erased meanwhile; import again: %w", ErrConflict)
	}
	company := map[string]int64{}
	if len(rep.NewCompanies) > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO companies (name) SELECT unnest($1::text[]) ON CONFLICT ((lower(name))) DO NOTHING`, rep.NewCompanies); err != nil {
			return fmt.Errorf("companies: %w", err)
		}
	}
	var names []string
	for _, l := range lines {
		if l.company != "" {
			names = append(names, strings.ToLower(l.company))
		}
	}
	rows, err := tx.Query(ctx, `SELECT lower(name), id FROM companies WHERE lower(name) = ANY($1::text[])`, names)
	if err != nil {
		return fmt.Errorf("companies: %w", err)
	}
	for rows.Next() {
		var n string
		var id int64
		if err := rows.Scan(&n, &id); err != nil {
			rows.Close()
			return fmt.Errorf("companies: %w", err)
		}
		company[n] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("companies: %w", err)
	}
	for _, res := range rep.Results {
		if res.Action == ImportMerge {
			if _, err := s.mergeTx(ctx, tx, res.ContactID, res.MergedID, Actor{AgentID: by.AgentID}); err != nil {
				return fmt.Errorf("row %d: %w", res.Row, err)
			}
		}
	}
	now := s.now()
	b := &pgx.Batch{}
	for i, res := range rep.Results {
		l := lines[slices.IndexFunc(lines, func(l importLine) bool { return l.row == res.Row })]
		var kinds, addrs []string
		for _, id := range []Identity{{Kind: IdentityEmail, Address: l.email}, {Kind: IdentityPhone, Address: l.phone}} {
			if id.Address != "" {
				kinds, addrs = append(kinds, string(id.Kind)), append(addrs, id.Address)
			}
		}
		var co *int64
		if id, ok := company[strings.ToLower(l.company)]; ok {
			co = &id
		}
		tags, attrs := l.tags, l.attrs
		if tags == nil {
			tags = []string{}
		}
		if attrs == nil {
			attrs = map[string]any{}
		}
		if res.Action == ImportCreate {
			// The identities go in after the contact, so that the company trigger of migration
			// 090 puts a contact with no company given into their email domain's.
			b.Queue(`WITH k AS (INSERT INTO contacts (name, tier, tags, notes, attributes, company_id, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id),
				i AS (INSERT INTO contact_identities (contact_id, kind, address, verified, created_at)
				SELECT k.id, x.kind, x.address, false, $7 FROM k, unnest($8::text[], $9::text[]) x(kind, address)
				ON CONFLICT (kind, address) DO NOTHING)
				SELECT id FROM k`, l.name, l.tier, tags, l.notes, attrs, co, now, kinds, addrs).
				QueryRow(func(r pgx.Row) error { return r.Scan(&rep.Results[i].ContactID) })
			continue
		}
		b.Queue(`WITH k AS (UPDATE contacts SET name = CASE WHEN $2 <> '' THEN $2 ELSE name END,
				tier = CASE WHEN $3 <> '' THEN $3 ELSE tier END,
				tags = (SELECT coalesce(array_agg(DISTINCT t ORDER BY t), '{}') FROM unnest(tags || $4::text[]) t),
				notes = CASE WHEN $5 <> '' THEN $5 ELSE notes END,
				attributes = attributes || $6, company_id = coalesce($7, company_id), updated_at = $8
				WHERE id = $1 RETURNING id)
			INSERT INTO contact_identities (contact_id, kind, address, verified, created_at)
			SELECT k.id, x.kind, x.address, false, $8 FROM k, unnest($9::text[], $10::text[]) x(kind, address)
			ON CONFLICT (kind, address) DO NOTHING`, res.ContactID, l.name, l.tier, tags, l.notes, attrs, co, now, kinds, addrs)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("contacts: %w", err)
	}
	return checkImportedAddresses(ctx, tx, rep)
}

// checkImportedAddresses makes sure every address of the file now belongs to its row's contact.
// An address taken meanwhile (a message from it made a contact after the plan was read; the
// identity inserts skip it) is ErrConflict, rolling the import back rather than leaving a
// contact without the address its row gave it.
func checkImportedAddresses(ctx context.Context, tx pgx.Tx, rep *ImportReport) error {
	var kinds, addrs []string
	var contacts []int64
	var rowsOf []int
	for _, res := range rep.Results {
		for _, id := range []Identity{{Kind: IdentityEmail, Address: res.Email}, {Kind: IdentityPhone, Address: res.Phone}} {
			if id.Address != "" {
				kinds, addrs = append(kinds, string(id.Kind)), append(addrs, id.Address)
				contacts, rowsOf = append(contacts, res.ContactID), append(rowsOf, res.Row)
			}
		}
	}
	var row int
	var addr string
	err := tx.QueryRow(ctx, `SELECT x.row, x.address FROM unnest($1::text[], $2::text[], $3::bigint[], $4::int[]) x(kind, address, contact, row)
		LEFT JOIN LATERAL (SELECT contact_id FROM contact_identities WHERE kind = x.kind AND address = x.address LIMIT 1) i ON true
		WHERE i.contact_id IS DISTINCT FROM x.contact ORDER BY x.row LIMIT 1`, kinds, addrs, contacts, rowsOf).Scan(&row, &addr)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check addresses: %w", err)
	}
	return fmt.Errorf("row %d: %s was taken by another contact meanwhile; import again: %w", row, addr, ErrConflict)
}
