package inbox

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// MaxImportRows caps the data rows of one contact import: a bigger file is split.
const MaxImportRows = 5000

// ErrTooManyRows means a contact import has more than MaxImportRows data rows.
var ErrTooManyRows = errors.New("too many rows")

// Import actions (ImportResult.Action).
const (
	ImportCreate = "create" // no contact has the row's email or phone: a new one
	ImportUpdate = "update" // one contact has them: its profile changes
	ImportMerge  = "merge"  // the email's contact and the phone's differ: the phone's folds into the email's
)

// ImportReport is what a contact import did, or with DryRun what it would do. Rows are numbered
// as a spreadsheet shows them: the header is row 1, the first contact row 2.
type ImportReport struct {
	DryRun  bool `json:"dry_run"`
	Rows    int  `json:"rows"`
	Created int  `json:"created"`
	Updated int  `json:"updated"`
	Merged  int  `json:"merged"`
	// NewCompanies are the names in the company column that no company has yet: the import
	// creates them.
	NewCompanies []string       `json:"new_companies"`
	Results      []ImportResult `json:"results"`
	// Errors are the rows refused and why; an import with any is refused whole.
	Errors []ImportError `json:"errors"`
}

// ImportResult is what one row does.
type ImportResult struct {
	Row    int    `json:"row"`
	Action string `json:"action"`
	// ContactID is the contact updated, or kept by a merge; after an import (not a dry run) the
	// one created too.
	ContactID int64 `json:"contact_id,omitempty"`
	// MergedID is the contact a merge folds into ContactID.
	MergedID int64  `json:"merged_id,omitempty"`
	Email    string `json:"email,omitempty"`
	Phone    string `json:"phone,omitempty"`
}

// ImportError is why a row, or one of its fields, is refused.
type ImportError struct {
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// importLine is one valid row: what it sets. Empty fields leave the contact's as they are.
type importLine struct {
	row                        int
	email, phone               string // normalized
	name, tier, notes, company string
	tags                       []string
	attrs                      map[string]any // validated
}

// importColumns are the columns an import reads; ignoredColumns are those an export writes that
// an import skips (so an export imports again as it is).
var (
	importColumns  = []string{"name", "email", "phone", "tier", "tags", "company", "notes"}
	ignoredColumns = []string{"id", "last_seen_at", "created_at"}
)

// parseImport reads a contact CSV: a header row naming the columns (importColumns, and custom
// contact attributes by key, "attr." prefixed or not), then one contact a row. It returns the
// valid rows and the refusals of the others; a file that is not CSV, or has no usable header, is
// a *ValidationError; more than MaxImportRows rows ErrTooManyRows.
func parseImport(r io.Reader, defs []AttributeDef, region string) ([]importLine, []ImportError, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, invalid("csv", "the file is empty: the first row names the columns (name, email, phone, ...)")
	}
	if err != nil {
		return nil, nil, csvErr(1, err)
	}
	cols := make([]string, len(head))
	var errs []ImportError
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		key := strings.TrimPrefix(h, "attr.")
		switch {
		case slices.Contains(cols[:i], h) && h != "":
			errs = append(errs, ImportError{Row: 1, Field: h, Message: "this column is named twice"})
		case slices.Contains(importColumns, h) || slices.Contains(ignoredColumns, h):
			cols[i] = h
		case slices.ContainsFunc(defs, func(d AttributeDef) bool { return d.Key == key }):
			cols[i] = "attr." + key
		case h == "":
			cols[i] = "" // an unnamed column is skipped
		default:
			errs = append(errs, ImportError{Row: 1, Field: h, Message: "unknown column: use name, email, phone, tier, tags, company, notes or a contact attribute's key"})
		}
	}
	if !slices.Contains(cols, "email") && !slices.Contains(cols, "phone") {
		errs = append(errs, ImportError{Row: 1, Field: "email", Message: "the header needs an email or a phone column: contacts are matched by them"})
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	var lines []importLine
	seen := map[string]int{} // identity -> the row that has it
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, csvErr(row, err)
		}
		if row-1 > MaxImportRows {
			return nil, nil, fmt.Errorf("inbox: import: more than %d rows: %w", MaxImportRows, ErrTooManyRows)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(rec) != len(cols) {
			errs = append(errs, ImportError{Row: row, Message: fmt.Sprintf("%d cells, but the header names %d columns", len(rec), len(cols))})
			continue
		}
		l, bad := parseImportRow(row, cols, rec, defs, region)
		for _, id := range []string{"email:" + l.email, "phone:" + l.phone} {
			if len(bad) > 0 || strings.HasSuffix(id, ":") {
				continue
			}
			if first, ok := seen[id]; ok {
				field, _, _ := strings.Cut(id, ":")
				bad = append(bad, ImportError{Row: row, Field: field, Message: fmt.Sprintf("the same %s is on row %d: one row per contact", field, first)})
				continue
			}
			seen[id] = row
		}
		if len(bad) > 0 {
			errs = append(errs, bad...)
			continue
		}
		lines = append(lines, l)
	}
	return lines, errs, nil
}

// csvErr is a CSV parse error as a *ValidationError naming the row; a read error (the body cut
// short, too large) is returned as it is.
func csvErr(row int, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return invalid("csv", "row %d: %s", row, csvReason(err))
	}
	return fmt.Errorf("inbox: import: read: %w", err)
}

// csvReason is a CSV parse error without the reader's own line numbers (rows are counted as
// records, which a quoted cell over several lines makes differ).
func csvReason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// parseImportRow checks one row's cells against their columns.
func parseImportRow(row int, cols, rec []string, defs []AttributeDef, region string) (importLine, []ImportError) {
	l := importLine{row: row}
	var errs []ImportError
	bad := func(field, format string, args ...any) {
		errs = append(errs, ImportError{Row: row, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	for i, col := range cols {
		v := strings.TrimSpace(unescapeCell(rec[i]))
		if v == "" || col == "" || slices.Contains(ignoredColumns, col) {
			continue
		}
		if !utf8.ValidString(v) {
			bad(col, "not UTF-8 text")
			continue
		}
		switch col {
		case "email", "phone":
			kind := IdentityKind(col)
			addr, err := NormalizeIdentity(kind, v, region)
			if err != nil {
				var ve *ValidationError
				errors.As(err, &ve)
				bad(col, "%s", ve.Reason)
				continue
			}
			if kind == IdentityEmail {
				l.email = addr
			} else {
				l.phone = addr
			}
		case "name":
			if l.name = clean(v); utf8.RuneCountInString(l.name) > maxContactName {
				bad(col, "at most %d characters", maxContactName)
			}
		case "tier":
			if l.tier = strings.ToLower(v); len(l.tier) > maxContactTier {
				bad(col, "at most %d characters", maxContactTier)
			}
		case "notes":
			if l.notes = clean(v); len(l.notes) > maxContactNotes {
				bad(col, "at most %d characters", maxContactNotes)
			}
		case "company":
			if l.company = clean(v); utf8.RuneCountInString(l.company) > maxContactName {
				bad(col, "at most %d characters", maxContactName)
			}
		case "tags":
			for _, t := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' }) {
				if t = strings.ToLower(strings.TrimSpace(t)); t != "" && !slices.Contains(l.tags, t) {
					l.tags = append(l.tags, t)
				}
			}
			if len(l.tags) > maxContactTags || slices.ContainsFunc(l.tags, func(t string) bool { return len(t) > maxContactTag }) {
				bad(col, "at most %d tags of at most %d characters", maxContactTags, maxContactTag)
			}
			slices.Sort(l.tags)
		default:
			key := strings.TrimPrefix(col, "attr.")
			d := defs[slices.IndexFunc(defs, func(d AttributeDef) bool { return d.Key == key })]
			val, err := d.Value(v)
			if err != nil {
				var ve *ValidationError
				errors.As(err, &ve)
				bad(key, "%s", ve.Reason)
				continue
			}
			if l.attrs == nil {
				l.attrs = map[string]any{}
			}
			l.attrs[key] = val
		}
	}
	if l.email == "" && l.phone == "" && !slices.ContainsFunc(errs, func(e ImportError) bool { return e.Field == "email" || e.Field == "phone" }) {
		bad("email", "an email or a phone is required: contacts are matched by them")
	}
	return l, errs
}

// unescapeCell undoes the quote an export puts before a cell a spreadsheet would read as a
// formula ("'=1+2" is the text "=1+2"), so that an export imports again unchanged.
func unescapeCell(v string) string {
	if len(v) > 1 && v[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(v[1])) {
		return v[1:]
	}
	return v
}
