package inbox_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// bulkEnv is a store whose events land in a log, an agent of team A and conversations of team
// A, team B and no team.
type bulkEnv struct {
	store  *inbox.Store
	log    *eventLog
	agent  inbox.Agent
	viewer inbox.Viewer
	teamA  inbox.Team
	teamB  inbox.Team
	n      int
}

func setupBulk(t *testing.T) *bulkEnv {
	t.Helper()
	ctx := context.Background()
	store, log := setupEventLog(t)
	e := &bulkEnv{store: store, log: log}
	var err error
	if e.agent, err = store.CreateAgent(ctx, inbox.NewAgent{Email: "ana@example.com", Name: "Ana", Password: "correct-horse-battery"}); err != nil {
		t.Fatal(err)
	}
	if e.teamA, err = store.CreateTeam(ctx, "A", []string{e.agent.Email}); err != nil {
		t.Fatal(err)
	}
	if e.teamB, err = store.CreateTeam(ctx, "B", nil); err != nil {
		t.Fatal(err)
	}
	if e.viewer, err = store.ViewerOf(ctx, e.agent); err != nil {
		t.Fatal(err)
	}
	return e
}

// conv starts a conversation of a new customer in team (0: none).
func (e *bulkEnv) conv(t *testing.T, team int64) int64 {
	t.Helper()
	ctx := context.Background()
	e.n++
	res, err := e.store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: fmt.Sprintf("b%d", e.n),
		From: emailFrom(fmt.Sprintf("c%d@example.com", e.n)), Text: "help"})
	if err != nil {
		t.Fatal(err)
	}
	if team != 0 {
		if err := e.store.InTx(ctx, func(tx pgx.Tx) error { return e.store.SetTeamTx(ctx, tx, res.ConversationID, team, inbox.Actor{}) }); err != nil {
			t.Fatal(err)
		}
	}
	return res.ConversationID
}

// entries counts the audit entries of kind on conversation id.
func (e *bulkEnv) entries(t *testing.T, id int64, kind string) int {
	t.Helper()
	trail, err := e.store.Audit(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range trail {
		if a.Kind == kind {
			n++
		}
	}
	return n
}

// An agent's bulk change of ids that mix their team's conversations with another team's, an
// unrouted one, one that does not exist and repeats changes only theirs, once each, with one
// audit entry and one event each; every other id is ErrNotFound and unchanged.
func TestBulkMixedVisibility(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := setupBulk(t)
	a1, a2 := e.conv(t, e.teamA.ID), e.conv(t, e.teamA.ID)
	b, none := e.conv(t, e.teamB.ID), e.conv(t, 0)
	missing := none + 1000
	by := inbox.Actor{AgentID: e.agent.ID}
	out, err := e.store.As(e.viewer).Bulk(ctx, []int64{b, a1, a1, missing, none, a2, b},
		inbox.BulkAction{Kind: inbox.BulkPriority, Priority: inbox.PriorityUrgent}, by)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id int64
		ok bool
	}{{b, false}, {a1, true}, {missing, false}, {none, false}, {a2, true}}
	if len(out) != len(want) {
		t.Fatalf("outcomes %+v, want one per distinct id: %+v", out, want)
	}
	for i, w := range want {
		if out[i].ID != w.id || (out[i].Err == nil) != w.ok {
			t.Errorf("outcome %d = %+v, want id %d ok %v", i, out[i], w.id, w.ok)
		}
		if !w.ok && !errors.Is(out[i].Err, inbox.ErrNotFound) {
			t.Errorf("outcome of %d: %v, want ErrNotFound", w.id, out[i].Err)
		}
	}
	for _, id := range []int64{a1, a2, b, none} {
		c, err := e.store.GetConversation(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		changed := id == a1 || id == a2
		if (c.Priority == inbox.PriorityUrgent) != changed {
			t.Errorf("conversation %d has priority %s; changed %v", id, c.Priority, changed)
		}
		if n := e.entries(t, id, "priority"); n != map[bool]int{true: 1, false: 0}[changed] {
			t.Errorf("conversation %d has %d priority entries", id, n)
		}
	}
	if got := e.log.ofType(inbox.EventConversationPriority); len(got) != 2 {
		t.Errorf("%d priority events, want 2 (one per changed conversation): %+v", len(got), got)
	}

	// The same action again is idempotent: no new entry, no new event.
	if _, err := e.store.As(e.viewer).Bulk(ctx, []int64{a1, a2}, inbox.BulkAction{Kind: inbox.BulkPriority, Priority: inbox.PriorityUrgent}, by); err != nil {
		t.Fatal(err)
	}
	if n := e.entries(t, a1, "priority"); n != 1 {
		t.Errorf("a repeated bulk priority wrote %d entries, want still 1", n)
	}
}

// A bulk resolve applies the single resolve's rules: a conversation of a team that requires a
// category and has none, a complaint without a resolution code and a closed conversation are
// refused with the reason, and the others are resolved all the same.
func TestBulkResolveRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := setupBulk(t)
	var complaint inbox.Category
	if err := e.store.InTx(ctx, func(tx pgx.Tx) error {
		if err := e.store.SetRequireCategoryTx(ctx, tx, e.teamB.ID, true); err != nil {
			return err
		}
		var err error
		complaint, err = e.store.SaveCategoryTx(ctx, tx, inbox.CategoryInput{Name: "Broken", Complaint: true})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	plain, uncategorized, closed := e.conv(t, e.teamA.ID), e.conv(t, e.teamB.ID), e.conv(t, e.teamA.ID)
	upset := e.conv(t, e.teamA.ID)
	if _, err := e.store.SetCategory(ctx, upset, complaint.ID, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.SetStatus(ctx, closed, inbox.StatusClosed, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	by := inbox.Actor{AgentID: e.agent.ID}
	out, err := e.store.As(inbox.Everyone()).Bulk(ctx, []int64{plain, uncategorized, upset, closed},
		inbox.BulkAction{Kind: inbox.BulkStatus, Status: inbox.StatusResolved}, by)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 4 || out[0].Err != nil {
		t.Fatalf("outcomes %+v: want 4, the first resolved", out)
	}
	var ve *inbox.ValidationError
	if !errors.As(out[1].Err, &ve) || ve.Field != "category" {
		t.Errorf("the uncategorized conversation of a team requiring a category: %v, want a category error", out[1].Err)
	}
	if !errors.As(out[2].Err, &ve) || ve.Field != "resolution_code" {
		t.Errorf("the complaint without a code: %v, want a resolution_code error", out[2].Err)
	}
	if !errors.Is(out[3].Err, inbox.ErrClosed) {
		t.Errorf("the closed conversation: %v, want ErrClosed", out[3].Err)
	}
	for id, want := range map[int64]inbox.Status{plain: inbox.StatusResolved, uncategorized: inbox.StatusNew, upset: inbox.StatusNew, closed: inbox.StatusClosed} {
		c, err := e.store.GetConversation(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != want {
			t.Errorf("conversation %d is %s, want %s", id, c.Status, want)
		}
	}
	if got := e.log.ofType(inbox.EventConversationStatus); len(got) != 2 { // closing one, then the bulk's one resolve
		t.Errorf("%d status events, want 2", len(got))
	}
}

// Input that is wrong whatever the conversation is refused as a *ValidationError before any
// conversation is touched.
func TestBulkBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := setupBulk(t)
	id := e.conv(t, e.teamA.ID)
	gone, err := e.store.CreateAgent(ctx, inbox.NewAgent{Email: "gone@example.com", Name: "Gone", Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.DeactivateAgent(ctx, gone.ID, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	var old inbox.Category
	if err := e.store.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		old, err = e.store.SaveCategoryTx(ctx, tx, inbox.CategoryInput{Name: "Old", Archived: true})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	many := make([]int64, inbox.MaxBulk+1)
	for i := range many {
		many[i] = id
	}
	zero, oldID, noCode := int64(0), old.ID, int64(999999)
	cases := []struct {
		name  string
		ids   []int64
		a     inbox.BulkAction
		field string
	}{
		{"no ids", nil, inbox.BulkAction{Kind: inbox.BulkPriority, Priority: inbox.PriorityHigh}, "ids"},
		{"too many ids", many, inbox.BulkAction{Kind: inbox.BulkPriority, Priority: inbox.PriorityHigh}, "ids"},
		{"an id of 0", []int64{id, 0}, inbox.BulkAction{Kind: inbox.BulkPriority, Priority: inbox.PriorityHigh}, "ids"},
		{"a negative id", []int64{id, -id}, inbox.BulkAction{Kind: inbox.BulkPriority, Priority: inbox.PriorityHigh}, "ids"},
		{"unknown action", []int64{id}, inbox.BulkAction{Kind: "delete"}, "action"},
		{"unknown status", []int64{id}, inbox.BulkAction{Kind: inbox.BulkStatus, Status: "done"}, "status"},
		{"unknown code with a status", []int64{id}, inbox.BulkAction{Kind: inbox.BulkStatus, Status: inbox.StatusResolved, ResolutionCodeID: noCode}, "resolution_code_id"},
		{"unknown priority", []int64{id}, inbox.BulkAction{Kind: inbox.BulkPriority, Priority: "asap"}, "priority"},
		{"deactivated agent", []int64{id}, inbox.BulkAction{Kind: inbox.BulkAssign, AgentID: gone.ID}, "agent_id"},
		{"no tags", []int64{id}, inbox.BulkAction{Kind: inbox.BulkTags}, "tags"},
		{"a tag with a comma", []int64{id}, inbox.BulkAction{Kind: inbox.BulkTags, AddTags: []string{"a,b"}}, "tags"},
		{"a tag too long", []int64{id}, inbox.BulkAction{Kind: inbox.BulkTags, RemoveTags: []string{strings.Repeat("x", 65)}}, "tags"},
		{"no category", []int64{id}, inbox.BulkAction{Kind: inbox.BulkCategory}, "category_id"},
		{"archived category", []int64{id}, inbox.BulkAction{Kind: inbox.BulkCategory, Category: inbox.CategoryChange{CategoryID: &oldID}}, "category_id"},
		{"unknown code", []int64{id}, inbox.BulkAction{Kind: inbox.BulkCategory, Category: inbox.CategoryChange{CategoryID: &zero, ResolutionCodeID: &noCode}}, "resolution_code_id"},
	}
	for _, c := range cases {
		out, err := e.store.As(inbox.Everyone()).Bulk(ctx, c.ids, c.a, inbox.Actor{AgentID: e.agent.ID})
		var ve *inbox.ValidationError
		if !errors.As(err, &ve) || ve.Field != c.field || out != nil {
			t.Errorf("%s: %v (outcomes %v), want a *ValidationError on %s", c.name, err, out, c.field)
		}
	}
	trail, err := e.store.Audit(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range trail {
		if a.Kind != "team" {
			t.Errorf("bad input wrote an audit entry: %+v", a)
		}
	}
}

// Two bulk assignments racing single assignments of the same conversations to someone else and
// the customers writing again: each conversation ends with one of the two agents, and its trail
// of assignments is a chain (each entry's "from" is the previous entry's "to", the last "to" is
// the assignee), so no change was lost or recorded twice; nothing deadlocks or fails. 80
// conversations: the bulk actions span two shared transactions.
func TestBulkAssignRacesSingleAssigns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := setupBulk(t)
	other, err := e.store.CreateAgent(ctx, inbox.NewAgent{Email: "olga@example.com", Name: "Olga", Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, 80)
	for i := range ids {
		ids[i] = e.conv(t, e.teamA.ID)
	}
	by := inbox.Actor{AgentID: e.agent.ID}
	var wg sync.WaitGroup
	errs := make(chan error, 2*len(ids)+2)
	for range 2 {
		wg.Go(func() {
			out, err := e.store.As(e.viewer).Bulk(ctx, ids, inbox.BulkAction{Kind: inbox.BulkAssign, AgentID: e.agent.ID}, by)
			if err == nil && len(out) != len(ids) {
				err = fmt.Errorf("%d outcomes for %d ids", len(out), len(ids))
			}
			for _, o := range out {
				if o.Err != nil && err == nil {
					err = fmt.Errorf("conversation %d: %w", o.ID, o.Err)
				}
			}
			errs <- err
		})
	}
	for i := len(ids) - 1; i >= 0; i-- {
		wg.Go(func() {
			_, err := e.store.As(inbox.Everyone()).Assign(ctx, ids[i], other.ID, inbox.Actor{})
			errs <- err
		})
		wg.Go(func() { // the customer of ids[i] (conv made them c<i+1>) writes again
			_, err := e.store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: fmt.Sprintf("again%d", i),
				From: emailFrom(fmt.Sprintf("c%d@example.com", i+1)), Text: "any news?"})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids {
		c, err := e.store.GetConversation(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		trail, err := e.store.Audit(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var last int64
		n := 0
		for _, a := range trail {
			if a.Kind != "assign" {
				continue
			}
			n++
			from, to := int64(num(a.Data["from"])), int64(num(a.Data["to"]))
			if from != last || from == to {
				t.Errorf("conversation %d: assignment %d from %d to %d after one to %d", id, n, from, to, last)
			}
			last = to
		}
		if c.AssigneeID == nil || *c.AssigneeID != last || n == 0 || n > 3 {
			t.Errorf("conversation %d: assignee %v, %d assignments ending with %d", id, c.AssigneeID, n, last)
		}
	}
}

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

// A bulk action over more conversations than share one transaction, named in descending id
// order, alternately of the agent's team and another: the outcomes follow the order given, one
// each, the agent's changed and the others not found.
func TestBulkAcrossChunks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := setupBulk(t)
	ids := make([]int64, 120)
	for i := range ids {
		team := e.teamA.ID
		if i%2 == 1 {
			team = e.teamB.ID
		}
		ids[len(ids)-1-i] = e.conv(t, team)
	}
	out, err := e.store.As(e.viewer).Bulk(ctx, ids, inbox.BulkAction{Kind: inbox.BulkTags, AddTags: []string{"Late"}},
		inbox.Actor{AgentID: e.agent.ID})
	if err != nil || len(out) != len(ids) {
		t.Fatalf("%d outcomes, %v", len(out), err)
	}
	for i, o := range out {
		c, err := e.store.GetConversation(ctx, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		mine := deref(c.TeamID) == e.teamA.ID
		tagged := len(c.Tags) == 1 && c.Tags[0] == "late"
		if o.ID != ids[i] || (o.Err == nil) != mine || tagged != mine || (!mine && !errors.Is(o.Err, inbox.ErrNotFound)) {
			t.Errorf("outcome %d = %+v for conversation %d of team %v (tags %v)", i, o, ids[i], c.TeamID, c.Tags)
		}
	}
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
