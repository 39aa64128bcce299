package main

import (
	"context"
	"time"
)

// checkWorkflow checks that every conversation the load's acknowledged messages started went
// through the workflow exactly once, whichever server died: routed by the rule (its team and
// priority, one "routed" audit entry), its first-response clock running, assigned to the team's
// agent. A conversation is given until wait has passed (a dead server's jobs are rescued late).
func (h *harness) checkWorkflow(ctx context.Context, ld *load, r *result, wait time.Duration) {
	var keys []string
	for _, channel := range []string{"api", "sms", "chat"} {
		keys = append(keys, ld.l.keys(channel)...)
	}
	const pending = `WITH c AS (SELECT DISTINCT m.conversation_id AS id FROM messages m
			WHERE m.channel IN ('api', 'sms', 'chat') AND m.external_id = ANY($1))
		SELECT count(*), count(*) FILTER (WHERE v.routed_at IS NULL),
			count(*) FILTER (WHERE t.name IS DISTINCT FROM $2 OR v.priority <> 'high'),
			count(*) FILTER (WHERE (SELECT count(*) FROM conversation_events e
				WHERE e.conversation_id = v.id AND e.kind = 'routed') <> 1),
			count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM sla_clocks k WHERE k.conversation_id = v.id
				AND k.target = 'first_response')),
			count(*) FILTER (WHERE a.email IS DISTINCT FROM $3)
		FROM c JOIN conversations v ON v.id = c.id LEFT JOIN teams t ON t.id = v.team_id
			LEFT JOIN agents a ON a.id = v.assignee_id`
	var total, unrouted, misrouted, audits, clockless, unassigned int
	read := func() bool {
		err := h.db.QueryRow(ctx, pending, keys, triageTeam, triageEmail).Scan(&total, &unrouted, &misrouted, &audits,
			&clockless, &unassigned)
		if err != nil {
			r.fail("workflow: reading the conversations: %v", err)
			return true
		}
		return unrouted+misrouted+audits+clockless+unassigned == 0
	}
	_ = h.waitFor(ctx, wait, "the workflow of the load's conversations", read)
	r.note("workflow: %d new conversations; not routed %d, routed wrongly %d, without exactly one routed entry %d, "+
		"without a first-response clock %d, not assigned to the team's agent %d", total, unrouted, misrouted, audits,
		clockless, unassigned)
	if total == 0 {
		r.fail("workflow: the load started no conversation")
	}
	if unrouted+misrouted+audits+clockless+unassigned > 0 {
		r.fail("workflow: %d conversations not routed, %d routed wrongly, %d without exactly one routed entry, "+
			"%d without a clock, %d not assigned", unrouted, misrouted, audits, clockless, unassigned)
	}
}
