package main

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// benchReportsCmd is `parley bench reports`: after VACUUM ANALYZE, it measures the dashboard
// (every report of a period, each read in full), each filter on it, a CSV export and the summary
// API, for the admin (every conversation) and the demo supervisor (their team's), at whatever
// size DATABASE_URL holds (seed one with `parley demo --conversations N`), on an in-process
// server, and prints latency percentiles; then the complaint register, the feedback page and the breach
// log, which list rows of their own. A page runs every report query once, so its time
// bounds each query's.
func benchReportsCmd(ctx context.Context, c *cli) error {
	b, err := startPageBench(ctx, c, "bench reports")
	if err != nil {
		return err
	}
	defer b.close()
	if err := b.analyze(ctx, c.stdout); err != nil {
		return err
	}
	sup, err := b.session(ctx, demoSupervisorEmail)
	if err != nil {
		return err
	}
	teams, err := b.app.store.Teams(ctx)
	if err != nil || len(teams) == 0 {
		return fmt.Errorf("bench reports: no teams; seed with `parley demo --conversations N` (%v)", err)
	}
	agents, err := b.app.store.Agents(ctx)
	if err != nil || len(agents) == 0 {
		return fmt.Errorf("bench reports: no agents (%v)", err)
	}
	team, agent := strconv.FormatInt(teams[0].ID, 10), strconv.FormatInt(agents[0].ID, 10)
	var conversations int64
	if err := b.app.pool.QueryRow(ctx, `SELECT count(*) FROM conversations`).Scan(&conversations); err != nil {
		return fmt.Errorf("bench reports: %w", err)
	}
	admin := b.admin
	since := time.Now().UTC().AddDate(0, 0, -30).Format(time.DateOnly)
	dash := func(q string) func() string { return fixed("/dashboard?" + q) }
	pages := []benchPage{
		{"dashboard, 24 hours", admin, dash("period=1d")},
		{"dashboard, 7 days", admin, dash("period=7d")},
		{"dashboard, 30 days", admin, dash("period=30d")},
		{"dashboard, 90 days", admin, dash("period=90d")},
		{"dashboard, 30 days, one team", admin, dash("period=30d&team=" + team)},
		{"dashboard, 30 days, email", admin, dash("period=30d&channel=email")},
		{"dashboard, 30 days, one agent", admin, dash("period=30d&agent=" + agent)},
		{"dashboard, 30 days, team+channel", admin, dash("period=30d&team=" + team + "&channel=sms")},
		{"supervisor: dashboard, 30 days", sup, dash("period=30d")},
		{"CSAT cross CSV, 30 days", admin, fixed("/dashboard/export/csat_cross.csv?period=30d")},
		{"summary API, 7 days", admin, fixed("/api/v1/reports/summary?period=7d")},
		{"reports API, 30 days", admin, fixed("/api/v1/reports?period=30d")},
		{"reports API, 30 days, team+channel+agent", admin,
			fixed("/api/v1/reports?period=30d&team=" + team + "&channel=sms&agent=" + agent)},
		{"supervisor: reports API, 90 days", sup, fixed("/api/v1/reports?period=90d")},
		{"live tiles API", admin, fixed("/api/v1/dashboard/live")},
		{"complaint register", admin, fixed("/complaints")},
		{"complaint register, 30 days, one team", admin, fixed("/api/v1/complaints?from=" + since + "&team=" + team)},
		{"feedback page", admin, fixed("/feedback")},
		{"feedback page, low scores, one team", admin, fixed("/feedback?score=1-2&team=" + team)},
		{"breach log", admin, fixed("/sla/breaches")},
	}
	fmt.Fprintf(c.stdout, "dashboard reports over %d conversations: %d requests each, %d concurrent\n", conversations, b.requests, b.conc)
	return b.run(ctx, c.stdout, pages)
}
