package inbox

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/nyaruka/phonenumbers"
)

// Reasons a contact may be the same customer as another (Duplicate.Reason).
const (
	// DupMailbox: an email address of theirs is the same mailbox written another way: another
	// "+tag", or for Gmail other dots or googlemail.com (migration 130's contact_email_key).
	DupMailbox = "same_mailbox"
	// DupPhone: a phone number of theirs has the same national number under another country
	// code (typically a number written without one and read in the default region).
	DupPhone = "same_national_number"
	// DupNameDomain: the same name, and an email address at the same domain (never a free-mail
	// one: two John Smiths at gmail.com are not evidence).
	DupNameDomain = "same_name_and_domain"
)

// maxDuplicates caps the suggestions of one contact.
const maxDuplicates = 10

// Duplicate is another contact who may be the same customer, and why.
type Duplicate struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Email  string `json:"email,omitempty"`
	Phone  string `json:"phone,omitempty"`
	Reason string `json:"reason"`
	// Address is the other contact's address that matched (for the name rule, the email at the
	// same domain).
	Address string `json:"address"`
}

// Duplicates suggests up to ten contacts the viewer may see who may be the same customer as
// contact id (which the viewer must see; ErrNotFound otherwise): see DupMailbox, DupPhone and
// DupNameDomain. Every lookup goes through an index of migration 130, so it stays fast however
// many contacts there are. Merged and erased contacts are never suggested.
func (sc Scope) Duplicates(ctx context.Context, id int64) ([]Duplicate, error) {
	c, err := sc.GetContact(ctx, id)
	if err != nil {
		return nil, err
	}
	var emails, domains, nationals []string
	for _, i := range c.Identities {
		switch i.Kind {
		case IdentityEmail:
			emails = append(emails, i.Address)
			if d := i.Address[strings.LastIndexByte(i.Address, '@')+1:]; !FreeMail(d) && !slices.Contains(domains, d) {
				domains = append(domains, d)
			}
		case IdentityPhone:
			if n := nationalNumber(i.Address); len(n) >= 6 {
				nationals = append(nationals, n)
			}
		}
	}
	var args []any
	arg := func(x any) string {
		args = append(args, x)
		return "$" + strconv.Itoa(len(args))
	}
	self := arg(c.ID)
	// Each source is a bounded lookup through one index, and each candidate is then read by its
	// own keys (LATERAL), so that no plan, whatever the statistics say, joins two indexes' whole
	// ranges: with a fresh table's missing statistics a plain join was planned as a nested loop
	// over every address of a domain for every contact of a name. (OFFSET 0 keeps the domain
	// test out of the inner scan, which then reads the contact's few addresses by contact_id.)
	var parts []string
	for _, e := range emails {
		parts = append(parts, `(SELECT i.contact_id, '`+DupMailbox+`' AS reason, i.address AS address FROM contact_identities i
			WHERE i.kind = 'email' AND contact_email_key(i.address) = contact_email_key(`+arg(e)+`::text) AND i.contact_id <> `+self+` LIMIT 50)`)
	}
	for _, n := range nationals {
		parts = append(parts, `(SELECT i.contact_id, '`+DupPhone+`' AS reason, i.address AS address FROM contact_identities i
			WHERE i.kind = 'phone' AND reverse(i.address) LIKE `+arg(reverse(n)+"%")+` AND i.contact_id <> `+self+` LIMIT 50)`)
	}
	if c.Name != "" && len(domains) > 0 {
		parts = append(parts, `(SELECT k.id AS contact_id, '`+DupNameDomain+`' AS reason, x.address AS address
			FROM (SELECT k.id FROM contacts k WHERE lower(k.name) = lower(`+arg(c.Name)+`) AND k.merged_into IS NULL AND k.name <> ''
				AND k.id <> `+self+` LIMIT 500) k
			CROSS JOIN LATERAL (SELECT ii.address FROM (SELECT i.kind, i.address FROM contact_identities i WHERE i.contact_id = k.id OFFSET 0) ii
				WHERE ii.kind = 'email' AND split_part(ii.address, '@', 2) = ANY(`+arg(domains)+`::text[]) LIMIT 1) x LIMIT 50)`)
	}
	if len(parts) == 0 {
		return []Duplicate{}, nil
	}
	visible := ""
	if !sc.v.All {
		visible = " AND EXISTS (SELECT 1 FROM conversations c WHERE c.contact_id = k.id AND " + sc.v.where("c", arg) + ")"
	}
	// Planned with its values (as the contact list is): a generic plan cannot use the suffix
	// index for LIKE $n.
	rows, err := sc.s.pool.Query(ctx, `WITH h AS MATERIALIZED (`+strings.Join(parts, " UNION ALL ")+`)
		SELECT k.id, k.name, coalesce(ids.email, ''), coalesce(ids.phone, ''), h.reason, h.address
		FROM h CROSS JOIN LATERAL (SELECT k.id, k.name FROM contacts k WHERE k.id = h.contact_id
			AND k.merged_into IS NULL AND k.erased_at IS NULL`+visible+`) k
		LEFT JOIN LATERAL (SELECT min(i.address) FILTER (WHERE i.kind = 'email') AS email, min(i.address) FILTER (WHERE i.kind = 'phone') AS phone
			FROM contact_identities i WHERE i.contact_id = k.id) ids ON true
		ORDER BY k.id DESC`, append([]any{pgx.QueryExecModeExec}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("inbox: duplicates of contact %d: %w", id, err)
	}
	found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Duplicate, error) {
		var d Duplicate
		err := r.Scan(&d.ID, &d.Name, &d.Email, &d.Phone, &d.Reason, &d.Address)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: duplicates of contact %d: %w", id, err)
	}
	out := []Duplicate{}
	for _, d := range found {
		if d.Reason == DupPhone && !slices.Contains(nationals, nationalNumber(d.Address)) {
			continue // a longer number that merely ends with this one
		}
		if slices.ContainsFunc(out, func(o Duplicate) bool { return o.ID == d.ID }) {
			continue // one suggestion per contact, for its first reason
		}
		if out = append(out, d); len(out) == maxDuplicates {
			break
		}
	}
	return out, nil
}

// nationalNumber is the national significant number of an E.164 phone number ("" when it does
// not parse).
func nationalNumber(e164 string) string {
	n, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return ""
	}
	return phonenumbers.GetNationalSignificantNumber(n)
}

func reverse(s string) string {
	b := []byte(s)
	slices.Reverse(b)
	return string(b)
}
