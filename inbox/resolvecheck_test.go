package inbox_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// An agent cannot resolve a conversation of a team that requires a category until it has one,
// nor a complaint until it has a resolution code; each refusal names what is missing and
// changes nothing. The system's own resolve is not held back; an agent who cannot see the
// conversation gets ErrNotFound.
func TestResolveNeedsCategoryAndResolutionCode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := setup(t)
	ann := addAgent(t, e, "ann", inbox.RoleAgent, 5, "available")
	addAgent(t, e, "bob", inbox.RoleAgent, 5, "available")
	team := addTeam(t, e, "Billing", "ann")
	addTeam(t, e, "Sales", "bob")
	conv := customer(t, e, 1)
	var broken inbox.Category
	var refund inbox.ResolutionCode
	inTx(t, e, func(ctx context.Context, tx pgx.Tx) error {
		if err := e.store.SetTeamTx(ctx, tx, conv, team, inbox.Actor{}); err != nil {
			return err
		}
		if err := e.store.SetRequireCategoryTx(ctx, tx, team, true); err != nil {
			return err
		}
		var err error
		if broken, err = e.store.SaveCategoryTx(ctx, tx, inbox.CategoryInput{Name: "Broken", Complaint: true}); err != nil {
			return err
		}
		refund, err = e.store.SaveResolutionCodeTx(ctx, tx, 0, "Store credit", false)
		return err
	})
	byAnn := inbox.Actor{AgentID: ann}
	annView, err := e.store.ViewerOf(ctx, inbox.Agent{ID: ann, Role: inbox.RoleAgent})
	if err != nil {
		t.Fatal(err)
	}
	sc := e.store.As(annView)

	_, err = sc.SetStatus(ctx, conv, inbox.StatusResolved, byAnn)
	var ve *inbox.ValidationError
	if !errors.As(err, &ve) || ve.Field != "category" || !strings.Contains(ve.Reason, "Billing requires a category") {
		t.Fatalf("resolve without a category: %v", err)
	}
	if _, err := sc.Categorize(ctx, conv, inbox.CategoryChange{CategoryID: &broken.ID}, byAnn); err != nil {
		t.Fatal(err)
	}
	_, err = sc.SetStatus(ctx, conv, inbox.StatusResolved, byAnn)
	if !errors.As(err, &ve) || ve.Field != "resolution_code" || !strings.Contains(ve.Reason, "Broken is a complaint") {
		t.Fatalf("resolve a complaint without a code: %v", err)
	}
	c, err := e.store.GetConversation(ctx, conv)
	if err != nil || c.Status == inbox.StatusResolved || c.ResolvedAt != nil {
		t.Fatalf("a refused resolve changed the conversation: %+v, %v", c, err)
	}
	// An unknown code refuses the whole step.
	if _, err := sc.SetStatusCoded(ctx, conv, inbox.StatusResolved, 999999, byAnn); !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("unknown code: %v", err)
	}
	// Bob, of another team, does not see it.
	bobView := inbox.Viewer{AgentID: ann + 1}
	if _, err := e.store.As(bobView).Categorize(ctx, conv, inbox.CategoryChange{CategoryID: new(int64)}, inbox.Actor{AgentID: ann + 1}); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("another team's agent: %v", err)
	}
	c, err = sc.SetStatusCoded(ctx, conv, inbox.StatusResolved, refund.ID, byAnn)
	if err != nil || c.Status != inbox.StatusResolved || c.ResolutionCode != "Store credit" || !c.Complaint {
		t.Fatalf("resolve with a code = %+v, %v", c, err)
	}
	trail, err := e.store.Audit(ctx, conv)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, a := range trail {
		if a.AgentID != nil && *a.AgentID == ann {
			kinds = append(kinds, a.Kind)
		}
	}
	if strings.Join(kinds, ",") != "category,resolution_code,status" {
		t.Fatalf("ann's trail = %v", kinds)
	}
	// The system resolves what it must (auto-resolve), whatever is missing.
	other := customer(t, e, 2)
	inTx(t, e, func(ctx context.Context, tx pgx.Tx) error {
		if err := e.store.SetTeamTx(ctx, tx, other, team, inbox.Actor{}); err != nil {
			return err
		}
		return e.store.SetStatusTx(ctx, tx, other, inbox.StatusResolved, inbox.Actor{})
	})
}
