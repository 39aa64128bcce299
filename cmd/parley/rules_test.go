package main

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/dbtest"
)

func TestRuleVerbs(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": dbtest.URL(t), "PARLEY_LOG_LEVEL": "warn"}
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"team", "add", "--name", "Billing"}, "Billing (0 members)"},
		{[]string{"inbox", "add", "api", "--name", "CRM"}, "1"},
		{[]string{"rule", "add", "--name", "refunds", "--channel", "email", "--keyword", "refund", "--keyword", "money back",
			"--set-team", "billing", "--set-priority", "high", "--set-category", "complaint", "--set-tag", "refund,money"}, "rule 1: refunds (default #1)"},
		{[]string{"rule", "add", "--name", "vip", "--tier", "gold", "--set-priority", "urgent", "--position", "1"}, "rule 2: vip (default #1)"},
		{[]string{"rule", "add", "--name", "mail", "--rule-set", "tags", "--inbox", "1", "--set-tag", "mail"}, "(tags #1)"},
		{[]string{"rule", "set", "--name", "tags", "--mode", "all", "--position", "1"}, "tags (#1, all match, 1 rules)"},
	}
	for _, s := range steps {
		out, err := parley(t, env, "", s.args...)
		if err != nil || !strings.Contains(out, s.want) {
			t.Fatalf("parley %s: %q, %v; want output containing %q", strings.Join(s.args, " "), out, err, s.want)
		}
	}
	out, err := parley(t, env, "", "rule", "list")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`rule set "tags" (#1, all match)`,
		`1. rule 3 "mail": when inbox=1 then tags=mail`,
		`rule set "default" (#2, first match)`,
		`1. rule 2 "vip": when tier=gold then priority=urgent`,
		`2. rule 1 "refunds": when channel=email keyword=refund,money back then team=Billing priority=high category=Complaint tags=refund,money`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("rule list lacks %q:\n%s", want, out)
		}
	}
	if out, err := parley(t, env, "", "rule", "delete", "--id", "2"); err != nil || !strings.Contains(out, "rule 2 deleted") {
		t.Fatalf("rule delete: %q, %v", out, err)
	}
	if out, _ := parley(t, env, "", "rule", "list"); strings.Contains(out, `"vip"`) || !strings.Contains(out, `1. rule 1 "refunds"`) {
		t.Fatalf("after delete:\n%s", out)
	}
	failures := []struct {
		args []string
		want string
	}{
		{[]string{"rule", "add", "--name", "x", "--set-team", "Sales"}, `no team "Sales"`},
		{[]string{"rule", "add", "--name", "x", "--keyword", "refund"}, "needs an action"},
		{[]string{"rule", "add", "--name", "x", "--channel", "fax", "--set-tag", "t"}, "unknown channel"},
		{[]string{"rule", "add", "--name", "x", "--inbox", "one", "--set-tag", "t"}, "--inbox"},
		{[]string{"rule", "delete", "--id", "99"}, "not found"},
		{[]string{"rule", "set", "--name", "tags", "--mode", "some"}, "mode"},
		{[]string{"rule", "frob"}, "unknown"},
	}
	for _, f := range failures {
		out, err := parley(t, env, "", f.args...)
		if err == nil || !strings.Contains(err.Error()+out, f.want) {
			t.Errorf("parley %s: %q, %v; want an error mentioning %q", strings.Join(f.args, " "), out, err, f.want)
		}
	}
}
