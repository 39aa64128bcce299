package workflow

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// AttrOp is how an attribute condition compares the customer's value with the rule's.
type AttrOp string

// Attribute condition operators. Which ones an attribute takes follows its definition's type:
// text and list attributes take eq and in (ignoring case), booleans eq, numbers and dates all
// of them (dates compare as days: lt is "before").
const (
	AttrEq  AttrOp = "eq"  // equals the one value
	AttrIn  AttrOp = "in"  // equals one of the values
	AttrLt  AttrOp = "lt"  // less than (before)
	AttrLte AttrOp = "lte" // at most (on or before)
	AttrGt  AttrOp = "gt"  // more than (after)
	AttrGte AttrOp = "gte" // at least (on or after)
)

// maxAttrConditions caps the attribute conditions of a rule.
const maxAttrConditions = 20

// AttrCondition is a condition on one of the customer's custom attributes (inbox.AttributeDef,
// of contacts): it holds when the customer has a value for Key that compares with Values as Op
// says. A customer without a value for Key never matches it.
type AttrCondition struct {
	Key string `json:"key"`
	Op  AttrOp `json:"op"`
	// Values: one for every op but in, which takes 1 to 100.
	Values []any `json:"values"`
	// Value is a shorthand for a single value on input: {"key": "plan", "op": "eq", "value":
	// "enterprise"}. Stored rules carry Values only.
	Value any `json:"value,omitempty"`
}

// opsOf lists the operators an attribute type takes.
func opsOf(t inbox.AttributeType) []AttrOp {
	switch t {
	case inbox.AttrNumber, inbox.AttrDate:
		return []AttrOp{AttrEq, AttrIn, AttrLt, AttrLte, AttrGt, AttrGte}
	case inbox.AttrBoolean:
		return []AttrOp{AttrEq}
	}
	return []AttrOp{AttrEq, AttrIn}
}

// cleanAttrConditions checks conditions against the contact attribute definitions and puts
// their values in stored form (typed as the definition says). It returns an
// *inbox.ValidationError naming the condition at fault.
func cleanAttrConditions(defs []inbox.AttributeDef, conds []AttrCondition) ([]AttrCondition, error) {
	if len(conds) > maxAttrConditions {
		return nil, ruleInvalid("attributes", "at most %d attribute conditions", maxAttrConditions)
	}
	out := make([]AttrCondition, 0, len(conds))
	for i, c := range conds {
		field := fmt.Sprintf("attributes[%d]", i)
		c.Key = strings.TrimSpace(c.Key)
		c.Op = AttrOp(strings.ToLower(strings.TrimSpace(string(c.Op))))
		if c.Op == "" {
			c.Op = AttrEq
		}
		j := slices.IndexFunc(defs, func(d inbox.AttributeDef) bool { return d.Key == c.Key })
		if j < 0 {
			return nil, ruleInvalid(field+".key", "no contact attribute %q: an admin defines it first", c.Key)
		}
		def := defs[j]
		if ops := opsOf(def.Type); !slices.Contains(ops, c.Op) {
			names := make([]string, len(ops))
			for k, o := range ops {
				names[k] = string(o)
			}
			return nil, ruleInvalid(field+".op", "a %s attribute takes %s, not %q", def.Type, strings.Join(names, ", "), c.Op)
		}
		if c.Value != nil {
			if len(c.Values) > 0 {
				return nil, ruleInvalid(field, "give value or values, not both")
			}
			c.Values = []any{c.Value}
			c.Value = nil
		}
		switch {
		case c.Op == AttrIn && (len(c.Values) == 0 || len(c.Values) > maxRuleList):
			return nil, ruleInvalid(field+".values", "in takes 1 to %d values", maxRuleList)
		case c.Op != AttrIn && len(c.Values) != 1:
			return nil, ruleInvalid(field+".values", "%s takes one value", c.Op)
		}
		vals := make([]any, 0, len(c.Values))
		for _, v := range c.Values {
			tv, err := def.Value(v)
			if err != nil {
				return nil, renameField(err, field+".values")
			}
			if s, ok := tv.(string); ok && strings.TrimSpace(s) == "" {
				return nil, ruleInvalid(field+".values", "a value is empty")
			}
			vals = append(vals, tv)
		}
		c.Values = vals
		out = append(out, c)
	}
	return out, nil
}

// holds reports whether the customer's attributes satisfy c.
func (c AttrCondition) holds(attrs map[string]any) bool {
	have, ok := attrs[c.Key]
	if !ok || have == nil {
		return false
	}
	switch c.Op {
	case AttrEq, AttrIn:
		return slices.ContainsFunc(c.Values, func(want any) bool { return attrEqual(have, want) })
	}
	if len(c.Values) != 1 {
		return false
	}
	order, ok := attrOrder(have, c.Values[0])
	if !ok {
		return false
	}
	switch c.Op {
	case AttrLt:
		return order < 0
	case AttrLte:
		return order <= 0
	case AttrGt:
		return order > 0
	case AttrGte:
		return order >= 0
	}
	return false
}

// attrEqual compares two stored attribute values: strings ignoring case, numbers and booleans
// exactly; values of different types are never equal (a definition whose type changed).
func attrEqual(a, b any) bool {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && strings.EqualFold(x, y)
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	}
	return false
}

// attrOrder orders two numbers, or two strings (dates as YYYY-MM-DD order as days); false for
// anything else.
func attrOrder(a, b any) (int, bool) {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return cmp.Compare(x, y), ok
	case string:
		y, ok := b.(string)
		return strings.Compare(strings.ToLower(x), strings.ToLower(y)), ok
	}
	return 0, false
}
