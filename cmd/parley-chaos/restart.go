package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// The shape of scenario b's load and its timing.
var (
	restartLoad  = loadShape{api: 3, sms: 2, visitors: 4, agents: 2, replies: true}
	restartAfter = 4 * time.Second  // load before PostgreSQL stops
	downFor      = 6 * time.Second  // how long it stays down
	restartTail  = 8 * time.Second  // load after it is back
	answerBound  = 10 * time.Second // the longest a refusal may take while it is down
	recoverBound = 30 * time.Second // how soon after it is back each server must store again
)

// probe is one answer of a probe request.
type probe struct {
	server     string
	at         time.Time
	took       time.Duration
	status     int // 0: no answer
	retryAfter bool
}

// restartRun is what scenario b leaves for its checks.
type restartRun struct {
	ld           *load
	downAt, upAt time.Time // the stop returned; the restart returned
	restartAt    time.Time // the restart began
	servers      []*server
	err          error

	mu     sync.Mutex
	probes []probe
}

// runRestart is scenario b: a new server replaces the killed one, then PostgreSQL is stopped and
// started again under load while probes post to each server four times a second.
func (h *harness) runRestart(ctx context.Context) *restartRun {
	run := &restartRun{}
	third, err := h.p.startServer(ctx, "server-3", "")
	if err != nil {
		run.err = err
		return run
	}
	h.mu.Lock()
	survivor := h.servers[1]
	h.mu.Unlock()
	h.setServers(survivor, third)
	run.servers = []*server{survivor, third}
	run.ld = h.startLoad("b", restartLoad)
	probing, stopProbes := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, s := range run.servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.probe(probing, run, s)
		}()
	}
	sleep(ctx, restartAfter)
	if err := h.pg.stop(ctx); err != nil {
		run.err = err
	}
	run.downAt = time.Now() // pg_ctl stop -w returns once the server is down
	sleep(ctx, downFor)
	run.restartAt = time.Now() // it accepts connections before localpg returns
	if err := h.pg.restart(ctx); err != nil && run.err == nil {
		run.err = err
	}
	run.upAt = time.Now()
	sleep(ctx, restartTail)
	stopProbes()
	wg.Wait()
	run.ld.finish(30 * time.Second)
	return run
}

// probe posts a new inbound message to s every 250 ms and records each answer; acknowledged
// probes join the load's ledger, so they must be stored too.
func (h *harness) probe(ctx context.Context, run *restartRun, s *server) {
	for i := 0; ctx.Err() == nil; i++ {
		key := fmt.Sprintf("b-probe-%s-%d", s.name, i)
		body, _ := json.Marshal(map[string]any{"external_id": key, "text": key,
			"contact": map[string]string{"email": "b-probe@example.com"}})
		req, _ := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodPost, s.url+"/api/v1/inbound", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+h.integrationToken)
		run.ld.l.try("api", key)
		p := probe{server: s.name, at: time.Now()}
		resp, err := h.client.Do(req)
		p.took = time.Since(p.at)
		if err == nil {
			p.status, p.retryAfter = resp.StatusCode, resp.Header.Get("Retry-After") != ""
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode/100 == 2 {
				run.ld.l.ack("api", key, 0)
			}
		}
		run.mu.Lock()
		run.probes = append(run.probes, p)
		run.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// checkRestart checks scenario b.
func (h *harness) checkRestart(ctx context.Context, run *restartRun) *result {
	r := &result{name: "b. PostgreSQL restarted mid-load"}
	if run.err != nil {
		r.fail("%v", run.err)
		if run.ld == nil {
			return r
		}
	}
	h.checkStored(ctx, run.ld, r)
	h.checkVisitors(ctx, run.ld, r)
	h.checkAgents(ctx, run.ld, r)
	live := run.ld.l.messageTimes()
	// From when the restart began: the relay may resubscribe (and the sockets be told
	// feed.resumed) before the start command returns, and nothing resumes while it is down.
	for i, a := range run.ld.agents {
		if !a.resyncedAfter(run.restartAt, live) {
			r.fail("agents: socket %d neither resynced (feed.resumed or a new connection) nor got a new message live after PostgreSQL was back", i)
		}
	}
	h.checkReplies(ctx, run.ld, r, 30*time.Second)
	for _, s := range run.servers {
		if !s.alive() {
			r.fail("%s exited during the outage (see %s)", s.name, s.log)
		}
	}
	run.mu.Lock()
	probes := append([]probe(nil), run.probes...)
	run.mu.Unlock()
	// While it is down (from the stop's return to the restart's start): 503 with Retry-After, answered
	// within answerBound.
	var down, good int
	var slowest time.Duration
	kinds := map[string]int{}
	recovered := map[string]time.Duration{}
	for _, p := range probes {
		if p.at.After(run.downAt) && p.at.Add(p.took).Before(run.restartAt) {
			down++
			slowest = max(slowest, p.took)
			switch {
			case p.status == http.StatusServiceUnavailable && p.retryAfter:
				good++
			case p.status == 0:
				kinds["no answer"]++
			default:
				kinds[fmt.Sprintf("%d retry-after=%v", p.status, p.retryAfter)]++
			}
		}
		if p.at.After(run.upAt) && p.status/100 == 2 {
			if _, ok := recovered[p.server]; !ok {
				recovered[p.server] = p.at.Add(p.took).Sub(run.upAt)
			}
		}
	}
	r.note("PostgreSQL down from %s to %s, back by %s", clock(run.downAt), clock(run.restartAt), clock(run.upAt))
	r.note("probes while PostgreSQL was down: %d, %d answered 503 with Retry-After, others %v, slowest %s",
		down, good, kinds, slowest.Round(time.Millisecond))
	if good < down {
		r.fail("outage: %d of %d requests while PostgreSQL was down were not answered 503 with Retry-After (%v)", down-good, down, kinds)
	}
	if slowest > answerBound {
		r.fail("outage: a request took %s to be answered while PostgreSQL was down (bound %s)", slowest.Round(time.Millisecond), answerBound)
	}
	for _, s := range run.servers {
		d, ok := recovered[s.name]
		switch {
		case !ok:
			r.fail("recovery: %s stored nothing after PostgreSQL came back", s.name)
		case d > recoverBound:
			r.fail("recovery: %s took %s to store again (bound %s)", s.name, d.Round(time.Millisecond), recoverBound)
		default:
			r.note("%s stored again %s after PostgreSQL was back", s.name, d.Round(time.Millisecond))
			r.unavailable = max(r.unavailable, run.upAt.Sub(run.downAt)+d)
		}
	}
	return r
}
