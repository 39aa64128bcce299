package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/sla"
)

// clockRow is a stored clock (sla_clocks).
type clockRow struct {
	target     sla.Target
	policyID   *int64
	state      sla.State
	generation int
	start      time.Time
	due, warn  *time.Time
	met        *time.Time
	warned     *time.Time
	breached   *time.Time
	level      int
	// business is the business time from start to met on the policy's calendar, in seconds;
	// set when the clock is written met (the reports read it), nil otherwise.
	business *int64
}

// convClocks is one conversation's SLA state after a refresh.
type convClocks struct {
	id, contactID, teamID, assigneeID int64
	status                            inbox.Status
	priority                          inbox.Priority
	policy                            *Policy
	clocks                            map[sla.Target]*clockRow
}

// refresh brings a conversation's clocks up to date with its current state, in tx and under the
// conversation's clock lock: it rebuilds the pauses from the status history, computes every
// target's due and warning instants in business hours, stores what changed with a new
// generation, schedules the deadline jobs of the new generation (the older ones then do
// nothing) and records when a breached target is finally met. Clocks whose plan did not change
// are left alone, so a refresh is cheap and idempotent.
func (e *engine) refresh(ctx context.Context, tx pgx.Tx, convID int64) (*convClocks, error) {
	ccs, err := e.refreshMany(ctx, tx, []int64{convID})
	if err != nil {
		return nil, err
	}
	return ccs[0], nil
}

// refreshMany refreshes the clocks of the conversations ids, taking their clock locks in the
// order given, each as refresh does, with three round trips for all of them (their reads,
// their writes, their deadline jobs) instead of three each. It returns their states in the
// order of ids.
func (e *engine) refreshMany(ctx context.Context, tx pgx.Tx, ids []int64) ([]*convClocks, error) {
	states, err := loadClockStates(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	now := e.now()
	b := &pgx.Batch{}
	var jobs []river.InsertManyParams
	out := make([]*convClocks, len(states))
	for i, st := range states {
		planned, err := st.plan(b, now)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, planned...)
		out[i] = st.cc
	}
	if b.Len() > 0 {
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return nil, fmt.Errorf("workflow: sla store clocks of %v: %w", ids, err)
		}
	}
	return out, e.insert(ctx, tx, jobs)
}

// plan queues on b the writes that bring st's clocks up to date at now (see refresh) and
// returns the deadline jobs of the generations it starts.
func (st clockState) plan(b *pgx.Batch, now time.Time) ([]river.InsertManyParams, error) {
	cc, facts, convID := st.cc, st.facts, st.cc.id
	if !samePauses(st.stored, facts.Pauses) {
		queuePauses(b, convID, facts.Pauses)
	}
	var plans []sla.Plan
	if cc.policy != nil {
		var err error
		if plans, err = sla.PlanClocks(cc.policy.terms(), facts); err != nil {
			return nil, fmt.Errorf("workflow: sla plan of %d: %w", convID, err)
		}
	}
	var jobs []river.InsertManyParams
	seen := map[sla.Target]bool{}
	for _, pl := range plans {
		seen[pl.Target] = true
		r, changed := cc.apply(b, pl, facts, now)
		if changed && r.state == sla.Running && r.breached == nil {
			jobs = append(jobs, river.InsertManyParams{Args: SLABreachArgs{ConversationID: convID, Target: r.target,
				Generation: r.generation}, InsertOpts: scheduled(*r.due)})
			if r.warned == nil && r.warn.Before(*r.due) {
				jobs = append(jobs, river.InsertManyParams{Args: SLAWarningArgs{ConversationID: convID, Target: r.target,
					Generation: r.generation}, InsertOpts: scheduled(*r.warn)})
			}
		}
	}
	for t, r := range cc.clocks {
		if !seen[t] && (r.state == sla.Running || r.state == sla.Paused) {
			r.state, r.due, r.warn, r.generation = sla.Stopped, nil, nil, r.generation+1
			queueClock(b, convID, r, now)
		}
	}
	return jobs, nil
}

// apply makes the stored clock of pl.Target follow the plan, queueing the writes on b, and
// reports whether it changed (and so has a new generation).
func (cc *convClocks) apply(b *pgx.Batch, pl sla.Plan, f sla.Facts, now time.Time) (*clockRow, bool) {
	r := cc.clocks[pl.Target]
	if r == nil {
		r = &clockRow{target: pl.Target}
		cc.clocks[pl.Target] = r
	}
	newCycle := r.generation == 0 || !r.start.Equal(pl.Start)
	if newCycle && r.met == nil && r.breached != nil && !f.CycleReplyAt.IsZero() {
		// An earlier next-response cycle ended unnoticed before this one began.
		queueBreachMet(b, cc.id, r.target, r.start, f.CycleReplyAt)
	}
	due, warn, met := timeOrNil(pl.Due), timeOrNil(pl.Warn), timeOrNil(pl.MetAt)
	changed := newCycle || r.state != pl.State || !sameTime(r.due, due) || !sameTime(r.warn, warn) ||
		!sameTime(r.met, met) || !sameID(r.policyID, &cc.policy.ID)
	if !changed {
		return r, false
	}
	if !newCycle && r.met == nil && met != nil && r.breached != nil {
		queueBreachMet(b, cc.id, r.target, r.start, *met)
	}
	if newCycle {
		r.warned, r.breached, r.level = nil, nil, 0
	}
	r.policyID, r.state, r.start, r.due, r.warn, r.met = &cc.policy.ID, pl.State, pl.Start, due, warn, met
	r.business = nil
	if met != nil {
		secs := int64(cc.policy.Calendar.Between(pl.Start, *met) / time.Second)
		r.business = &secs
	}
	r.generation++
	queueClock(b, cc.id, r, now)
	return r, true
}

func queueClock(b *pgx.Batch, convID int64, r *clockRow, now time.Time) {
	b.Queue(`INSERT INTO sla_clocks (conversation_id, target, policy_id, state, generation, started_at, due_at, warn_at,
			met_at, warned_at, breached_at, level, updated_at, business_secs)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		ON CONFLICT (conversation_id, target) DO UPDATE SET policy_id = excluded.policy_id, state = excluded.state,
			generation = excluded.generation, started_at = excluded.started_at, due_at = excluded.due_at,
			warn_at = excluded.warn_at, met_at = excluded.met_at, warned_at = excluded.warned_at,
			breached_at = excluded.breached_at, level = excluded.level, updated_at = excluded.updated_at,
			business_secs = excluded.business_secs`,
		convID, r.target, r.policyID, r.state, r.generation, r.start, r.due, r.warn, r.met, r.warned, r.breached, r.level, now,
		r.business)
}

// queueBreachMet records when the breached cycle starting at start was finally met.
func queueBreachMet(b *pgx.Batch, convID int64, t sla.Target, start, met time.Time) {
	b.Queue(`UPDATE sla_breaches SET met_at = $4, overdue_ms = (extract(epoch FROM $4::timestamptz - due_at) * 1000)::bigint
		WHERE conversation_id = $1 AND target = $2 AND started_at = $3 AND met_at IS NULL`, convID, t, start, met)
}

// queuePauses replaces a conversation's stored pauses.
func queuePauses(b *pgx.Batch, convID int64, ps []sla.StatusPause) {
	b.Queue(`DELETE FROM sla_pauses WHERE conversation_id = $1`, convID)
	for _, p := range ps {
		b.Queue(`INSERT INTO sla_pauses (conversation_id, started_at, reason, ended_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (conversation_id, started_at) DO NOTHING`, convID, p.Start, p.Reason, timeOrNil(p.End))
	}
}

func samePauses(a, b []sla.StatusPause) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Reason != b[i].Reason || !a[i].Start.Equal(b[i].Start) || !a[i].End.Equal(b[i].End) {
			return false
		}
	}
	return true
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

func sameID(a, b *int64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// pauseReason is why the SLA clocks of a conversation in status s stand still: "" while they
// run (new, open), pending while it waits on the customer or is snoozed (both stop the clocks
// only under a policy that pauses on pending), resolved once resolved or closed.
func pauseReason(s inbox.Status) sla.PauseReason {
	switch s {
	case inbox.StatusPending, inbox.StatusSnoozed:
		return sla.PendingPause
	case inbox.StatusResolved, inbox.StatusClosed:
		return sla.ResolvedPause
	}
	return ""
}

// errNoConversation means a job names a conversation that does not exist.
var errNoConversation = errors.New("no such conversation")
