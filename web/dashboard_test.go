package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

func TestDashboardReportsVolumesTimesAndAgentsWithCSV(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	sup := e.newUser(t, "sue", inbox.RoleAdmin)
	ana := e.newUser(t, "ana", inbox.RoleAgent)
	by := inbox.Actor{AgentID: ana.agent.ID}
	work := func(id string, firstResponse, resolution time.Duration) {
		res := e.customer(t, id, id+"@example.com", "C "+id, "S", "help")
		if _, err := e.store.Assign(ctx, res.ConversationID, ana.agent.ID, by); err != nil {
			t.Fatal(err)
		}
		e.advance(firstResponse)
		if _, err := e.store.Send(ctx, inbox.Reply{ConversationID: res.ConversationID, Author: by, Text: "on it"}); err != nil {
			t.Fatal(err)
		}
		e.advance(resolution - firstResponse)
		if _, err := e.store.SetStatus(ctx, res.ConversationID, inbox.StatusResolved, by); err != nil {
			t.Fatal(err)
		}
	}
	work("a", 10*time.Minute, time.Hour)
	work("b", 30*time.Minute, 2*time.Hour)
	e.customer(t, "c", "c@example.com", "C c", "S", "still waiting")
	e.advance(time.Minute)

	st, body := sup.get(t, "/dashboard?period=1d")
	if st != http.StatusOK {
		t.Fatalf("dashboard: %d", st)
	}
	mustContain(t, "dashboard", body,
		`<span class="tile-n">3</span><span class="tile-l">conversations</span>`,
		`<td>First response</td><td class="num">2</td><td class="num">20m</td><td class="num">28m</td>`,
		`<td>Resolution</td><td class="num">2</td><td class="num">1h 30m</td><td class="num">1h 54m</td>`,
		`<td>ana</td><td class="num">2</td><td class="num">2</td><td class="num">2</td><td class="num">20m</td><td class="num">1h 30m</td>`,
		`aria-label="API 3; "`, `<svg class="chart columns"`, `data-src="/api/v1/sla/board"`,
		`href="/dashboard/export/agents.csv?period=1d"`)

	st, csv := sup.get(t, "/dashboard/export/times.csv?period=1d")
	if st != http.StatusOK {
		t.Fatalf("csv: %d", st)
	}
	want := "measure,conversations,median_seconds,p90_seconds\nfirst_response,2,1200,1680\nresolution,2,5400,6840\n" +
		"first_response_business,0,0,0\nresolution_business,0,0,0\n"
	if csv != want {
		t.Errorf("times.csv:\n%s\nwant:\n%s", csv, want)
	}
	_, channels := sup.get(t, "/dashboard/export/channels.csv?period=1d")
	if channels != "channel,conversations\napi,3\n" {
		t.Errorf("channels.csv: %q", channels)
	}
	_, agents := sup.get(t, "/dashboard/export/agents.csv?period=custom&from=2026-11-23&to=2026-11-23")
	mustContain(t, "agents.csv", agents, ",ana,2,2,2,1200,5400,0,0,0,0.00,2,5400,6840\n")
	if st, _ := sup.get(t, "/dashboard/export/secrets.csv"); st != http.StatusNotFound {
		t.Errorf("unknown table: %d", st)
	}
	if st, _ := sup.get(t, "/dashboard?period=custom&from=2026-12-01&to=2026-11-01"); st != http.StatusBadRequest {
		t.Errorf("backwards period: %d", st)
	}
}

func TestCSVCellsNeverStartAFormula(t *testing.T) {
	for in, want := range map[string]string{"=SUM(A1)": "'=SUM(A1)", "+1": "+1", "-3": "-3", "@x": "'@x", "ok": "ok", "": ""} {
		if got := csvSafe(in); got != want {
			t.Errorf("csvSafe(%q) = %q, want %q", in, got, want)
		}
	}
	if !strings.HasPrefix(csvSafe("-cmd|' /C calc'!A0"), "'") {
		t.Error("a dash formula is not neutralized")
	}
}
