package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/internal/dbtest"
)

// TestAdminVerbsAreAudited runs the command line's admin changes (team, inbox, rule, rule set,
// SLA policy) and finds each in the audit log as the "cli" actor's, with its target; the changes
// the command line refuses leave no record.
func TestAdminVerbsAreAudited(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	env := map[string]string{"DATABASE_URL": url, "PARLEY_LOG_LEVEL": "warn"}
	for _, args := range [][]string{
		{"team", "add", "--name", "Billing", "--default-queue"},
		{"inbox", "add", "api", "--name", "CRM"},
		{"rule", "add", "--name", "refunds", "--keyword", "refund", "--set-team", "billing"},
		{"rule", "set", "--name", "tags", "--mode", "all"},
		{"rule", "delete", "--id", "1"},
		{"sla", "add", "--name", "Default", "--first-response", "8h"},
	} {
		if out, err := parley(t, env, "", args...); err != nil {
			t.Fatalf("parley %s: %q, %v", strings.Join(args, " "), out, err)
		}
	}
	for _, args := range [][]string{
		{"team", "add", "--name", "Billing", "--default-queue"},
		{"team", "add", "--name", "Sales", "--members", "nobody@example.com", "--default-queue"},
		{"inbox", "add", "api", "--name", "CRM"},
		{"rule", "add", "--name", "x", "--set-team", "Sales"},
		{"rule", "delete", "--id", "99"},
		{"sla", "add", "--name", "Default", "--first-response", "1h"},
	} {
		if _, err := parley(t, env, "", args...); err == nil {
			t.Fatalf("parley %s succeeded; want it refused", strings.Join(args, " "))
		}
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT kind || ' ' || target || ' ' || (data->>'action') || ' by ' || actor
		|| coalesce(' #' || actor_id, '') FROM audit_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var queues int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM teams t JOIN audit_log a ON a.target = 'team:' || t.id
		WHERE t.default_queue AND (a.data->>'default_queue')::bool`).Scan(&queues); err != nil || queues != 1 {
		t.Fatalf("default-queue teams with the fact in their audit record: %d, %v; want 1", queues, err)
	}
	var tags string
	if err := conn.QueryRow(ctx, `SELECT id::text FROM rule_sets WHERE name = 'tags'`).Scan(&tags); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"team.changed team:1 created by cli",
		"inbox.changed inbox:1 created by cli",
		"rule.changed rule:1 created by cli",
		"rule.changed rule_set:" + tags + " rule_set by cli",
		"rule.changed rule:1 deleted by cli",
		"sla_policy.changed sla_policy:1 created by cli",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
