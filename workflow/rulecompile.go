package workflow

import (
	"slices"
	"strings"
	"sync"
)

// Matcher is rule sets compiled once for matching many conversations: every keyword phrase is
// split into words once and indexed by its first word, so a message's words are read once,
// whatever the number of rules and keywords. The
// route job keeps one per process (ruleCache) until the rules change. A Matcher is read-only
// after Compile and safe for concurrent use.
type Matcher struct {
	sets []compiledSet
	// phrases are the keyword phrases of every rule, as words; first indexes them by their
	// first word.
	phrases [][]string
	first   map[string][]int
	// buffers holds *[]string buffers for a message's words between calls.
	buffers sync.Pool
	// profile is set when a rule looks at the customer's profile (tags, tier, company or
	// attributes), which a message alone does not tell (see Enqueuer.RouteFirstTx).
	profile bool
}

type compiledSet struct {
	set   RuleSet
	rules []compiledRule
}

// compiledRule is a rule with its conditions in the form Match reads.
type compiledRule struct {
	Rule
	// phrases are the ids of the rule's keyword phrases; a rule whose keywords are all
	// without words has Keywords but no phrases, and never matches, as before compiling.
	phrases []int
}

// Compile turns rule sets into a Matcher. The sets are not copied: they must not change after.
func Compile(sets []RuleSet) *Matcher {
	m := &Matcher{first: map[string][]int{}}
	ids := map[string]int{}
	for _, s := range sets {
		cs := compiledSet{set: s, rules: make([]compiledRule, 0, len(s.Rules))}
		for _, r := range s.Rules {
			cr := compiledRule{Rule: r}
			if len(r.ContactTags) > 0 || len(r.Tiers) > 0 || len(r.CompanyIDs) > 0 || len(r.Attributes) > 0 {
				m.profile = true
			}
			for _, k := range r.Keywords {
				kw := words(k)
				if len(kw) == 0 {
					continue
				}
				key := strings.Join(kw, " ")
				id, ok := ids[key]
				if !ok {
					id = len(m.phrases)
					ids[key] = id
					m.phrases = append(m.phrases, kw)
					m.first[kw[0]] = append(m.first[kw[0]], id)
				}
				cr.phrases = append(cr.phrases, id)
			}
			cs.rules = append(cs.rules, cr)
		}
		m.sets = append(m.sets, cs)
	}
	return m
}

// Match is the package's Match over the compiled sets.
func (m *Matcher) Match(f Facts) Outcome {
	found := make([]bool, len(m.phrases))
	if len(m.phrases) > 0 {
		buf, _ := m.buffers.Get().(*[]string)
		if buf == nil {
			buf = new([]string)
		}
		*buf = appendWords((*buf)[:0], f.Subject)
		m.find(*buf, found)
		*buf = appendWords((*buf)[:0], f.Text)
		m.find(*buf, found)
		clear(*buf) // let the message's text go
		m.buffers.Put(buf)
	}
	seen := f // with the priority earlier rules set
	var out Outcome
	for _, s := range m.sets {
		for i := range s.rules {
			r := &s.rules[i]
			if !r.match(&seen, found) {
				continue
			}
			out.apply(s.set, r.Rule)
			if r.SetPriority != "" {
				seen.Priority = r.SetPriority
			}
			if s.set.Mode != ModeAll {
				break
			}
		}
	}
	return out
}

// find marks in found every phrase whose words occur one after another in text.
func (m *Matcher) find(text []string, found []bool) {
	for i, w := range text {
		for _, id := range m.first[w] {
			p := m.phrases[id]
			if !found[id] && i+len(p) <= len(text) && slices.Equal(text[i+1:i+len(p)], p[1:]) {
				found[id] = true
			}
		}
	}
}

// match is Conditions.match with the keywords already found.
func (r *compiledRule) match(f *Facts, found []bool) bool {
	return r.Conditions.matchProfile(f) &&
		(len(r.Keywords) == 0 || slices.ContainsFunc(r.phrases, func(id int) bool { return found[id] }))
}
