package inbox

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// RoutingOf is the routing decision for one conversation of a batch (ApplyRoutingManyTx).
type RoutingOf struct {
	ConversationID int64
	Routing        Routing
}

// ClaimRoutingManyTx takes the routing of the conversations ids in tx, as MarkRoutedTx takes
// one, without writing yet: it holds the rows of those not routed before (and existing),
// locked in id order as the lock order wants, until tx ends, and returns their ids in id
// order. RouteManyTx then applies their decisions and marks them routed in one UPDATE, so a
// conversation's routing writes its row once.
func (s *Store) ClaimRoutingManyTx(ctx context.Context, tx pgx.Tx, ids []int64) ([]int64, error) {
	// A row routed by another transaction while this one waited for its lock is checked again
	// and left out (READ COMMITTED re-evaluates the WHERE on the new version).
	rows, err := tx.Query(ctx, `SELECT id FROM conversations WHERE id = ANY($1) AND routed_at IS NULL
		ORDER BY id FOR NO KEY UPDATE`, ids)
	if err != nil {
		return nil, fmt.Errorf("inbox: claim routing: %w", err)
	}
	claimed, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("inbox: claim routing: %w", err)
	}
	return claimed, nil
}

// RouteManyTx is ApplyRoutingManyTx for conversations ClaimRoutingManyTx claimed: it applies
// their decisions as that does and, in the same UPDATE, marks every one of them routed (a
// decision that changes nothing still marks its conversation).
func (s *Store) RouteManyTx(ctx context.Context, tx pgx.Tx, rs []RoutingOf) error {
	return s.applyRoutingMany(ctx, tx, rs, true)
}

// ApplyRoutingManyTx applies routing decisions in tx, each as ApplyRoutingTx describes for one
// (which calls it), with a few statements for all of them: the team and priority changes in one
// UPDATE, their audit entries in one INSERT and their events in one Publish; tags and
// categories then one conversation at a time (SetTagsTx, SetCategoryTx), and the "routed"
// entries in one INSERT. An unknown conversation is ErrNotFound, an unknown team or a bad
// priority, tag or category a *ValidationError.
func (s *Store) ApplyRoutingManyTx(ctx context.Context, tx pgx.Tx, rs []RoutingOf) error {
	return s.applyRoutingMany(ctx, tx, rs, false)
}

// applyRoutingMany is ApplyRoutingManyTx, marking the conversations routed too when mark is set.
func (s *Store) applyRoutingMany(ctx context.Context, tx pgx.Tx, rs []RoutingOf, mark bool) error {
	if len(rs) == 0 {
		return nil
	}
	ids := make([]int64, len(rs))
	for i, r := range rs {
		ids[i] = r.ConversationID
		if p := r.Routing.Priority; p != "" && !p.Valid() {
			return fmt.Errorf("inbox: priority: %w", invalid("priority", "must be low, normal, high or urgent, not %q", p))
		}
	}
	state, err := lockConversations(ctx, tx, ids)
	if err != nil {
		return err
	}
	now := s.now()
	var upd struct {
		ids, teams []int64
		prios      []string
	}
	var trail auditRows
	var events []Event
	for _, r := range rs {
		c, ok := state[r.ConversationID]
		if !ok {
			return fmt.Errorf("inbox: conversation %d: %w", r.ConversationID, ErrNotFound)
		}
		before := c
		c, events = c.route(r.Routing, now, events, &trail)
		team, prio := int64(0), ""
		if c.teamID != before.teamID {
			team = c.teamID
		}
		if c.priority != before.priority {
			prio = string(c.priority)
		}
		if team != 0 || prio != "" || mark {
			upd.ids, upd.teams, upd.prios = append(upd.ids, c.id), append(upd.teams, team), append(upd.prios, prio)
		}
	}
	var routedAt *time.Time
	if mark {
		routedAt = &now
	}
	if len(upd.ids) > 0 {
		if _, err := tx.Exec(ctx, `UPDATE conversations c
			SET team_id = CASE WHEN u.team <> 0 THEN u.team ELSE c.team_id END,
				priority = CASE WHEN u.prio <> '' THEN u.prio ELSE c.priority END,
				routed_at = coalesce(c.routed_at, $4)
			FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS u(id, team, prio) WHERE c.id = u.id`,
			upd.ids, upd.teams, upd.prios, routedAt); err != nil {
			return fmt.Errorf("inbox: routing: %w", notFoundFK(err, "team_id"))
		}
	}
	if err := trail.insert(ctx, tx, now); err != nil {
		return err
	}
	if err := s.Publish(ctx, tx, events...); err != nil {
		return err
	}
	system := Actor{}
	var routed auditRows
	for _, r := range rs {
		if len(r.Routing.Tags) > 0 {
			if err := s.SetTagsTx(ctx, tx, r.ConversationID, r.Routing.Tags, nil, system); err != nil {
				return err
			}
		}
		if r.Routing.CategoryID != 0 {
			if err := s.SetCategoryTx(ctx, tx, r.ConversationID, r.Routing.CategoryID, system); err != nil {
				return err
			}
		}
		if len(r.Routing.Rules) > 0 {
			routed.add(state[r.ConversationID], "routed", map[string]any{"rules": r.Routing.Rules})
		}
	}
	return routed.insert(ctx, tx, now)
}

// route returns c with the team and priority r decides, and appends the events and audit
// entries of each change (the team first, then the priority), as a routing records them; a
// TeamID of 0 or a Priority of "" keeps what c has.
func (c convState) route(r Routing, now time.Time, events []Event, trail *auditRows) (convState, []Event) {
	if r.TeamID != 0 && r.TeamID != c.teamID {
		previous := c.teamID
		c.teamID = r.TeamID
		e := c.event(EventConversationTeam, now)
		e.Data = map[string]any{"from": previous}
		events = append(events, e)
		trail.add(c, "team", map[string]any{"from": previous, "to": c.teamID})
	}
	if p := r.Priority; p != "" && p != c.priority {
		previous := c.priority
		c.priority = p
		e := c.event(EventConversationPriority, now)
		e.Previous = string(previous)
		events = append(events, e)
		trail.add(c, "priority", map[string]any{"from": previous, "to": p})
	}
	return c, events
}

// lockConversations reads the state of the conversations ids and holds their rows, locked in id
// order, until tx ends.
func lockConversations(ctx context.Context, tx pgx.Tx, ids []int64) (map[int64]convState, error) {
	out, err := queryConvStates(ctx, tx, "SELECT "+convStateCols+" FROM conversations WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE", ids)
	if err != nil {
		return nil, fmt.Errorf("inbox: lock conversations: %w", err)
	}
	return out, nil
}

// auditRows are system audit entries of conversations, inserted together.
type auditRows struct {
	convs, contacts []int64
	kinds, data     []string
	err             error
}

// add appends an entry of kind about c.
func (a *auditRows) add(c convState, kind string, data map[string]any) {
	d, err := json.Marshal(data)
	if err != nil && a.err == nil {
		a.err = err
	}
	a.convs, a.contacts = append(a.convs, c.id), append(a.contacts, c.contactID)
	a.kinds, a.data = append(a.kinds, kind), append(a.data, string(d))
}

// insert writes the entries, in the order added, on the system's behalf at now.
func (a *auditRows) insert(ctx context.Context, tx pgx.Tx, now time.Time) error {
	if a.err != nil {
		return fmt.Errorf("inbox: audit: %w", a.err)
	}
	if len(a.convs) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `INSERT INTO conversation_events (conversation_id, contact_id, actor, kind, data, created_at)
		SELECT u.id, u.contact, 'system', u.kind, u.data::jsonb, $5
		FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) WITH ORDINALITY AS u(id, contact, kind, data, n)
		ORDER BY u.n`, a.convs, a.contacts, a.kinds, a.data, now); err != nil {
		return fmt.Errorf("inbox: audit: %w", err)
	}
	return nil
}
