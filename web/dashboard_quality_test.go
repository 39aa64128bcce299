package web

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// TestDashboardShowsSLAComplianceAndCSAT seeds SLA clocks, breaches and survey answers and reads
// the exact figures on the dashboard, in its agent table and in the CSV exports.
func TestDashboardShowsSLAComplianceAndCSAT(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	sup := e.newUser(t, "sue", inbox.RoleAdmin)
	ana := e.newUser(t, "ana", inbox.RoleAgent)
	by := inbox.Actor{AgentID: ana.agent.ID}
	a := e.customer(t, "a", "a@example.com", "A", "S", "help")
	b := e.customer(t, "b", "b@example.com", "B", "S", "help")
	c := e.customer(t, "c", "c@example.com", "C", "S", "help")
	for _, id := range []int64{a.ConversationID, b.ConversationID} {
		if _, err := e.store.Assign(ctx, id, ana.agent.ID, by); err != nil {
			t.Fatal(err)
		}
	}
	now := e.clock()
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := e.pool.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	clock := func(conv int64, target, state string, breached bool) {
		var breachedAt *time.Time
		if breached {
			breachedAt = &now
		}
		exec(`INSERT INTO sla_clocks (conversation_id, target, state, started_at, due_at, breached_at, updated_at)
			VALUES ($1, $2, $3, $4::timestamptz, $4::timestamptz + interval '1 hour', $5, $4)`, conv, target, state, now, breachedAt)
	}
	// a: first response met; resolution met late (a breach row, the clock no longer says so).
	clock(a.ConversationID, "first_response", "met", false)
	clock(a.ConversationID, "resolution", "met", false)
	exec(`INSERT INTO sla_breaches (conversation_id, target, started_at, due_at, breached_at)
		VALUES ($1, 'resolution', $2, $2, $2)`, a.ConversationID, now)
	// b: first response missed and still running; next response met.
	clock(b.ConversationID, "first_response", "running", true)
	clock(b.ConversationID, "next_response", "met", false)
	// c: undecided clocks do not count.
	clock(c.ConversationID, "first_response", "running", false)
	clock(c.ConversationID, "resolution", "stopped", false)

	survey := func(conv int64, n int, score *int, answered time.Time, agent *int64) {
		exec(`INSERT INTO surveys (conversation_id, resolved_at, channel, token_hash, sent_at, expires_at, resolved_by, score, answered_at)
			VALUES ($1, $2::timestamptz, 'api', $3, $2::timestamptz, $2::timestamptz + interval '7 days', $4, $5, $6)`,
			conv, now.Add(-time.Duration(n)*time.Hour), []byte{byte(n)}, agent, score, answered)
	}
	five, four, two, one := 5, 4, 2, 1
	agent := ana.agent.ID
	survey(a.ConversationID, 1, &five, now.Add(-time.Hour), &agent)
	survey(b.ConversationID, 2, &four, now.Add(-time.Hour), &agent)
	survey(c.ConversationID, 3, &two, now.Add(-time.Hour), nil)
	survey(c.ConversationID, 4, &one, now.Add(-48*time.Hour), nil) // before the period
	exec(`INSERT INTO surveys (conversation_id, resolved_at, channel, token_hash, sent_at, expires_at)
		VALUES ($1, $2, 'api', '\x09', $2, $2)`, c.ConversationID, now) // unanswered
	e.advance(time.Minute)

	st, body := sup.get(t, "/dashboard?period=1d")
	if st != http.StatusOK {
		t.Fatalf("dashboard: %d", st)
	}
	mustContain(t, "dashboard", body,
		`<span class="tile-n">50%</span><span class="tile-l">SLA compliance</span><span class="tile-s">2 of 4 targets met</span>`,
		`<span class="tile-n">3.67</span><span class="tile-l">CSAT average</span><span class="tile-s">3 answers, 1-5</span>`,
		`<td>First response</td><td class="num">1</td><td class="num">1</td><td class="num">50%</td>`,
		`<td>Next response</td><td class="num">1</td><td class="num">0</td><td class="num">100%</td>`,
		`<td>Resolution</td><td class="num">0</td><td class="num">1</td><td class="num">0%</td>`,
		`aria-label="5 ★ 1; 4 ★ 1; 3 ★ 0; 2 ★ 1; 1 ★ 0; "`,
		`<td>Average</td><td class="num">3.67 of 3</td>`,
		`<td class="num">50%</td><td class="num">4.50</td></tr>`,
		`href="/dashboard/export/sla.csv?period=1d"`, `href="/dashboard/export/csat.csv?period=1d"`)

	_, sla := sup.get(t, "/dashboard/export/sla.csv?period=1d")
	if want := "target,met,breached,total,compliance_percent\nfirst_response,1,1,2,50.0\nnext_response,1,0,1,100.0\n" +
		"resolution,0,1,1,0.0\nall,2,2,4,50.0\n"; sla != want {
		t.Errorf("sla.csv:\n%s\nwant:\n%s", sla, want)
	}
	_, csat := sup.get(t, "/dashboard/export/csat.csv?period=1d")
	if want := "score,answers\n5,1\n4,1\n3,0\n2,1\n1,0\naverage,3.67\nanswered,3\n"; csat != want {
		t.Errorf("csat.csv:\n%s\nwant:\n%s", csat, want)
	}
	_, agents := sup.get(t, "/dashboard/export/agents.csv?period=1d")
	mustContain(t, "agents.csv", agents, ",sla_targets,sla_breached,csat_answers,csat_average,handled,median_handle_seconds,p90_handle_seconds\n",
		",ana,2,0,0,0,0,4,2,2,4.50,0,0,0\n")

	// A quiet week shows dashes, not zeros that look like failures.
	_, empty := sup.get(t, "/dashboard?period=custom&from=2026-01-01&to=2026-01-07")
	mustContain(t, "empty dashboard", empty, `<span class="tile-n">—</span><span class="tile-l">SLA compliance</span>`,
		`<span class="tile-n">—</span><span class="tile-l">CSAT average</span>`)
}
