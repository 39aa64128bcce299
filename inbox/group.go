package inbox

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// group is the group commit of concurrent ingests. A durable commit costs a WAL flush and a
// NOTIFY takes a global lock at commit, so one transaction per message caps throughput; instead
// an ingest joins the pending list, and the first to arrive at an empty list leads: it waits for
// a free committer slot (while the slots are busy, later arrivals pile up behind it), takes the
// whole list, and runs it as one transaction with one NOTIFY. Under light load a lone ingest
// commits at once; under heavy load batches grow by themselves. There is no background
// goroutine: callers do the work, and each returns only after its message is durable.
//
// A batch has a fixed cost (its round trips and its commit) that is most of the cost of a small
// one, so a leader that holds a slot gathers before it takes the list: it waits until as many
// callers are pending as were lately in the group at once (expect), for at most an eighth of
// the time the last batch took (gatherShare) and never over 2 ms (maxGather). Without this,
// callers that keep a steady stream of messages coming (a busy integration, many webhooks)
// split into two cohorts that alternate, each committing half as many messages per batch as
// one could: measured with 16 clients, batches of 8 became batches of 15 and throughput rose
// by a fifth or more. When fewer come than expected, the wait runs out and expect drops to
// those that came, so a thinning load pays for one short wait.
type group struct {
	store    *Store
	maxBatch int
	slots    chan struct{}
	arrived  chan struct{} // signalled (without blocking) when a call joins pending
	waitCap  time.Duration // the longest a leader gathers, whatever the last batch took

	mu      sync.Mutex
	pending []*call
	running int           // calls in batches now committing
	expect  int           // callers a leader gathers for: the most lately in the group at once
	lastRun time.Duration // how long the last batch took to commit
}

// gatherShare bounds a leader's gathering to this fraction of the time the last batch took to
// commit: the wait costs at most that share of a committer's time, and saves a batch's fixed
// cost whenever the expected callers come.
const gatherShare = 8

// maxGather caps the wait of gatherShare: a batch slowed by a lock or a failing statement must
// not make the next leader wait long.
const maxGather = 2 * time.Millisecond

// call is one ingest waiting for its batch.
type call struct {
	in   *Inbound
	res  IngestResult
	err  error
	done chan struct{}
}

func newGroup(s *Store, maxBatch, committers int) *group {
	if maxBatch <= 0 {
		maxBatch = 128
	}
	if committers <= 0 {
		committers = 1
	}
	return &group{store: s, maxBatch: maxBatch, slots: make(chan struct{}, committers), arrived: make(chan struct{}, 1),
		waitCap: maxGather}
}

// do ingests in as part of a batch and returns its result once the batch committed.
func (g *group) do(ctx context.Context, in *Inbound) (IngestResult, error) {
	c := &call{in: in, done: make(chan struct{})}
	g.mu.Lock()
	g.pending = append(g.pending, c)
	lead := len(g.pending) == 1
	g.expect = max(g.expect, len(g.pending)+g.running)
	g.mu.Unlock()
	select {
	case g.arrived <- struct{}{}:
	default:
	}
	if lead {
		g.lead(ctx)
	}
	// Once queued, a call is always completed by its leader: waiting here cannot leak it.
	<-c.done
	if c.err != nil {
		return IngestResult{}, c.err
	}
	return c.res, nil
}

// lead runs the pending list once a committer slot is free.
func (g *group) lead(ctx context.Context) {
	g.slots <- struct{}{}
	defer func() { <-g.slots }()
	g.gather()
	g.mu.Lock()
	batch := g.pending
	g.pending = nil
	g.running += len(batch)
	g.mu.Unlock()
	// The batch outlives any one caller's cancellation: the others are waiting on it.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	start := time.Now()
	for len(batch) > 0 {
		n := min(len(batch), g.maxBatch)
		g.commit(ctx, batch[:n])
		batch = batch[n:]
	}
	g.mu.Lock()
	g.lastRun = time.Since(start)
	g.mu.Unlock()
}

// gather waits until the callers the group expects are pending, for at most the last batch's
// time divided by gatherShare, capped by waitCap (see group). When the wait runs out, expect
// becomes the number that came.
func (g *group) gather() {
	var timeout <-chan time.Time
	for {
		g.mu.Lock()
		n, want, wait := len(g.pending), min(g.expect, g.maxBatch), min(g.lastRun/gatherShare, g.waitCap)
		g.mu.Unlock()
		if n >= want || wait <= 0 {
			return
		}
		if timeout == nil {
			t := time.NewTimer(wait)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-g.arrived:
		case <-timeout:
			g.mu.Lock()
			g.expect = len(g.pending)
			g.mu.Unlock()
			return
		}
	}
}

// commit runs calls in one transaction. If the transaction fails (after run's retries of a
// deadlock), each call is retried alone, so one bad message (or a lost race) never fails the
// others.
func (g *group) commit(ctx context.Context, calls []*call) {
	// Every batch takes its identity locks in the same order: concurrent batches never deadlock.
	sort.SliceStable(calls, func(i, j int) bool { return calls[i].in.lockKey() < calls[j].in.lockKey() })
	err := g.run(ctx, calls)
	if err == nil {
		g.store.meter.IngestBatch(len(calls))
	}
	if err != nil && len(calls) > 1 {
		for _, c := range calls {
			c.err = g.run(ctx, []*call{c})
			if errors.Is(c.err, errRaced) {
				c.err = g.run(ctx, []*call{c})
			}
			g.release(c)
		}
		return
	}
	if errors.Is(err, errRaced) {
		err = g.run(ctx, calls)
	}
	for _, c := range calls {
		if err != nil {
			c.err = err
		}
		g.release(c)
	}
}

// release hands a finished call back to its caller, who no longer counts as running: a caller
// that comes straight back with its next message must not be counted twice in expect.
func (g *group) release(c *call) {
	g.mu.Lock()
	g.running--
	g.mu.Unlock()
	close(c.done)
}

// run stores calls in one transaction, run again (retryTx) when PostgreSQL aborts it for a
// deadlock or a serialization failure: every attempt starts from the calls alone and sets each
// call's result afresh, and a result counts only once its attempt committed, so no call is
// acknowledged for a message an aborted attempt wrote.
func (g *group) run(ctx context.Context, calls []*call) error {
	return retryTx(ctx, func() error { return g.runOnce(ctx, calls) })
}

// runOnce is one attempt of run: BEGIN rides with the first wave's lookups, and the NOTIFYs
// with COMMIT (see pipeTx), so a batch costs a round trip for each wave's lookups and writes,
// one for its jobs, and one to commit.
func (g *group) runOnce(ctx context.Context, calls []*call) error {
	s := g.store
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("inbox: ingest: %w", err)
	}
	defer conn.Release()
	tx := &pipeTx{conn: conn.Conn()}
	err = s.ingestCalls(ctx, tx, calls)
	if err != nil {
		// A connection still in a transaction is closed, not reused, when Rollback fails.
		_ = tx.Rollback(ctx)
	}
	if err != nil && !errors.Is(err, errRaced) {
		return fmt.Errorf("inbox: ingest: %w", err)
	}
	return err
}

// ingestCalls runs calls' waves on tx, enqueues their jobs and commits with their events.
func (s *Store) ingestCalls(ctx context.Context, tx *pipeTx, calls []*call) error {
	var events []Event
	for _, c := range calls {
		c.res = IngestResult{} // an aborted attempt's result does not count
	}
	for pending := calls; len(pending) > 0; {
		wave, rest := splitWave(pending)
		ins := make([]*Inbound, len(wave))
		for i, c := range wave {
			ins[i] = c.in
		}
		results, evs, deferred, err := s.ingestWave(ctx, tx, ins)
		if err != nil {
			return err
		}
		later := map[*Inbound]bool{}
		for _, in := range deferred {
			later[in] = true
		}
		for i, c := range wave {
			if later[c.in] {
				rest = append(rest, c)
			} else {
				c.res = results[i]
			}
		}
		events = append(events, evs...)
		pending = rest
	}
	// The assignees of the conversations customers answered are told, in one statement for the
	// batch (a round trip only when some message has an assignee).
	notices, err := s.notifyEvents(ctx, tx, repliedNotices(events))
	if err != nil {
		return err
	}
	events = append(events, notices...)
	b := &pgx.Batch{}
	if err := s.publishInto(ctx, tx, b, events); err != nil {
		return err
	}
	return tx.commitWith(ctx, b)
}
