package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// ruleCmd is `parley rule add|list|delete|set`: the routing rules.
func ruleCmd(ctx context.Context, c *cli) error {
	sub, err := c.sub("rule", "add", "list", "delete", "set")
	if err != nil {
		return err
	}
	switch sub {
	case "add":
		return ruleAdd(ctx, c)
	case "list":
		return ruleList(ctx, c)
	case "delete":
		return ruleDelete(ctx, c)
	}
	return ruleSet(ctx, c)
}

const ruleAddSynopsis = `rule add --name N [--channel C]... [--keyword W]... [--set-team N] [--set-priority P]
       [--set-category C] [--set-tag T]... [--position K] [--rule-set S] [--inbox ID]...
       [--contact-tag T]... [--tier T]... [--priority P]... [--company NAME]...
       [--attribute "KEY OP VALUE"]...

A rule matches a new conversation when every condition given holds; a repeated (or comma
separated) condition matches any of its values. Keywords match whole words or phrases in the
subject or the first message, ignoring case. --attribute compares a contact attribute: "plan eq
enterprise", "plan in free,pro", "orders gte 10" (ops: eq, in; numbers and dates also lt, lte,
gt, gte); each must hold. Rule sets run in order; a set applies its first
matching rule, or all of them after 'parley rule set --name S --mode all'.`

func ruleAdd(ctx context.Context, c *cli) error {
	fs := c.flags("rule add", ruleAddSynopsis)
	var nr workflow.NewRule
	var channels, keywords, contactTags, tiers, priorities, setTags, inboxes, companies stringList
	var attrs repeated
	fs.StringVar(&nr.Name, "name", "", "the rule's name")
	fs.StringVar(&nr.RuleSet, "rule-set", workflow.DefaultRuleSet, "the rule set it joins (created if new)")
	fs.IntVar(&nr.Position, "position", 0, "its place in the set, from 1 (default: last)")
	fs.Var(&inboxes, "inbox", "condition: the inbox id it came in through")
	fs.Var(&channels, "channel", "condition: the channel (email, sms, chat, slack, api)")
	fs.Var(&keywords, "keyword", "condition: a word or phrase in the subject or text")
	fs.Var(&contactTags, "contact-tag", "condition: a tag of the customer")
	fs.Var(&tiers, "tier", "condition: the customer's tier")
	fs.Var(&priorities, "priority", "condition: the conversation's priority")
	fs.Var(&companies, "company", "condition: the customer's company, by name")
	fs.Var(&attrs, "attribute", `condition: a contact attribute, "KEY OP VALUE" (repeatable)`)
	fs.StringVar(&nr.SetTeam, "set-team", "", "action: move it to the team of this name")
	setPriority := fs.String("set-priority", "", "action: low, normal, high or urgent")
	fs.StringVar(&nr.SetCategory, "set-category", "", "action: file it under this category")
	fs.Var(&setTags, "set-tag", "action: add this tag")
	if err := fs.Parse(c.args); err != nil {
		return err
	}
	for _, s := range inboxes {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("rule add: --inbox %q: want an inbox id", s)
		}
		nr.InboxIDs = append(nr.InboxIDs, id)
	}
	for _, ch := range channels {
		nr.Channels = append(nr.Channels, inbox.Channel(ch))
	}
	for _, p := range priorities {
		nr.Priorities = append(nr.Priorities, inbox.Priority(p))
	}
	nr.Keywords, nr.ContactTags, nr.Tiers, nr.SetTags, nr.Companies = keywords, contactTags, tiers, setTags, companies
	for _, a := range attrs {
		cond, err := parseAttrCondition(a)
		if err != nil {
			return fmt.Errorf("rule add: --attribute: %w", err)
		}
		nr.Attributes = append(nr.Attributes, cond)
	}
	nr.SetPriority = inbox.Priority(*setPriority)
	a, err := open(ctx, c)
	if err != nil {
		return err
	}
	defer a.close()
	r, err := workflow.NewRules(a.pool, a.store).As(inbox.CLIActor()).Add(ctx, nr)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "rule %d: %s (%s #%d)\n", r.ID, r.Name, r.RuleSet, r.Position)
	return nil
}

func ruleList(ctx context.Context, c *cli) error {
	fs := c.flags("rule list", "rule list\n\nPrints the rule sets and their rules in the order they run.")
	a, err := openWith(ctx, c, fs)
	if err != nil {
		return err
	}
	defer a.close()
	sets, err := workflow.NewRules(a.pool, a.store).Sets(ctx)
	if err != nil {
		return err
	}
	teams, err := a.store.Teams(ctx)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, t := range teams {
		names[t.ID] = t.Name
	}
	for _, s := range sets {
		fmt.Fprintf(c.stdout, "rule set %q (#%d, %s match)\n", s.Name, s.Position, s.Mode)
		for _, r := range s.Rules {
			printRule(c.stdout, r, names)
		}
	}
	return nil
}

// printRule writes one rule on a line: its place, id, name, conditions and actions.
func printRule(w io.Writer, r workflow.Rule, teams map[int64]string) {
	var when, then []string
	list := func(to *[]string, key string, values []string) {
		if len(values) > 0 {
			*to = append(*to, key+"="+strings.Join(values, ","))
		}
	}
	for _, id := range r.InboxIDs {
		list(&when, "inbox", []string{strconv.FormatInt(id, 10)})
	}
	list(&when, "channel", strs(r.Channels))
	list(&when, "keyword", r.Keywords)
	list(&when, "contact-tag", r.ContactTags)
	list(&when, "tier", r.Tiers)
	list(&when, "priority", strs(r.Priorities))
	for _, id := range r.CompanyIDs {
		list(&when, "company", []string{strconv.FormatInt(id, 10)})
	}
	for _, a := range r.Attributes {
		vals := make([]string, len(a.Values))
		for i, v := range a.Values {
			vals[i] = fmt.Sprint(v)
		}
		when = append(when, "attribute="+a.Key+" "+string(a.Op)+" "+strings.Join(vals, ","))
	}
	if r.SetTeamID != 0 {
		list(&then, "team", []string{teams[r.SetTeamID]})
	}
	list(&then, "priority", strs([]inbox.Priority{r.SetPriority}))
	list(&then, "category", strs([]string{r.SetCategory}))
	list(&then, "tags", r.SetTags)
	if len(when) == 0 {
		when = []string{"always"}
	}
	fmt.Fprintf(w, "  %d. rule %d %q: when %s then %s\n", r.Position, r.ID, r.Name, strings.Join(when, " "), strings.Join(then, " "))
}

// strs turns string-kinded values into strings, dropping empty ones.
func strs[T ~string](values []T) []string {
	var out []string
	for _, v := range values {
		if v != "" {
			out = append(out, string(v))
		}
	}
	return out
}

func ruleDelete(ctx context.Context, c *cli) error {
	fs := c.flags("rule delete", "rule delete --id N")
	id := fs.Int64("id", 0, "the rule's id (see parley rule list)")
	a, err := openWith(ctx, c, fs)
	if err != nil {
		return err
	}
	defer a.close()
	if err := workflow.NewRules(a.pool, a.store).As(inbox.CLIActor()).Delete(ctx, *id); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "rule %d deleted\n", *id)
	return nil
}

func ruleSet(ctx context.Context, c *cli) error {
	fs := c.flags("rule set", "rule set --name S [--mode first|all] [--position K]\n\nCreates a rule set or changes how its rules apply and where it runs among the sets.")
	var ch workflow.RuleSetChange
	fs.StringVar(&ch.Name, "name", "", "the rule set's name")
	mode := fs.String("mode", "", "first: apply the first matching rule; all: apply every matching rule")
	fs.IntVar(&ch.Position, "position", 0, "its place among the sets, from 1 (default: unchanged, or last)")
	if err := fs.Parse(c.args); err != nil {
		return err
	}
	ch.Mode = workflow.Mode(*mode)
	a, err := open(ctx, c)
	if err != nil {
		return err
	}
	defer a.close()
	s, err := workflow.NewRules(a.pool, a.store).As(inbox.CLIActor()).SetRuleSet(ctx, ch)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "rule set %d: %s (#%d, %s match, %d rules)\n", s.ID, s.Name, s.Position, s.Mode, len(s.Rules))
	return nil
}

// parseAttrCondition reads "KEY OP VALUE": "plan eq enterprise", "plan in free,pro" (in splits
// its values at commas), "orders gte 10".
func parseAttrCondition(s string) (workflow.AttrCondition, error) {
	f := strings.Fields(s)
	if len(f) < 3 {
		return workflow.AttrCondition{}, fmt.Errorf("%q: want KEY OP VALUE, such as \"plan eq enterprise\"", s)
	}
	c := workflow.AttrCondition{Key: f[0], Op: workflow.AttrOp(f[1])}
	value := strings.Join(f[2:], " ")
	if c.Op != workflow.AttrIn {
		c.Values = []any{value}
		return c, nil
	}
	for _, v := range strings.Split(value, ",") {
		if v = strings.TrimSpace(v); v != "" {
			c.Values = append(c.Values, v)
		}
	}
	return c, nil
}
