package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// TestDashboardFiltersAndScopeTheCrossTable rates one conversation of team Alpha (ana, SLA met)
// and one of team Beta (bob, SLA missed): an admin sees both rows of the CSAT cross table and
// narrows them with the filters; Alpha's supervisor sees Alpha's only, whatever they ask, on
// the page, in its CSV, in the summary API and in the live tiles.
func TestDashboardFiltersAndScopeTheCrossTable(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	admin := e.newUser(t, "ada", inbox.RoleAdmin)
	sue := e.newUser(t, "sue", inbox.RoleSupervisor)
	ana := e.newUser(t, "ana", inbox.RoleAgent)
	bob := e.newUser(t, "bob", inbox.RoleAgent)
	alpha, err := e.store.CreateTeam(ctx, "Alpha", []string{"ana@example.com", "sue@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	beta, err := e.store.CreateTeam(ctx, "Beta", []string{"bob@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	now := e.clock()
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := e.pool.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	rated := func(id string, team, agent int64, score int, met bool) {
		c := e.customer(t, id, id+"@example.com", "C "+id, "S", "help").ConversationID
		exec(`UPDATE conversations SET team_id = $2, assignee_id = $3 WHERE id = $1`, c, team, agent)
		exec(`INSERT INTO surveys (conversation_id, resolved_at, channel, token_hash, sent_at, expires_at, resolved_by, score, answered_at, sla_met)
			VALUES ($1, $2::timestamptz, 'api', $3, $2::timestamptz, $2::timestamptz + interval '7 days', $4, $5, $6, $7)`,
			c, now.Add(-2*time.Hour), []byte(id), agent, score, now.Add(-time.Hour), met)
	}
	rated("a", alpha.ID, ana.agent.ID, 5, true)
	rated("b", beta.ID, bob.agent.ID, 2, false)
	e.advance(time.Minute)

	alphaRow := `<td>Uncategorized</td><td>API</td><td>Alpha</td><td>ana</td><td>yes</td><td class="num">1</td><td class="num">5.00</td><td class="num">100%</td>`
	betaRow := `<td>Uncategorized</td><td>API</td><td>Beta</td><td>bob</td><td>no</td><td class="num">1</td><td class="num">2.00</td><td class="num">0%</td>`
	total := func(n int) string {
		return fmt.Sprintf(`<span class="tile-n">%d</span><span class="tile-l">conversations</span>`, n)
	}
	page := func(u *user, q string) string {
		t.Helper()
		st, body := u.get(t, "/dashboard?period=1d"+q)
		if st != http.StatusOK {
			t.Fatalf("dashboard%s: %d", q, st)
		}
		return body
	}
	all := page(admin, "")
	mustContain(t, "admin", all, alphaRow, betaRow, total(2), `id="csat-cross"`, `aria-label="Satisfied answers (4 or 5) by category, percent"`,
		fmt.Sprintf(`<option value="%d">Beta</option>`, beta.ID))
	onlyBeta := page(admin, fmt.Sprintf("&team=%d", beta.ID))
	mustContain(t, "admin, team Beta", onlyBeta, betaRow, total(1),
		fmt.Sprintf(`href="/dashboard/export/csat_cross.csv?period=1d&amp;team=%d"`, beta.ID),
		fmt.Sprintf(`<option value="%d" selected>Beta</option>`, beta.ID))
	mustNotContain(t, "admin, team Beta", onlyBeta, alphaRow)
	mustContain(t, "admin, agent ana", page(admin, fmt.Sprintf("&agent=%d", ana.agent.ID)), alphaRow, total(1))
	mustContain(t, "admin, chat", page(admin, "&channel=chat"), "No survey answers in this period.", total(0))

	mine := page(sue, "")
	mustContain(t, "supervisor", mine, alphaRow, total(1), "The figures cover the conversations of your teams")
	mustNotContain(t, "admin", page(admin, ""), "The figures cover", "You are in no team yet")
	zoe := e.newUser(t, "zoe", inbox.RoleSupervisor)
	mustContain(t, "supervisor of no team", page(zoe, ""), "You are in no team yet", total(0))
	mustNotContain(t, "supervisor", mine, betaRow, fmt.Sprintf(`<option value="%d">Beta</option>`, beta.ID), "<option value=\""+fmt.Sprint(bob.agent.ID)+"\">bob")
	mustContain(t, "supervisor asking for Beta", page(sue, fmt.Sprintf("&team=%d", beta.ID)), "No survey answers in this period.", total(0))

	csv := func(u *user, q string) string {
		t.Helper()
		st, body := u.get(t, "/dashboard/export/csat_cross.csv?period=1d"+q)
		if st != http.StatusOK {
			t.Fatalf("csat_cross.csv%s: %d", q, st)
		}
		return body
	}
	head := "category,channel,team_id,team,agent_id,agent,sla_met,answers,average,satisfied,satisfied_percent\n"
	if got, want := csv(admin, fmt.Sprintf("&team=%d", beta.ID)), head+fmt.Sprintf(",api,%d,Beta,%d,bob,false,1,2.00,0,0\n", beta.ID, bob.agent.ID); got != want {
		t.Errorf("admin csv:\n%s\nwant:\n%s", got, want)
	}
	if got, want := csv(sue, ""), head+fmt.Sprintf(",api,%d,Alpha,%d,ana,true,1,5.00,1,100\n", alpha.ID, ana.agent.ID); got != want {
		t.Errorf("supervisor csv:\n%s\nwant:\n%s", got, want)
	}
	// Every CSV link of a filtered page opens, with its filters.
	links := regexp.MustCompile(`href="(/dashboard/export/[^"]+)"`).FindAllStringSubmatch(onlyBeta, -1)
	if len(links) < 10 {
		t.Errorf("CSV links: %v", links)
	}
	for _, l := range links {
		href := html.UnescapeString(l[1])
		st, body := admin.get(t, href)
		if st != http.StatusOK || !strings.Contains(href, fmt.Sprintf("team=%d", beta.ID)) || !strings.Contains(body, ",") {
			t.Errorf("%s: %d %q", href, st, body)
		}
	}
	_, sum := sue.get(t, "/api/v1/reports/summary?period=1d")
	mustContain(t, "supervisor summary", sum, `"conversations":1,`, `"open_now":1,`)
	_, sum = admin.get(t, fmt.Sprintf("/api/v1/reports/summary?period=1d&team=%d", beta.ID))
	mustContain(t, "admin summary of Beta", sum, `"conversations":1,`, `"open_now":1,`)
	_, live := sue.get(t, "/api/v1/dashboard/live")
	mustContain(t, "supervisor live", live, `"open":1,`)

	// A category filter takes its subcategories: b is filed under Delivery › Damaged.
	var delivery, damaged, billing int64
	if err := e.pool.QueryRow(ctx, `INSERT INTO categories (name) VALUES ('Parcels') RETURNING id`).Scan(&delivery); err != nil {
		t.Fatal(err)
	}
	if err := e.pool.QueryRow(ctx, `INSERT INTO categories (name, parent_id) VALUES ('Crushed', $1) RETURNING id`, delivery).Scan(&damaged); err != nil {
		t.Fatal(err)
	}
	if err := e.pool.QueryRow(ctx, `INSERT INTO categories (name) VALUES ('Invoices') RETURNING id`).Scan(&billing); err != nil {
		t.Fatal(err)
	}
	exec(`UPDATE conversations SET category_id = $1, category = 'Parcels › Crushed' WHERE team_id = $2`, damaged, beta.ID)
	damagedRow := `<td>Parcels › Crushed</td><td>API</td><td>Beta</td><td>bob</td><td>no</td>`
	byParent := page(admin, fmt.Sprintf("&category=%d", delivery))
	mustContain(t, "admin, category Delivery", byParent, damagedRow, total(1))
	mustNotContain(t, "admin, category Delivery", byParent, alphaRow)
	mustContain(t, "admin, category Billing", page(admin, fmt.Sprintf("&category=%d", billing)), total(0))
	mustContain(t, "supervisor, category Delivery", page(sue, fmt.Sprintf("&category=%d", delivery)), total(0))

	for _, q := range []string{"&team=abc", "&agent=-1", "&category=0", "&channel=fax"} {
		if st, _ := admin.get(t, "/dashboard?period=1d"+q); st != http.StatusBadRequest {
			t.Errorf("dashboard%s: %d, want 400", q, st)
		}
		if st, _ := admin.get(t, "/dashboard/export/csat_cross.csv?period=1d"+q); st != http.StatusBadRequest {
			t.Errorf("csv%s: %d, want 400", q, st)
		}
	}
}
