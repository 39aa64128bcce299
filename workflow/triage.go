package workflow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// TriageArgs is the job that takes new conversations through the workflow's first step:
// routing by the rules, their SLA clocks and their assignment. A change that creates
// conversations enqueues one for all of them (a group commit of the ingest, one for its whole
// wave). It replaces the route job, the sla_compute job of a new conversation and the assign
// job the route job enqueued (those kinds are still worked, for jobs enqueued before).
type TriageArgs struct {
	ConversationIDs []int64 `json:"conversation_ids"`
}

// Kind implements river.JobArgs.
func (TriageArgs) Kind() string { return "triage" }

// InsertOpts puts the job on its own queue.
func (TriageArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueTriage}
}

// triageBatch is how many new conversations one triage transaction takes at most: its own and
// the oldest others not yet routed.
const triageBatch = 64

// triageRetry is how long a triage job that cannot start waits before it looks again (River
// snoozes it, which costs no attempt); by then the triage that held it up has usually taken
// its conversations.
const triageRetry = 25 * time.Millisecond

// triagePoll is how often the triage queue looks for jobs that no insert announced: a job
// snoozed by triageRetry is available again after it, and nothing else wakes River's producer
// then (River's default is a second, which left the last conversations of a burst waiting for
// seconds once the inserts stopped).
const triagePoll = 50 * time.Millisecond

// triageWorker runs TriageArgs jobs.
type triageWorker struct {
	river.WorkerDefaults[TriageArgs]
	route *routeWorker // its rules cache and facts
	e     *engine
	log   *slog.Logger
}

// Work triages the job's conversations and, in the same transaction, the other new
// conversations waiting for theirs (see triage).
func (w *triageWorker) Work(ctx context.Context, job *river.Job[TriageArgs]) error {
	n, err := w.triage(ctx, job.Args.ConversationIDs)
	if errors.Is(err, errTriageBusy) {
		return river.JobSnooze(triageRetry)
	}
	if err != nil {
		return err
	}
	if n > 0 && w.log != nil {
		w.log.Debug("triaged", "conversations", n)
	}
	return nil
}

// errTriageBusy says the triage cannot finish now: both slots are taken by other triages, or
// another transaction holds the SLA lock of one of the job's own conversations.
var errTriageBusy = errors.New("workflow: triage: conversation busy")

// triage routes, starts the SLA clocks of and queues for assignment the conversations own and
// the oldest other conversations not yet routed, at most triageBatch in all, in one
// transaction, and returns how many it routed (0 when own were routed before).
//
// Each conversation is handled as the route job handled it (the same rules, decisions and
// "routed" audit entry; see routeWorker.Route), then its clocks are brought up to date as the
// sla_compute job would. Instead of an assign job per conversation, the transaction enqueues
// one assignment pass (AssignWaitingArgs) per team its conversations wait in, and none of the
// sla_compute and assign_waiting jobs that the routing's own changes would cause: this
// transaction has done their work (see triageCovers).
//
// Two triages run at once in all the processes: a transaction first takes a slot, the advisory
// lock "triage:0" or "triage:1", tried, not waited for. So a burst is triaged in a few large
// transactions rather than many small ones that would each find the others' conversations
// taken. Then, by the lock order (see the inbox package doc), the SLA locks of the conversations
// (tried too: a conversation whose lock another transaction holds is left out), then the
// conversations in id order. The result is errTriageBusy, after the transaction committed what
// it could, when no slot was free or one of own was left out: the job is snoozed and finds it
// routed, or free, when it looks again.
//
// A batch that fails (a decision that cannot be applied, such as a rule's category deleted
// since) is tried again with own alone, so that one conversation cannot hold up the others';
// and conversations whose own triage failed before are left out of the others' batches.
func (w *triageWorker) triage(ctx context.Context, own []int64) (int, error) {
	n, err := w.triageTx(ctx, own, true)
	if err != nil && !errors.Is(err, errTriageBusy) {
		if w.log != nil {
			w.log.Warn("triage batch failed; triaging the job's own conversations alone", "conversations", own, "err", err)
		}
		n, err = w.triageTx(ctx, own, false)
	}
	return n, err
}

// triageTx is one attempt of triage, with the others waiting when batch is set.
func (w *triageWorker) triageTx(ctx context.Context, own []int64, batch bool) (int, error) {
	var routed int
	var busy bool
	err := w.e.store.InTx(ctx, func(tx pgx.Tx) error {
		routed = 0
		var ids []int64
		var err error
		ids, busy, err = claimTriage(ctx, tx, own, batch)
		if err != nil || len(ids) == 0 {
			return err
		}
		claimed, err := w.e.store.ClaimRoutingManyTx(ctx, tx, ids)
		if err != nil || len(claimed) == 0 {
			return err
		}
		facts, err := w.facts(ctx, tx, claimed)
		if err != nil {
			return err
		}
		rules, err := w.route.rules.matcher(ctx, tx)
		if err != nil {
			return err
		}
		ctx := withTriage(ctx, ids)
		// Each claimed conversation is marked routed, with its decision (one whose facts could
		// not be read, which its lock makes unlikely, with none).
		decisions := make([]inbox.RoutingOf, len(claimed))
		for i, id := range claimed {
			decisions[i].ConversationID = id
			if f, ok := facts[id]; ok {
				decisions[i].Routing = rules.Match(f).routing()
			}
		}
		if err := w.e.store.RouteManyTx(ctx, tx, decisions); err != nil {
			return fmt.Errorf("route: %w", err)
		}
		routedIDs := make([]int64, len(decisions))
		for i, d := range decisions {
			routedIDs[i] = d.ConversationID
		}
		ccs, err := w.e.refreshMany(ctx, tx, routedIDs)
		if err != nil {
			return err
		}
		routed = len(ccs)
		var teams []int64
		for _, cc := range ccs {
			if cc.teamID != 0 && cc.assigneeID == 0 && active(cc.status) && !slices.Contains(teams, cc.teamID) {
				teams = append(teams, cc.teamID)
			}
		}
		if len(teams) == 0 {
			return nil
		}
		after, err := inbox.AfterTx(ctx, tx)
		if err != nil {
			return err
		}
		var passes []river.InsertManyParams
		for _, t := range teams {
			passes = append(passes, river.InsertManyParams{Args: AssignWaitingArgs{TeamID: t, After: after}})
		}
		return w.e.insert(ctx, tx, passes)
	})
	if err != nil {
		return 0, fmt.Errorf("workflow: triage %v: %w", own, err)
	}
	if busy {
		return routed, errTriageBusy
	}
	return routed, nil
}

// claimTriage takes in tx a slot, then the SLA locks of those of own not yet routed and (when
// batch is set) of the oldest other conversations not yet routed, each only when free, and
// returns the ids it holds, in id order: all of own's, and others up to triageBatch in all.
// It is empty when own were all routed before (as the batches of other jobs take theirs,
// often), and busy when no slot was free or one of own was left out.
func claimTriage(ctx context.Context, tx pgx.Tx, own []int64, batch bool) (ids []int64, busy bool, err error) {
	var waiting []int64
	var slot bool
	// The CASE tries the slots in this order, the second only when the first is taken, and
	// neither when own need nothing.
	if err := tx.QueryRow(ctx, `SELECT w, CASE WHEN w = '{}' THEN false
			WHEN pg_try_advisory_xact_lock(hashtextextended('triage:0', 0)) THEN true
			ELSE pg_try_advisory_xact_lock(hashtextextended('triage:1', 0)) END
		FROM (SELECT ARRAY(SELECT id FROM conversations WHERE id = ANY($1) AND routed_at IS NULL ORDER BY id) AS w) own`,
		own).Scan(&waiting, &slot); err != nil {
		return nil, false, fmt.Errorf("claim: %w", err)
	}
	if len(waiting) == 0 {
		return nil, false, nil
	}
	if !slot {
		return nil, true, nil
	}
	others := 0
	if batch {
		others = max(triageBatch-len(waiting), 0)
	}
	// The other candidates are read first (MATERIALIZED keeps the lock attempts off rows the
	// LIMIT would drop), then every lock tried, in id order. Those of a triage job that failed
	// (retryable, or discarded after its attempts) are not candidates.
	rows, err := tx.Query(ctx, `WITH c AS MATERIALIZED (
			SELECT id FROM (SELECT unnest($1::bigint[]) AS id) o
			UNION ALL (SELECT id FROM conversations WHERE routed_at IS NULL AND id <> ALL($1)
				AND id NOT IN (SELECT jsonb_array_elements_text(j.args->'conversation_ids')::bigint FROM river_job j
					WHERE j.state IN ('retryable', 'discarded') AND j.queue = $3 AND j.kind = 'triage')
				ORDER BY id LIMIT $2))
		SELECT id FROM c WHERE pg_try_advisory_xact_lock(hashtextextended('sla:' || id, 0)) ORDER BY id`,
		waiting, others, QueueTriage)
	if err != nil {
		return nil, false, fmt.Errorf("claim: %w", err)
	}
	if ids, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
		return nil, false, fmt.Errorf("claim: %w", err)
	}
	for _, id := range waiting {
		if _, held := slices.BinarySearch(ids, id); !held {
			busy = true
		}
	}
	return ids, busy, nil
}
