package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/internal/dbtest"
)

func TestAgentLifecycleAndTokenVerbs(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	env := map[string]string{"DATABASE_URL": url, "PARLEY_LOG_LEVEL": "warn"}
	must := func(want string, args ...string) string {
		t.Helper()
		out, err := parley(t, env, "", args...)
		if err != nil || !strings.Contains(out, want) {
			t.Fatalf("parley %s: %q, %v; want output containing %q", strings.Join(args, " "), out, err, want)
		}
		return out
	}
	refuse := func(want string, args ...string) {
		t.Helper()
		out, err := parley(t, env, "", args...)
		if err == nil || !strings.Contains(err.Error()+out, want) {
			t.Fatalf("parley %s: %q, %v; want an error mentioning %q", strings.Join(args, " "), out, err, want)
		}
	}
	must("migrated", "migrate")
	must("(admin)", "agent", "add", "--email", "boss@example.com", "--name", "Boss", "--role", "admin", "--password", "correct-horse-battery")
	must("(agent)", "agent", "add", "--email", "ana@example.com", "--name", "Ana", "--password", "correct-horse-battery")
	token := strings.TrimSpace(must("pk_", "token", "add", "--agent", "ana@example.com", "--name", "crm", "--integration", "--expires", "90d"))
	must("pk_", "token", "add", "--agent", "boss@example.com")
	list := must("crm", "token", "list", "--agent", "ana@example.com")
	if !regexp.MustCompile(`ana@example.com\s+crm\s+integration\s+\S+\s+20\d\d-`).MatchString(list) || strings.Contains(list, "boss@") || strings.Contains(list, token) {
		t.Fatalf("token list --agent: %q", list)
	}
	if all := must("boss@example.com", "token", "list"); !strings.Contains(all, "ana@example.com") {
		t.Fatalf("token list: %q", all)
	}
	must("now supervisor", "agent", "set-role", "--email", "ana@example.com", "--role", "supervisor")
	refuse("role", "agent", "set-role", "--email", "ana@example.com", "--role", "boss")
	refuse("last active admin", "agent", "set-role", "--email", "boss@example.com", "--role", "agent")
	refuse("last active admin", "agent", "deactivate", "--email", "boss@example.com")
	refuse("not found", "agent", "deactivate", "--email", "ghost@example.com")
	refuse("which agent", "agent", "deactivate")
	refuse("duration", "token", "add", "--agent", "ana@example.com", "--expires", "soon")
	must("deactivated; 0 open conversations", "agent", "deactivate", "--email", "ana@example.com")
	if l := must("Ana", "agent", "list"); !regexp.MustCompile(`ana@example.com\s+Ana\s+supervisor\s+deactivated`).MatchString(l) ||
		!regexp.MustCompile(`boss@example.com\s+Boss\s+admin\s+active`).MatchString(l) {
		t.Fatalf("agent list: %q", l)
	}
	must("activated", "agent", "activate", "--email", "ana@example.com")
	id := regexp.MustCompile(`(?m)^(\d+)\s+ana@example.com\s+crm`).FindStringSubmatch(list)
	if id == nil {
		t.Fatalf("no id in %q", list)
	}
	must("revoked", "token", "revoke", "--id", id[1])
	refuse("not found", "token", "revoke", "--id", id[1])
	refuse("--id", "token", "revoke")

	// Every change is in the audit log, as the command line.
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var kinds []string
	rows, _ := conn.Query(context.Background(), `SELECT kind FROM audit_log WHERE actor = 'cli' ORDER BY id`)
	kinds, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	want := "agent.created agent.created token.created token.created agent.role agent.deactivated agent.activated token.revoked"
	if got := strings.Join(kinds, " "); got != want {
		t.Fatalf("audit kinds:\n got %s\nwant %s", got, want)
	}
}
