package inbox

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// FirstMessage is what the ingest knows, before it writes anything, of a conversation that a
// first-time sender starts: what routing rules read when they do not look at the customer's
// profile (a new customer has none yet).
type FirstMessage struct {
	InboxID int64
	Channel Channel
	// Subject is the conversation's subject as it will be stored.
	Subject string
	// Text is the first message's text.
	Text string
}

// Router decides, inside the ingest's transaction, the routing of the conversations that
// first-time senders start, so that each is written routed: its team and priority in the row
// the ingest inserts, routed_at set, and the audit entries and events a routing records
// written with it. A triage job would otherwise read the conversation back and write its row
// again. The workflow implements it.
type Router interface {
	// RouteFirstTx returns a decision for each of firsts, in order, or nil for one it leaves
	// to the workflow's triage (all of them when the rules look at the customer's profile).
	// The ingest also leaves to the triage a decision that adds tags or a category (changes
	// of their own) or names an invalid priority.
	RouteFirstTx(ctx context.Context, tx pgx.Tx, firsts []FirstMessage) ([]*Routing, error)
}

// routeFirst asks the store's Router, with one call for the wave, to route the conversations
// that its first-time senders start, and keeps each decision on its item for the write.
func (s *Store) routeFirst(ctx context.Context, tx pgx.Tx, items []*ingestItem) error {
	if s.router == nil {
		return nil
	}
	var firsts []FirstMessage
	var routed []*ingestItem
	for _, it := range items {
		if !it.first {
			continue
		}
		firsts = append(firsts, FirstMessage{InboxID: it.in.InboxID, Channel: it.in.Channel, Subject: subjectOf(it.in), Text: it.in.Text})
		routed = append(routed, it)
	}
	if len(firsts) == 0 {
		return nil
	}
	decisions, err := s.router.RouteFirstTx(ctx, tx, firsts)
	if err != nil {
		return fmt.Errorf("inbox: ingest: route: %w", err)
	}
	if len(decisions) != len(firsts) {
		return fmt.Errorf("inbox: ingest: route: %d decisions for %d conversations", len(decisions), len(firsts))
	}
	for i, it := range routed {
		if r := decisions[i]; r != nil && (r.Priority == "" || r.Priority.Valid()) && len(r.Tags) == 0 && r.CategoryID == 0 {
			it.route = r
		}
	}
	return nil
}

// recordRouting appends to trail and it.events what the routing of a conversation written
// routed records, as Store.RouteManyTx would have (convState.route): the team and priority
// changes from what the conversation came in with (its inbox's team, the default priority),
// and the rules that fired. The team is the one written, which is the inbox's when the routed
// team no longer exists.
func (it *ingestItem) recordRouting(conv convState, inboxTeam int64, now time.Time, trail *auditRows) {
	r := *it.w.route
	r.TeamID = conv.teamID
	came := conv
	came.teamID, came.priority = inboxTeam, PriorityNormal
	c, events := came.route(r, now, nil, trail)
	it.events = append(it.events, events...)
	if len(r.Rules) > 0 {
		trail.add(c, "routed", map[string]any{"rules": r.Rules})
	}
}
