package inbox

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// AttributeType is the type of a custom attribute's values.
type AttributeType string

// Attribute types.
const (
	AttrText    AttributeType = "text"
	AttrNumber  AttributeType = "number"
	AttrDate    AttributeType = "date" // "2026-12-03"
	AttrBoolean AttributeType = "boolean"
	AttrList    AttributeType = "list" // one of the definition's Options
)

// Objects that carry custom attributes.
const (
	AttrContact = "contact"
	AttrCompany = "company"
)

// maxAttrText caps a text attribute's length (in bytes).
const maxAttrText = 2000

var attrKey = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// AttributeDef is a custom attribute that admins define for contacts or companies: agents, the
// API and integration tokens set its values, which are validated against its type.
type AttributeDef struct {
	ID      int64         `json:"id"`
	Object  string        `json:"object"` // AttrContact or AttrCompany
	Key     string        `json:"key"`
	Label   string        `json:"label"`
	Type    AttributeType `json:"type"`
	Options []string      `json:"options,omitempty"`
}

// validate checks a definition; it returns a *ValidationError.
func (d AttributeDef) validate() error {
	switch {
	case d.Object != AttrContact && d.Object != AttrCompany:
		return invalid("object", "must be contact or company")
	case !attrKey.MatchString(d.Key):
		return invalid("key", "lower-case letters, digits and _, starting with a letter, at most 40")
	case strings.TrimSpace(d.Label) == "" || len(d.Label) > 200:
		return invalid("label", "required, at most 200 characters")
	}
	switch d.Type {
	case AttrText, AttrNumber, AttrDate, AttrBoolean:
		if len(d.Options) > 0 {
			return invalid("options", "only a list has options")
		}
	case AttrList:
		if len(d.Options) == 0 || len(d.Options) > 100 {
			return invalid("options", "a list needs 1 to 100 options")
		}
		for _, o := range d.Options {
			if strings.TrimSpace(o) == "" || len(o) > 200 {
				return invalid("options", "each option: 1 to 200 characters")
			}
		}
	default:
		return invalid("type", "one of text, number, date, boolean, list")
	}
	return nil
}

// Value checks one value against the definition and returns it as stored: a string, a number
// (float64) or a bool. Numbers and booleans may come as strings (forms, CSV).
func (d AttributeDef) Value(v any) (any, error) {
	bad := func(what string) error { return invalid("attributes."+d.Key, "%s", what) }
	switch d.Type {
	case AttrText:
		s, ok := v.(string)
		if !ok || len(s) > maxAttrText {
			return nil, bad(fmt.Sprintf("text of at most %d characters", maxAttrText))
		}
		return clean(s), nil
	case AttrNumber:
		switch n := v.(type) {
		case float64:
			return n, nil
		case int:
			return float64(n), nil
		case int64:
			return float64(n), nil
		case string:
			if f, err := strconv.ParseFloat(strings.TrimSpace(n), 64); err == nil {
				return f, nil
			}
		}
		return nil, bad("a number")
	case AttrDate:
		if s, ok := v.(string); ok {
			if _, err := time.Parse(time.DateOnly, strings.TrimSpace(s)); err == nil {
				return strings.TrimSpace(s), nil
			}
		}
		return nil, bad("a date as YYYY-MM-DD")
	case AttrBoolean:
		switch b := v.(type) {
		case bool:
			return b, nil
		case string:
			if p, err := strconv.ParseBool(strings.TrimSpace(b)); err == nil {
				return p, nil
			}
		}
		return nil, bad("true or false")
	case AttrList:
		if s, ok := v.(string); ok && slices.Contains(d.Options, s) {
			return s, nil
		}
		return nil, bad("one of " + strings.Join(d.Options, ", "))
	}
	return nil, bad("of an unknown type")
}

// applyAttributes returns cur with set applied, each value validated by its definition among
// defs: a nil value (JSON null) or "" removes the attribute; an undefined key is ErrInvalid.
func applyAttributes(defs []AttributeDef, cur, set map[string]any) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range cur {
		out[k] = v
	}
	for k, v := range set {
		i := slices.IndexFunc(defs, func(d AttributeDef) bool { return d.Key == k })
		if i < 0 {
			return nil, invalid("attributes."+k, "no such attribute")
		}
		if s, ok := v.(string); v == nil || ok && strings.TrimSpace(s) == "" {
			delete(out, k)
			continue
		}
		val, err := defs[i].Value(v)
		if err != nil {
			return nil, err
		}
		out[k] = val
	}
	return out, nil
}

// AttributeDefs lists the definitions for object (AttrContact or AttrCompany) by key.
func (s *Store) AttributeDefs(ctx context.Context, object string) ([]AttributeDef, error) {
	return attributeDefs(ctx, s.pool, object)
}

// querier runs a query: the pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func attributeDefs(ctx context.Context, db querier, object string) ([]AttributeDef, error) {
	rows, err := db.Query(ctx, `SELECT id, object, key, label, type, options FROM attribute_definitions
		WHERE object = $1 ORDER BY key`, object)
	if err != nil {
		return nil, fmt.Errorf("inbox: attribute definitions: %w", err)
	}
	defs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AttributeDef, error) {
		var d AttributeDef
		err := r.Scan(&d.ID, &d.Object, &d.Key, &d.Label, &d.Type, &d.Options)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: attribute definitions: %w", err)
	}
	return defs, nil
}

// SaveAttributeDef creates a definition, or changes the label, type and options of the one with
// its object and key; audited as settings.changed. A bad definition is ErrInvalid.
func (s *Store) SaveAttributeDef(ctx context.Context, d AttributeDef, by AuditActor) (AttributeDef, error) {
	d.Label = strings.TrimSpace(d.Label)
	if d.Options == nil {
		d.Options = []string{}
	}
	if err := d.validate(); err != nil {
		return AttributeDef{}, fmt.Errorf("inbox: attribute definition: %w", err)
	}
	err := s.Audited(ctx, func(tx pgx.Tx) (AuditRecord, error) {
		err := tx.QueryRow(ctx, `INSERT INTO attribute_definitions (object, key, label, type, options) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (object, key) DO UPDATE SET label = EXCLUDED.label, type = EXCLUDED.type, options = EXCLUDED.options
			RETURNING id`, d.Object, d.Key, d.Label, d.Type, d.Options).Scan(&d.ID)
		if err != nil {
			return AuditRecord{}, fmt.Errorf("inbox: attribute definition: %w", err)
		}
		return by.Record(AuditSettingsChanged, AuditTarget("attribute", d.ID),
			map[string]any{"object": d.Object, "key": d.Key, "type": d.Type}), nil
	})
	return d, err
}

// CheckAttributes reports whether values would be accepted for object's attributes (nil when
// they would; a *ValidationError naming the first bad one otherwise).
func (s *Store) CheckAttributes(ctx context.Context, object string, values map[string]any) error {
	if len(values) == 0 {
		return nil
	}
	defs, err := s.AttributeDefs(ctx, object)
	if err != nil {
		return err
	}
	_, err = applyAttributes(defs, nil, values)
	return err
}
