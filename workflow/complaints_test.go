package workflow_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// complaintCategory adds Delivery › Damaged, a complaint category.
func complaintCategory(t *testing.T, e *routingEnv) inbox.Category {
	t.Helper()
	var damaged inbox.Category
	if err := e.store.InTx(context.Background(), func(tx pgx.Tx) (err error) {
		damaged, err = e.store.EnsureCategoryPathTx(context.Background(), tx, "Delivery › Damaged", true)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return damaged
}

// The register lists the conversations of complaint categories only, newest first, each at the
// stage it reached with the time every stage took; its filters and pages select them.
func TestComplaintRegisterStages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newRoutingEnv(t)
	in := e.inboxOf(t, "API", 0)
	ann := e.agent(t, "ann", 5)
	damaged := complaintCategory(t, e)
	question, err := e.store.CategoryByPath(ctx, "category", "Question") // from the starter list
	if err != nil {
		t.Fatal(err)
	}
	codes, err := e.store.ResolutionCodes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	refund := codes[0].ID
	for _, c := range codes {
		if c.Name == "Refund" {
			refund = c.ID
		}
	}
	by := inbox.Actor{AgentID: ann.ID}
	file := func(id, category int64) {
		t.Helper()
		if _, err := e.store.SetCategory(ctx, id, category, by); err != nil {
			t.Fatal(err)
		}
	}
	reply := func(id int64, note bool) {
		t.Helper()
		r := inbox.Reply{ConversationID: id, Author: by, Text: "on it"}
		if note {
			_, err = e.store.Note(ctx, r)
		} else {
			_, err = e.store.Send(ctx, r)
		}
		if err != nil {
			t.Fatal(err)
		}
	}

	// A: received, acknowledged after 10 minutes, worked on 20 minutes later, resolved 30
	// minutes after that, then rated 4 by the customer.
	a := e.message(t, in, "a@example.com", "Box crushed", "it arrived broken").ConversationID
	file(a, damaged.ID)
	e.advance(10 * time.Minute)
	reply(a, false)
	e.advance(20 * time.Minute)
	reply(a, true)
	e.advance(30 * time.Minute)
	resolved, err := e.store.SetStatusCoded(ctx, a, inbox.StatusResolved, refund, by)
	if err != nil {
		t.Fatal(err)
	}
	e.advance(time.Hour)
	if _, err := e.pool.Exec(ctx, `INSERT INTO surveys (conversation_id, resolved_at, channel, token_hash, sent_at, expires_at,
			score, answered_at) VALUES ($1, $2, 'api', '\x01', $2, $3, 4, $3)`, a, *resolved.ResolvedAt, e.clock()); err != nil {
		t.Fatal(err)
	}
	// B: received, nobody answered. C: a question, not a complaint. D: acknowledged.
	b := e.message(t, in, "b@example.com", "Late", "where is it").ConversationID
	file(b, damaged.ID)
	c := e.message(t, in, "c@example.com", "How", "how do I").ConversationID
	file(c, question.ID)
	d := e.message(t, in, "d@example.com", "Dented", "dented").ConversationID
	file(d, damaged.ID)
	e.advance(5 * time.Minute)
	reply(d, false)
	e.advance(time.Minute)

	desk := workflow.NewSLA(e.pool, e.store)
	page, err := desk.Complaints(ctx, workflow.ComplaintFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	stages := map[int64]workflow.Complaint{}
	for _, x := range page.Complaints {
		ids = append(ids, x.ConversationID)
		stages[x.ConversationID] = x
	}
	if len(ids) != 3 || ids[0] != d || ids[1] != b || ids[2] != a {
		t.Fatalf("register = %v, want %d, %d, %d (newest first, no question)", ids, d, b, a)
	}
	if stages[b].Stage != workflow.StageReceived || stages[d].Stage != workflow.StageAcknowledged || stages[a].Stage != workflow.StageConfirmed {
		t.Fatalf("stages: a %s, b %s, d %s", stages[a].Stage, stages[b].Stage, stages[d].Stage)
	}
	want := []struct {
		stage workflow.Stage
		took  time.Duration // -1: none (final)
	}{{workflow.StageReceived, 10 * time.Minute}, {workflow.StageAcknowledged, 20 * time.Minute},
		{workflow.StageInProgress, 30 * time.Minute}, {workflow.StageResolved, time.Hour}, {workflow.StageConfirmed, -1}}
	got := stages[a].Stages
	if len(got) != len(want) {
		t.Fatalf("a's stages = %+v", got)
	}
	for i, w := range want {
		if got[i].Stage != w.stage || (w.took < 0) != (got[i].TookMS == nil) || (w.took >= 0 && *got[i].TookMS != w.took.Milliseconds()) {
			t.Fatalf("a's stage %d = %+v (took %v), want %s taking %v", i, got[i], got[i].TookMS, w.stage, w.took)
		}
	}
	if x := stages[a]; x.ResolutionCode != "Refund" || x.CSAT == nil || *x.CSAT != 4 || x.SLA != "none" || x.Category != "Delivery › Damaged" {
		t.Fatalf("a = %+v", x)
	}
	// B has waited since it came in (6 minutes and the 2 after D's message, minus nothing).
	if x := stages[b]; len(x.Stages) != 1 || *x.Stages[0].TookMS != x.AgeMS {
		t.Fatalf("b = %+v", x)
	}

	for stage, want := range map[workflow.Stage]int64{workflow.StageReceived: b, workflow.StageAcknowledged: d, workflow.StageConfirmed: a} {
		p, err := desk.Complaints(ctx, workflow.ComplaintFilter{Stage: stage})
		if err != nil || len(p.Complaints) != 1 || p.Complaints[0].ConversationID != want {
			t.Fatalf("stage %s: %+v, %v", stage, p.Complaints, err)
		}
	}
	first, err := desk.Complaints(ctx, workflow.ComplaintFilter{Limit: 2})
	if err != nil || len(first.Complaints) != 2 || first.Next == "" {
		t.Fatalf("first page = %+v, %v", first, err)
	}
	second, err := desk.Complaints(ctx, workflow.ComplaintFilter{Limit: 2, Cursor: first.Next})
	if err != nil || len(second.Complaints) != 1 || second.Complaints[0].ConversationID != a || second.Next != "" {
		t.Fatalf("second page = %+v, %v", second, err)
	}
	if _, err := desk.Complaints(ctx, workflow.ComplaintFilter{Stage: "lost"}); !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("bad stage: %v", err)
	}
	if p, err := desk.Complaints(ctx, workflow.ComplaintFilter{CategoryID: *damaged.ParentID}); err != nil || len(p.Complaints) != 3 {
		t.Fatalf("by parent category: %+v, %v", p, err)
	}
}

// A rule sets a category of the list, named by path or id; anything else is refused.
func TestRuleSetsAKnownCategory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newRoutingEnv(t)
	damaged := complaintCategory(t, e)
	r, err := e.rules.Add(ctx, workflow.NewRule{Name: "broken", Conditions: workflow.Conditions{Keywords: []string{"broken"}},
		Actions: workflow.Actions{SetCategory: "delivery > damaged"}})
	if err != nil || r.SetCategoryID != damaged.ID || r.SetCategory != "Delivery › Damaged" {
		t.Fatalf("rule = %+v, %v", r, err)
	}
	for _, a := range []workflow.Actions{{SetCategory: "Delivery › Lost"}, {SetCategoryID: 999999},
		{SetCategory: "Question", SetCategoryID: damaged.ID}} {
		_, err := e.rules.Add(ctx, workflow.NewRule{Name: "bad", Actions: a})
		var ve *inbox.ValidationError
		if !errors.As(err, &ve) || (ve.Field != "set_category" && ve.Field != "set_category_id") {
			t.Errorf("%+v: %v", a, err)
		}
	}
	// Renaming the category (or its parent) renames what the rule shows.
	if err := e.store.InTx(ctx, func(tx pgx.Tx) error {
		_, err := e.store.SaveCategoryTx(ctx, tx, inbox.CategoryInput{ID: *damaged.ParentID, Name: "Shipping"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	sets, err := e.rules.Sets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sets {
		for _, got := range s.Rules {
			if got.ID == r.ID && got.SetCategory != "Shipping › Damaged" {
				t.Errorf("after the rename the rule sets %q, want Shipping › Damaged", got.SetCategory)
			}
		}
	}
}
