package workflow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/parleyhq/parley/inbox"
)

// RouteArgs is the job that files a new conversation by the routing rules: enqueued with every
// conversation.created event.
type RouteArgs struct {
	ConversationID int64 `json:"conversation_id"`
}

// Kind implements river.JobArgs.
func (RouteArgs) Kind() string { return "route" }

// InsertOpts makes one route job per conversation.
func (RouteArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDefault, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// TxInserter inserts a River job on a transaction; *river.Client[pgx.Tx] is one.
type TxInserter interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// routeWorker runs RouteArgs jobs.
type routeWorker struct {
	river.WorkerDefaults[RouteArgs]
	Store *inbox.Store
	Log   *slog.Logger
	// rules are the rule sets compiled, as of the last route: the Enqueuer's (Config.Enqueuer),
	// when the process has one, so that a change of the rules is compiled once.
	rules *ruleCache
}

// newRouteWorker is a route worker over store that compiles the rules into rules, or into a
// cache of its own when rules is nil.
func newRouteWorker(store *inbox.Store, log *slog.Logger, rules *ruleCache) *routeWorker {
	if rules == nil {
		rules = &ruleCache{}
	}
	return &routeWorker{Store: store, Log: log, rules: rules}
}

// Work routes the conversation, using the job's own River client to enqueue its assignment.
func (w *routeWorker) Work(ctx context.Context, job *river.Job[RouteArgs]) error {
	out, err := w.Route(ctx, job.Args.ConversationID, river.ClientFromContext[pgx.Tx](ctx))
	if errors.Is(err, inbox.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if len(out.Fired) > 0 && w.Log != nil {
		w.Log.Debug("routed", "conversation", job.Args.ConversationID, "rules", out.Fired)
	}
	return nil
}

// Route runs the rules over a conversation's first message and, in one transaction, applies
// what they decide (team, priority, tags, category), records the rules that fired (an audit
// entry of kind "routed" with their ids and names), marks the conversation routed (only
// routed conversations wait in their team's queue, so none is assigned before its team is
// settled) and enqueues its assignment with jobs. A conversation routes once: routing it again
// changes nothing and returns the zero Outcome. Without a rule that sets a team, the
// conversation keeps the team its inbox gave it. An unknown conversation is inbox.ErrNotFound.
func (w *routeWorker) Route(ctx context.Context, conversationID int64, jobs TxInserter) (Outcome, error) {
	f, err := w.facts(ctx, conversationID)
	if err != nil {
		return Outcome{}, err
	}
	var out Outcome
	err = w.Store.InTx(ctx, func(tx pgx.Tx) error {
		out, err = w.routeTx(ctx, tx, conversationID, f, jobs)
		return err
	})
	if err != nil {
		return Outcome{}, fmt.Errorf("workflow: route conversation %d: %w", conversationID, err)
	}
	return out, nil
}

func (w *routeWorker) routeTx(ctx context.Context, tx pgx.Tx, id int64, f Facts, jobs TxInserter) (Outcome, error) {
	first, err := w.Store.MarkRoutedTx(ctx, tx, id)
	if err != nil || !first {
		return Outcome{}, err // routed before, or failed
	}
	rules, err := w.rules.matcher(ctx, tx)
	if err != nil {
		return Outcome{}, err
	}
	out := rules.Match(f)
	if err := w.Store.ApplyRoutingTx(ctx, tx, id, out.routing()); err != nil {
		return Outcome{}, err
	}
	if _, err := jobs.InsertTx(ctx, tx, AssignArgs{ConversationID: id}, nil); err != nil {
		return Outcome{}, fmt.Errorf("enqueue assign: %w", err)
	}
	return out, nil
}

// routing is the decision the inbox applies.
func (o Outcome) routing() inbox.Routing {
	r := inbox.Routing{TeamID: o.TeamID, Priority: o.Priority, Tags: o.Tags, CategoryID: o.CategoryID}
	for _, f := range o.Fired {
		r.Rules = append(r.Rules, inbox.RoutingRule{ID: f.ID, Name: f.Name, RuleSet: f.RuleSet})
	}
	return r
}

// facts reads what the rules look at: the conversation, its customer's profile as it is now
// (tier, tags, company, attributes) and its first message.
func (w *routeWorker) facts(ctx context.Context, id int64) (Facts, error) {
	conv, err := w.Store.GetConversation(ctx, id)
	if err != nil {
		return Facts{}, err
	}
	contact, err := w.Store.GetContact(ctx, conv.ContactID)
	if err != nil {
		return Facts{}, err
	}
	first, err := w.Store.Messages(ctx, id, 0, 1)
	if err != nil {
		return Facts{}, err
	}
	f := Facts{Channel: conv.Channel, Subject: conv.Subject, ContactTags: contact.Tags, Tier: contact.Tier,
		Attributes: contact.Attributes, Priority: conv.Priority}
	if contact.CompanyID != nil {
		f.CompanyID = *contact.CompanyID
		if f.Tier == "" {
			// The contact has no tier of their own: their company's applies.
			co, err := w.Store.GetCompany(ctx, f.CompanyID)
			if err != nil && !errors.Is(err, inbox.ErrNotFound) {
				return Facts{}, err
			}
			f.Tier = co.Tier
		}
	}
	if conv.InboxID != nil {
		f.InboxID = *conv.InboxID
	}
	if len(first) > 0 {
		f.Text = first[0].Text
	}
	return f, nil
}
