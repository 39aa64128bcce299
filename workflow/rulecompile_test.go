package workflow

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
)

// referenceMatch is Match as it was before rules were compiled: every rule's keywords split
// and searched for in the message's words, rule by rule. The compiled Matcher must decide
// exactly as it does.
func referenceMatch(sets []RuleSet, f Facts) Outcome {
	subject, text := words(f.Subject), words(f.Text)
	seen := f
	var out Outcome
	for _, set := range sets {
		for _, r := range set.Rules {
			c := r.Conditions
			if !c.matchProfile(&seen) || len(c.Keywords) > 0 && !slices.ContainsFunc(c.Keywords, func(k string) bool {
				kw := words(k)
				return referenceRun(subject, kw) || referenceRun(text, kw)
			}) {
				continue
			}
			out.apply(set, r)
			if r.SetPriority != "" {
				seen.Priority = r.SetPriority
			}
			if set.Mode != ModeAll {
				break
			}
		}
	}
	return out
}

// referenceRun reports whether the words of phrase occur one after another in text.
func referenceRun(text, phrase []string) bool {
	if len(phrase) == 0 {
		return false
	}
	for i := 0; i+len(phrase) <= len(text); i++ {
		if slices.Equal(text[i:i+len(phrase)], phrase) {
			return true
		}
	}
	return false
}

// TestCompiledRulesDecideAsTheReference runs thousands of random rule sets over random messages,
// made of a small vocabulary so that keywords, phrases, tiers and tags often match, and
// compares the compiled Matcher's outcome with the reference's: the same team, priority,
// category, tags and fired rules in the same order.
func TestCompiledRulesDecideAsTheReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	vocab := []string{"refund", "Refund", "order", "broken", "late", "ÉTÉ", "été", "naïve", "café", "12", "two", "words"}
	pick := func(from []string) string { return from[rng.IntN(len(from))] }
	phrase := func() string {
		switch rng.IntN(6) {
		case 0:
			return "!!" // no words: never matches
		case 1, 2:
			return pick(vocab) + " " + pick(vocab)
		case 3:
			return pick(vocab) + ", " + pick(vocab) + "-" + pick(vocab)
		}
		return pick(vocab)
	}
	text := func() string {
		var b strings.Builder
		for range rng.IntN(40) {
			b.WriteString(pick(vocab))
			b.WriteString(pick([]string{" ", ", ", "! ", "\n", "-", "\u00a0"}))
		}
		return b.String()
	}
	some := func(from []string) []string {
		var out []string
		for range rng.IntN(3) {
			out = append(out, pick(from))
		}
		return out
	}
	priorities := []inbox.Priority{"", inbox.PriorityLow, inbox.PriorityNormal, inbox.PriorityHigh, inbox.PriorityUrgent}
	for n := range 3000 {
		var sets []RuleSet
		for s := range 1 + rng.IntN(3) {
			set := RuleSet{Name: fmt.Sprint("set", s), Mode: []Mode{ModeFirst, ModeAll}[rng.IntN(2)]}
			for r := range rng.IntN(8) {
				rule := Rule{ID: int64(100*s + r), Name: fmt.Sprint("r", s, r), Conditions: Conditions{
					Tiers: some([]string{"Gold", "gold", "silver"}), ContactTags: some([]string{"VIP", "vip", "b2b"}),
					Channels: []inbox.Channel(nil)}, Actions: Actions{SetTeamID: int64(rng.IntN(3)),
					SetPriority: priorities[rng.IntN(len(priorities))], SetTags: some([]string{"a", "b", "c"})}}
				for range rng.IntN(4) {
					rule.Keywords = append(rule.Keywords, phrase())
				}
				if rng.IntN(4) == 0 {
					rule.Priorities = []inbox.Priority{priorities[1+rng.IntN(len(priorities)-1)]}
				}
				if rng.IntN(4) == 0 {
					rule.Channels = []inbox.Channel{inbox.ChannelEmail}
				}
				set.Rules = append(set.Rules, rule)
			}
			sets = append(sets, set)
		}
		f := Facts{Channel: []inbox.Channel{inbox.ChannelEmail, inbox.ChannelSMS}[rng.IntN(2)], Subject: text(), Text: text(),
			Tier: pick([]string{"", "GOLD", "silver"}), ContactTags: some([]string{"vip", "B2B", "other"}),
			Priority: priorities[rng.IntN(len(priorities))]}
		want := referenceMatch(sets, f)
		m := Compile(sets)
		for range 2 { // a Matcher decides the same every time (its word buffers are reused)
			if got := m.Match(f); !reflect.DeepEqual(got, want) {
				t.Fatalf("case %d: compiled %+v, reference %+v\nsets %+v\nfacts %+v", n, got, want, sets, f)
			}
		}
	}
}
