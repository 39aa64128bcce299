package workflow

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parleyhq/parley/inbox"
)

// Mode is how a rule set applies its rules.
type Mode string

// Rule set modes.
const (
	// ModeFirst applies only the first rule of the set that matches.
	ModeFirst Mode = "first"
	// ModeAll applies every rule of the set that matches, in order.
	ModeAll Mode = "all"
)

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool { return m == ModeFirst || m == ModeAll }

// Conditions say which conversations a rule matches. Every non-empty list must be satisfied,
// and a list is satisfied by any one of its values; a rule without conditions matches every
// conversation.
type Conditions struct {
	// InboxIDs: the conversation came in through one of these inboxes.
	InboxIDs []int64 `json:"inbox_ids,omitempty"`
	// Channels: it came through one of these channels.
	Channels []inbox.Channel `json:"channels,omitempty"`
	// Keywords: one of these words or phrases occurs in the subject or the text of the first
	// message, as whole words, ignoring case ("refund" matches "Refund!" but not "refunds").
	Keywords []string `json:"keywords,omitempty"`
	// ContactTags: the customer carries one of these tags.
	ContactTags []string `json:"contact_tags,omitempty"`
	// Tiers: the customer is of one of these tiers ("vip", "enterprise", ...), ignoring case:
	// the contact's own tier, else their company's.
	Tiers []string `json:"tiers,omitempty"`
	// CompanyIDs: the customer belongs to one of these companies.
	CompanyIDs []int64 `json:"company_ids,omitempty"`
	// Attributes: every one of these conditions on the customer's custom attributes holds.
	Attributes []AttrCondition `json:"attributes,omitempty"`
	// Priorities: the conversation has one of these priorities, as set so far (a rule sees the
	// priority that earlier matching rules set).
	Priorities []inbox.Priority `json:"priorities,omitempty"`
}

// Actions are what a matching rule does. Empty fields do nothing.
type Actions struct {
	// SetTeamID moves the conversation to this team.
	SetTeamID int64 `json:"set_team_id,omitempty"`
	// SetPriority gives it this priority.
	SetPriority inbox.Priority `json:"set_priority,omitempty"`
	// SetCategoryID files it under this category of the admin-managed list; SetCategory is
	// the category's path ("Delivery › Damaged"), which a new rule may give instead of the id.
	SetCategoryID int64  `json:"set_category_id,omitempty"`
	SetCategory   string `json:"set_category,omitempty"`
	// SetTags adds these tags.
	SetTags []string `json:"set_tags,omitempty"`
}

// Facts are what rules look at: a new conversation, its first message and its customer's
// profile as it is when the conversation is routed.
type Facts struct {
	InboxID     int64
	Channel     inbox.Channel
	Subject     string
	Text        string
	ContactTags []string
	// Tier is the contact's tier, else their company's.
	Tier      string
	CompanyID int64
	// Attributes are the contact's custom attributes, as stored (strings, float64 numbers,
	// booleans).
	Attributes map[string]any
	Priority   inbox.Priority
}

// Outcome is what the matching rules decided; zero fields leave the conversation as it is.
type Outcome struct {
	TeamID   int64
	Priority inbox.Priority
	Category string // the category's path
	// CategoryID is the category to file it under (0: none).
	CategoryID int64
	Tags       []string
	// Fired lists the rules that matched, in the order they applied.
	Fired []Fired
}

// Fired names a rule that matched.
type Fired struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	RuleSet string `json:"rule_set"`
}

// Match runs the rule sets in order over a conversation's facts: each set in ModeFirst applies
// its first matching rule, each set in ModeAll all of its matching rules. A later match
// overrides the team, priority and category of an earlier one and adds to its tags. Match is
// pure: it reads nothing but its arguments. It compiles the sets for this one call: Compile
// them once to match many conversations.
func Match(sets []RuleSet, f Facts) Outcome {
	return Compile(sets).Match(f)
}

// matchProfile reports whether every condition but the keywords holds.
func (c *Conditions) matchProfile(f *Facts) bool {
	switch {
	case len(c.InboxIDs) > 0 && !slices.Contains(c.InboxIDs, f.InboxID):
		return false
	case len(c.Channels) > 0 && !slices.Contains(c.Channels, f.Channel):
		return false
	case len(c.Priorities) > 0 && !slices.Contains(c.Priorities, f.Priority):
		return false
	case len(c.Tiers) > 0 && !slices.ContainsFunc(c.Tiers, func(t string) bool { return strings.EqualFold(t, f.Tier) }):
		return false
	case len(c.ContactTags) > 0 && !slices.ContainsFunc(c.ContactTags, func(t string) bool {
		return slices.ContainsFunc(f.ContactTags, func(have string) bool { return strings.EqualFold(t, have) })
	}):
		return false
	case len(c.CompanyIDs) > 0 && !slices.Contains(c.CompanyIDs, f.CompanyID):
		return false
	case slices.ContainsFunc(c.Attributes, func(a AttrCondition) bool { return !a.holds(f.Attributes) }):
		return false
	}
	return true
}

func (o *Outcome) apply(set RuleSet, r Rule) {
	if r.SetTeamID != 0 {
		o.TeamID = r.SetTeamID
	}
	if r.SetPriority != "" {
		o.Priority = r.SetPriority
	}
	if r.SetCategoryID != 0 || r.SetCategory != "" {
		o.Category, o.CategoryID = r.SetCategory, r.SetCategoryID
	}
	for _, t := range r.SetTags {
		if !slices.Contains(o.Tags, t) {
			o.Tags = append(o.Tags, t)
		}
	}
	o.Fired = append(o.Fired, Fired{ID: r.ID, Name: r.Name, RuleSet: set.Name})
}

// words splits s into lower-cased runs of letters, digits and the marks that combine with them:
// "Refund, please!" is [refund please]. ASCII is read a byte at a time; the rest by rune.
func words(s string) []string {
	return appendWords(nil, s)
}

// appendWords appends the words of s to out.
func appendWords(out []string, s string) []string {
	s = strings.ToLower(s)
	start := -1 // where the current word began, or -1 between words
	for i := 0; i < len(s); {
		c, size := rune(s[i]), 1
		if c >= utf8.RuneSelf {
			c, size = utf8.DecodeRuneInString(s[i:])
		}
		in := 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
		if c >= utf8.RuneSelf {
			in = unicode.IsLetter(c) || unicode.IsDigit(c) || unicode.Is(unicode.Mn, c)
		}
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			out = append(out, s[start:i])
			start = -1
		}
		i += size
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}
