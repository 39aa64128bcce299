package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/webhook"
)

// Enqueuer implements inbox.Jobs: it turns the events of a change into River jobs inserted on
// the change's own transaction (InsertManyTx), so a job exists exactly when its cause does.
// It uses an insert-only River client, which lets the store be built before the working client
// whose workers need the store.
type Enqueuer struct {
	river *river.Client[pgx.Tx]
	// rules are the compiled rules RouteFirstTx routes by.
	rules ruleCache
}

// NewEnqueuer returns an Enqueuer inserting through pool's database.
func NewEnqueuer(pool *pgxpool.Pool) (*Enqueuer, error) {
	c, err := newInserter(pool)
	if err != nil {
		return nil, fmt.Errorf("workflow: enqueuer: %w", err)
	}
	return &Enqueuer{river: c}, nil
}

// insertNotifyEvery is how often at most an insert-only client tells the workers of a queue
// that it inserted jobs there (River's insert notification, limited per client and queue to one
// per FetchCooldown). River's default of 100 ms left a job inserted just after another waiting
// for the next notification, or for its queue's poll: in a steady stream of new conversations,
// the assignment passes waited 41 ms at the median to be fetched. Shorter is sooner but costs
// throughput, since the workers then take smaller batches (new customers, 16 clients, commit to
// assigned p99 and messages/s: 100 ms 283-350 ms and 806-809; 50 ms 232-261 ms and 729-767;
// 20 ms 148-157 ms and 687-701; 5 ms 142-147 ms and 663-686).
const insertNotifyEvery = 20 * time.Millisecond

// newInserter returns an insert-only River client on pool (it works no jobs, so any job kind
// may be inserted) whose insert notifications are limited by insertNotifyEvery.
func newInserter(pool *pgxpool.Pool) (*river.Client[pgx.Tx], error) {
	return river.NewClient(riverpgxv5.New(pool), &river.Config{SkipUnknownJobCheck: true, FetchCooldown: insertNotifyEvery})
}

// Enqueue inserts the jobs events cause: a delivery for every outbound message, the routing,
// SLA and lifecycle jobs, and a webhook delivery per event and subscribed endpoint (whose log
// rows webhook.PlanTx writes on tx). The conversations the events create get one triage job
// for all of them, the conversations whose clocks they move one sla_compute job for all of
// them, and the work a triage does itself is left out (see triageCovers). A conversation the
// ingest wrote routed (inbox.Event.Routed) gets no triage: its clocks join the sla_compute job,
// and its team one assignment pass for the change (see routedAtIngest).
func (e *Enqueuer) Enqueue(ctx context.Context, tx pgx.Tx, events []inbox.Event) error {
	params, err := webhook.PlanTx(ctx, tx, events)
	if err != nil {
		return fmt.Errorf("workflow: enqueue: %w", err)
	}
	seen := map[string]bool{}
	var created []int64
	routed := routedAtIngestOf(events)
	for _, ev := range events {
		if ev.Type == inbox.EventConversationCreated && !ev.Routed {
			created = append(created, ev.ConversationID)
		}
	}
	var clocks []int64
	for _, ev := range events {
		for _, p := range jobsFor(ev) {
			if triageCovers(ctx, created, ev, p.Args) || routed.covers(ev, p.Args) {
				continue
			}
			// The clocks the change moves are brought up to date by one job for all of them.
			if a, ok := p.Args.(SLAComputeArgs); ok {
				clocks = append(clocks, a.ids()...)
				continue
			}
			// One change often announces several events that cause the same job (a new
			// conversation and its first message both recompute its SLA clocks): insert it once.
			key, err := json.Marshal(p.Args)
			if err != nil {
				return fmt.Errorf("workflow: enqueue: %w", err)
			}
			if k := p.Args.Kind() + string(key); !seen[k] {
				seen[k] = true
				params = append(params, p)
			}
		}
	}
	if len(clocks) > 0 {
		params = append(params, river.InsertManyParams{Args: SLAComputeArgs{ConversationIDs: clocks}.normalized()})
	}
	if len(created) > 0 {
		params = append(params, river.InsertManyParams{Args: TriageArgs{ConversationIDs: created}})
	}
	passes, err := routed.passes(ctx, tx)
	if err != nil {
		return fmt.Errorf("workflow: enqueue: %w", err)
	}
	params = append(params, passes...)
	if len(params) == 0 {
		return nil
	}
	if _, err := e.river.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("workflow: enqueue: %w", err)
	}
	return nil
}

// InsertTx inserts one job on tx, for a change made outside the inbox's events (a channel's own
// follow-up work, such as a Slack profile lookup) that must exist exactly when the change does.
func (e *Enqueuer) InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs) error {
	if _, err := e.river.InsertTx(ctx, tx, args, nil); err != nil {
		return fmt.Errorf("workflow: insert %s: %w", args.Kind(), err)
	}
	return nil
}

// Insert inserts one job at once (with opts, such as a ScheduledAt, when not nil), for a
// channel's follow-up work that belongs to no transaction (a chat reply's email fallback).
// With InsertTx it implements channels.Jobs.
func (e *Enqueuer) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	if _, err := e.river.Insert(ctx, args, opts); err != nil {
		return fmt.Errorf("workflow: insert %s: %w", args.Kind(), err)
	}
	return nil
}

// jobsFor maps one event to the jobs it causes.
func jobsFor(ev inbox.Event) []river.InsertManyParams {
	var out []river.InsertManyParams
	if ev.Type == inbox.EventMessageCreated && ev.Direction == inbox.DirectionOutbound {
		out = append(out, river.InsertManyParams{Args: DeliverArgs{MessageID: ev.MessageID}})
	}
	if retry, ok := ev.Data["retry"].(int64); ok && ev.Type == inbox.EventMessageDelivery && ev.Delivery == inbox.DeliveryQueued {
		out = append(out, river.InsertManyParams{Args: DeliverArgs{MessageID: ev.MessageID, Retry: retry}})
	}
	out = append(out, routingJobs(ev)...)
	out = append(out, lifecycleJobs(ev)...)
	out = append(out, profileJobs(ev)...)
	out = append(out, followupJobs(ev)...)
	out = append(out, snoozeJobs(ev)...)
	out = append(out, notifyJobs(ev)...)
	return out
}

// lifecycleJobs maps one event to the SLA, auto-close and survey jobs it causes: every change
// that may move a clock (a new conversation; a status, priority or team change; a customer
// message; a public reply by a human agent) recomputes the conversation's clocks; entering
// pending or resolved arms the auto-close timer; a resolution sends a survey. Notes, automatic
// messages, surveys and survey answers move no clock.
func lifecycleJobs(ev inbox.Event) []river.InsertManyParams {
	var out []river.InsertManyParams
	compute := false
	switch ev.Type {
	case inbox.EventConversationCreated, inbox.EventConversationPriority, inbox.EventConversationTeam:
		compute = true
	case inbox.EventConversationStatus:
		compute = true
		if ev.Status == inbox.StatusPending || ev.Status == inbox.StatusResolved {
			out = append(out, river.InsertManyParams{Args: AutoCloseArgs{ConversationID: ev.ConversationID,
				Status: ev.Status, Since: ev.At}})
		}
		if ev.Status == inbox.StatusResolved {
			out = append(out, river.InsertManyParams{Args: SurveyArgs{ConversationID: ev.ConversationID, ResolvedAt: ev.At}})
		}
	case inbox.EventMessageCreated:
		auto, _ := ev.Data["auto"].(string)
		compute = auto == "" && (ev.Direction == inbox.DirectionInbound ||
			ev.Direction == inbox.DirectionOutbound && ev.AgentID != 0)
	}
	if compute && ev.ConversationID != 0 {
		out = append(out, river.InsertManyParams{Args: SLAComputeArgs{ConversationID: ev.ConversationID}})
	}
	return out
}
