package main

import (
	"context"
	"time"
)

// killRun is what scenario a leaves for its checks.
type killRun struct {
	ld       *load
	killedAt time.Time
	orphans  []int64 // jobs running on the killed server when it died
	err      error
}

// The shape of scenario a's load and its timing.
var (
	killLoad   = loadShape{api: 3, sms: 2, visitors: 6, agents: 2, replies: true}
	killAfter  = 6 * time.Second  // load before the kill
	killTail   = 8 * time.Second  // load after it
	rescueWait = 90 * time.Second // how long after the kill its jobs may take to finish elsewhere
)

// runKill is scenario a: load on both servers, SIGKILL of servers[0] in the middle of it.
func (h *harness) runKill(ctx context.Context) *killRun {
	ld := h.startLoad("a", killLoad)
	run := &killRun{ld: ld}
	sleep(ctx, killAfter)
	// The survivor started first, alone, so it is River's leader; its client id tells its jobs
	// from the victim's.
	var survivor string
	run.err = h.db.QueryRow(ctx, `SELECT leader_id FROM river_leader`).Scan(&survivor)
	h.mu.Lock()
	victim := h.servers[0]
	h.mu.Unlock()
	run.killedAt = time.Now()
	victim.kill()
	if run.err == nil {
		rows, err := h.db.Query(ctx, `SELECT id FROM river_job WHERE state = 'running'
			AND attempted_by[array_length(attempted_by, 1)] <> $1`, survivor)
		if err == nil {
			for rows.Next() {
				var id int64
				if rows.Scan(&id) == nil {
					run.orphans = append(run.orphans, id)
				}
			}
			rows.Close()
		}
		run.err = err
	}
	sleep(ctx, killTail)
	ld.finish(30 * time.Second)
	return run
}

// checkKill checks scenario a once the others have run (giving the dead server's jobs time).
func (h *harness) checkKill(ctx context.Context, run *killRun) *result {
	r := &result{name: "a. SIGKILL of one of two servers under load"}
	if run.err != nil {
		r.fail("reading the jobs: %v", run.err)
	}
	h.checkStored(ctx, run.ld, r)
	h.checkVisitors(ctx, run.ld, r)
	h.checkAgents(ctx, run.ld, r)
	left := time.Until(run.killedAt.Add(rescueWait))
	_ = h.waitFor(ctx, max(left, 0), "the dead server's jobs", func() bool { return len(h.stillRunning(ctx, run.orphans)) == 0 })
	stuck := h.stillRunning(ctx, run.orphans)
	r.note("%d jobs were running on the killed server; %d still 'running' %s after the kill",
		len(run.orphans), len(stuck), time.Since(run.killedAt).Round(time.Second))
	if len(stuck) > 0 {
		r.fail("jobs: %d jobs of the killed server (%s) not finished by the survivor %s after the kill",
			len(stuck), h.jobKinds(ctx, stuck), rescueWait)
	}
	h.checkReplies(ctx, run.ld, r, 20*time.Second)
	h.checkWorkflow(ctx, run.ld, r, 20*time.Second)
	return r
}

// stillRunning returns those of ids still in state running.
func (h *harness) stillRunning(ctx context.Context, ids []int64) []int64 {
	var out []int64
	rows, err := h.db.Query(ctx, `SELECT id FROM river_job WHERE id = ANY($1) AND state = 'running'`, ids)
	if err != nil {
		return ids
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if rows.Scan(&id) == nil {
			out = append(out, id)
		}
	}
	return out
}

// jobKinds lists the kinds of the jobs ids, with counts.
func (h *harness) jobKinds(ctx context.Context, ids []int64) string {
	var s string
	_ = h.db.QueryRow(ctx, `SELECT string_agg(kind || ' ×' || n, ', ') FROM
		(SELECT kind, count(*) AS n FROM river_job WHERE id = ANY($1) GROUP BY kind ORDER BY kind) k`, ids).Scan(&s)
	return s
}
