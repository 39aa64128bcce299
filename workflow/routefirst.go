package workflow

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// RouteFirstTx implements inbox.Router: it matches the rules, as tx sees them, against what
// each first message says, so that the ingest writes the conversation routed. The customer is
// new, so the facts are the message's, with no profile and the default priority, as a triage
// would read them; when a rule looks at the profile (tags, tier, company, attributes, which
// the ingest writes after the conversation, or a company found by the address's domain), it
// decides none and leaves them all to the triage.
func (e *Enqueuer) RouteFirstTx(ctx context.Context, tx pgx.Tx, firsts []inbox.FirstMessage) ([]*inbox.Routing, error) {
	m, err := e.rules.matcher(ctx, tx)
	if err != nil {
		return nil, err
	}
	out := make([]*inbox.Routing, len(firsts))
	if m.profile {
		return out, nil
	}
	for i, f := range firsts {
		r := m.Match(Facts{InboxID: f.InboxID, Channel: f.Channel, Subject: f.Subject, Text: f.Text,
			Priority: inbox.PriorityNormal}).routing()
		out[i] = &r
	}
	return out, nil
}

// routedAtIngest are the conversations a change created routed (inbox.Event.Routed): the
// ingest did their triage's routing, so Enqueue gives them what the rest of a triage does, an
// SLA computation (through the change's sla_compute job) and one assignment pass per team.
type routedAtIngest struct {
	ids   []int64 // in id order
	teams []int64 // the teams they wait in
}

// routedAtIngestOf collects them from a change's events.
func routedAtIngestOf(events []inbox.Event) routedAtIngest {
	var r routedAtIngest
	for _, ev := range events {
		if ev.Type != inbox.EventConversationCreated || !ev.Routed {
			continue
		}
		r.ids = append(r.ids, ev.ConversationID)
		if ev.TeamID != 0 && ev.AssigneeID == 0 && active(ev.Status) && !slices.Contains(r.teams, ev.TeamID) {
			r.teams = append(r.teams, ev.TeamID)
		}
	}
	slices.Sort(r.ids)
	return r
}

// covers reports whether args, caused by ev, is a team's assignment pass for a conversation
// routed at the ingest: passes adds those once per team, with the change's transaction id.
func (r routedAtIngest) covers(ev inbox.Event, args river.JobArgs) bool {
	a, ok := args.(AssignWaitingArgs)
	if !ok || a.TeamID == 0 || a.AgentID != 0 {
		return false
	}
	_, found := slices.BinarySearch(r.ids, ev.ConversationID)
	return found
}

// passes returns one assignment pass per team the conversations wait in, each carrying tx's
// transaction id, as a triage's do (see inbox.Store.LockTeamQueuesTx).
func (r routedAtIngest) passes(ctx context.Context, tx pgx.Tx) ([]river.InsertManyParams, error) {
	if len(r.teams) == 0 {
		return nil, nil
	}
	after, err := inbox.AfterTx(ctx, tx)
	if err != nil {
		return nil, err
	}
	out := make([]river.InsertManyParams, len(r.teams))
	for i, t := range r.teams {
		out[i] = river.InsertManyParams{Args: AssignWaitingArgs{TeamID: t, After: after}}
	}
	return out, nil
}
