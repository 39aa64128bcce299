package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// TestInboxRowsShowSLADueOrBreached reads each list row's SLA mark: the soonest due instant of
// its running clocks, "breached" for an unmet missed target, nothing without clocks.
func TestInboxRowsShowSLADueOrBreached(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	sup := e.newUser(t, "sue", inbox.RoleSupervisor)
	due := e.customer(t, "d", "d@example.com", "Dee", "Due soon", "help")
	late := e.customer(t, "l", "l@example.com", "Lee", "Late", "help")
	none := e.customer(t, "n", "n@example.com", "Nan", "No clocks", "help")
	now := e.clock()
	for _, c := range []struct {
		conv     int64
		target   string
		due      time.Time
		breached bool
	}{
		{due.ConversationID, "first_response", now.Add(15 * time.Minute), false},
		{due.ConversationID, "resolution", now.Add(4 * time.Hour), false},
		{late.ConversationID, "first_response", now.Add(-time.Minute), true},
	} {
		var breachedAt *time.Time
		if c.breached {
			breachedAt = &now
		}
		if _, err := e.pool.Exec(ctx, `INSERT INTO sla_clocks (conversation_id, target, state, started_at, due_at, breached_at, updated_at)
			VALUES ($1, $2, 'running', $3, $4, $5, $3)`, c.conv, c.target, now, c.due, breachedAt); err != nil {
			t.Fatal(err)
		}
	}
	st, body := sup.get(t, "/inbox")
	if st != http.StatusOK {
		t.Fatalf("inbox: %d", st)
	}
	mustContain(t, "inbox", body,
		`<span class="sla-due" data-sla="due" data-due="2026-11-23T09:15:00Z" title="SLA first_response due Nov 23, 09:15 UTC">SLA due Nov 23, 09:15 UTC</span>`,
		`<span class="sla-due breached" data-sla="breached" data-due="`, `title="An SLA target was missed">SLA breached</span>`)
	if n := strings.Count(body, `class="sla-due`); n != 2 {
		t.Errorf("%d SLA marks, want 2 (conversation %d has no clocks)", n, none.ConversationID)
	}
}
