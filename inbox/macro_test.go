package inbox_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// macroEnv is bulkEnv with an admin.
type macroEnv struct {
	*bulkEnv
	admin inbox.Agent
}

func setupMacros(t *testing.T) *macroEnv {
	t.Helper()
	e := &macroEnv{bulkEnv: setupBulk(t)}
	var err error
	e.admin, err = e.store.CreateAgent(context.Background(), inbox.NewAgent{Email: "root@example.com", Name: "Root",
		Password: "correct-horse-battery", Role: inbox.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestFillPlaceholders fills known names, uses fallbacks for empty values and leaves text
// without placeholders alone.
func TestFillPlaceholders(t *testing.T) {
	values := map[string]string{"contact.name": "Sam", "contact.email": "", "agent.name": "Ana", "conversation.id": "7"}
	for in, want := range map[string]string{
		"Hi {{contact.name}}, {{ agent.name }} here (#{{conversation.id}})": "Hi Sam, Ana here (#7)",
		"Mail: {{contact.email|no address}}":                                "Mail: no address",
		"Mail: {{contact.email}}.":                                          "Mail: .",
		"Hi {{contact.name|there}}":                                         "Hi Sam",
		"{ {not} } {{":                                                      "{ {not} } {{",
	} {
		if got := inbox.FillPlaceholders(in, values); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
	// A customer's name that looks like a placeholder is said as written, never filled in turn.
	hostile := map[string]string{"contact.name": "{{agent.name}} {{contact.email|x}}", "agent.name": "Ana"}
	if got := inbox.FillPlaceholders("Hi {{contact.name}}", hostile); got != "Hi {{agent.name}} {{contact.email|x}}" {
		t.Errorf("hostile name: got %q", got)
	}
}

// TestMacroNameRace: two saves of the same name at once leave one macro; the other is
// ErrConflict.
func TestMacroNameRace(t *testing.T) {
	e := setupMacros(t)
	ctx := context.Background()
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := e.store.SaveMacro(ctx, inbox.Macro{Name: "Same", Shared: true, Actions: []inbox.MacroAction{{Type: "priority", Priority: "low"}}}, e.admin)
			errs <- err
		}()
	}
	var conflicts int
	for range 2 {
		if err := <-errs; errors.Is(err, inbox.ErrConflict) {
			conflicts++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if list, _ := e.store.Macros(ctx, e.agent.ID); conflicts != 1 || len(list) != 1 {
		t.Fatalf("%d conflicts, %d macros", conflicts, len(list))
	}
}

// TestMacroValidation refuses bad macros with a message naming what is wrong, and saves nothing.
func TestMacroValidation(t *testing.T) {
	e := setupMacros(t)
	ctx := context.Background()
	for _, c := range []struct {
		m    inbox.Macro
		want string
	}{
		{inbox.Macro{Name: " ", Actions: []inbox.MacroAction{{Type: "priority", Priority: "high"}}}, "name"},
		{inbox.Macro{Name: "x"}, "at least one action"},
		{inbox.Macro{Name: "x", Actions: []inbox.MacroAction{{Type: "reply", Text: "Hi {{contact.nmae}}"}}}, "unknown placeholder {{contact.nmae}}"},
		{inbox.Macro{Name: "x", Actions: []inbox.MacroAction{{Type: "delete"}}}, "actions[0].type"},
		{inbox.Macro{Name: "x", Actions: []inbox.MacroAction{{Type: "status", Status: "snoozed"}}}, "actions[0].status"},
		{inbox.Macro{Name: "x", Actions: []inbox.MacroAction{{Type: "priority", Priority: "high", Text: "hi"}}}, "actions[0].text: does not go with a priority action"},
		{inbox.Macro{Name: "x", Actions: []inbox.MacroAction{{Type: "tags"}}}, "give tags"},
		{inbox.Macro{Name: "x", Actions: []inbox.MacroAction{{Type: "team", TeamID: 99999}}}, "no team 99999"},
		{inbox.Macro{Name: "x", Actions: []inbox.MacroAction{{Type: "category", CategoryID: 99999}}}, "category"},
		{inbox.Macro{Name: "x", Actions: make([]inbox.MacroAction, inbox.MaxMacroActions+1)}, "at most"},
	} {
		_, err := e.store.SaveMacro(ctx, c.m, e.agent)
		if !errors.Is(err, inbox.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want invalid %q", c.m, err, c.want)
		}
	}
	if list, err := e.store.Macros(ctx, e.agent.ID); err != nil || len(list) != 0 {
		t.Fatalf("saved: %v %v", list, err)
	}
}

// TestMacroOwnership: personal macros are their owner's alone (others get ErrNotFound), shared
// ones every agent lists and runs but only admins change; names are unique per owner.
func TestMacroOwnership(t *testing.T) {
	e := setupMacros(t)
	ctx := context.Background()
	act := []inbox.MacroAction{{Type: "priority", Priority: "high"}}
	if _, err := e.store.SaveMacro(ctx, inbox.Macro{Name: "Shared", Shared: true, Actions: act}, e.agent); !errors.Is(err, inbox.ErrForbidden) {
		t.Fatalf("agent saving a shared macro: %v", err)
	}
	shared, err := e.store.SaveMacro(ctx, inbox.Macro{Name: "Shared", Shared: true, Actions: act}, e.admin)
	if err != nil {
		t.Fatal(err)
	}
	mine, err := e.store.SaveMacro(ctx, inbox.Macro{Name: "Mine", Actions: act}, e.agent)
	if err != nil || mine.OwnerID != e.agent.ID || mine.Shared {
		t.Fatalf("personal: %+v %v", mine, err)
	}
	if _, err := e.store.SaveMacro(ctx, inbox.Macro{Name: "mine", Actions: act}, e.agent); !errors.Is(err, inbox.ErrConflict) {
		t.Fatalf("same name twice: %v", err)
	}
	if _, err := e.store.SaveMacro(ctx, inbox.Macro{Name: "Mine", Actions: act}, e.admin); err != nil {
		t.Fatalf("another agent's name is free: %v", err)
	}
	list, err := e.store.Macros(ctx, e.agent.ID)
	if err != nil || len(list) != 2 || list[0].ID != mine.ID || list[1].ID != shared.ID {
		t.Fatalf("agent's list: %+v %v", list, err)
	}
	// The admin neither sees nor changes the agent's personal macro.
	mine.Name = "Taken over"
	if _, err := e.store.SaveMacro(ctx, mine, e.admin); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("admin editing a personal macro: %v", err)
	}
	if _, err := e.store.As(inbox.Everyone()).RunMacro(ctx, e.conv(t, 0), mine.ID, inbox.Actor{AgentID: e.admin.ID}); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("admin running a personal macro: %v", err)
	}
	del := func(id int64, by inbox.Agent) error {
		return e.store.InTx(ctx, func(tx pgx.Tx) error { _, err := e.store.DeleteMacroTx(ctx, tx, id, by); return err })
	}
	if err := del(shared.ID, e.agent); !errors.Is(err, inbox.ErrForbidden) {
		t.Fatalf("agent deleting a shared macro: %v", err)
	}
	shared.Name = "Renamed"
	if _, err := e.store.SaveMacro(ctx, shared, e.agent); !errors.Is(err, inbox.ErrForbidden) {
		t.Fatalf("agent editing a shared macro: %v", err)
	}
	if err := del(mine.ID, e.agent); err != nil {
		t.Fatal(err)
	}
	if err := del(shared.ID, e.admin); err != nil {
		t.Fatal(err)
	}
}

// TestRunMacro applies every action in one step, with placeholders filled, each audited as the
// manual action.
func TestRunMacro(t *testing.T) {
	e := setupMacros(t)
	ctx := context.Background()
	res, err := e.store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "m1", Name: "Sam Carter",
		From: emailFrom("sam@example.com"), Text: "help"})
	if err != nil {
		t.Fatal(err)
	}
	id := res.ConversationID
	if err := e.store.InTx(ctx, func(tx pgx.Tx) error { return e.store.SetTeamTx(ctx, tx, id, e.teamA.ID, inbox.Actor{}) }); err != nil {
		t.Fatal(err)
	}
	m, err := e.store.SaveMacro(ctx, inbox.Macro{Name: "Refund", Actions: []inbox.MacroAction{
		{Type: "reply", Text: "Hi {{contact.name|there}}, {{agent.name}} here about #{{conversation.id}} ({{contact.email}})."},
		{Type: "note", Text: "Refund promised to {{contact.name}}"},
		{Type: "tags", Add: []string{"Refund"}},
		{Type: "priority", Priority: "high"},
		{Type: "team", TeamID: e.teamB.ID},
		{Type: "status", Status: "pending"},
	}}, e.agent)
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.store.As(e.viewer).RunMacro(ctx, id, m.ID, inbox.Actor{AgentID: e.agent.ID})
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != "pending" || c.Priority != "high" || c.TeamID == nil || *c.TeamID != e.teamB.ID || len(c.Tags) != 1 || c.Tags[0] != "refund" {
		t.Fatalf("conversation: %+v", c)
	}
	msgs, err := e.store.Messages(ctx, id, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"help", "Hi Sam Carter, Ana here about #" + strconv.FormatInt(id, 10) + " (sam@example.com).", "Refund promised to Sam Carter"}
	if len(msgs) != 3 || msgs[1].Text != want[1] || msgs[2].Text != want[2] || msgs[2].Direction != inbox.DirectionNote {
		t.Fatalf("messages: %+v", msgs)
	}
	for kind, want := range map[string]int{"tags": 1, "priority": 1, "team": 2, "status": 1} {
		if n := e.entries(t, id, kind); n != want {
			t.Errorf("%d %s audit entries", n, kind)
		}
	}
}

// TestRunMacroAtomic: when one action is refused (a resolve lacking the team's required
// category, after a reply and tags), nothing of the macro is applied and the error names it.
func TestRunMacroAtomic(t *testing.T) {
	e := setupMacros(t)
	ctx := context.Background()
	id := e.conv(t, e.teamA.ID)
	if err := e.store.InTx(ctx, func(tx pgx.Tx) error { return e.store.SetRequireCategoryTx(ctx, tx, e.teamA.ID, true) }); err != nil {
		t.Fatal(err)
	}
	m, err := e.store.SaveMacro(ctx, inbox.Macro{Name: "Close it", Actions: []inbox.MacroAction{
		{Type: "reply", Text: "Done!"}, {Type: "tags", Add: []string{"done"}}, {Type: "status", Status: "resolved"},
	}}, e.agent)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.store.As(e.viewer).RunMacro(ctx, id, m.ID, inbox.Actor{AgentID: e.agent.ID})
	var me *inbox.MacroError
	if !errors.As(err, &me) || me.Index != 2 || me.Type != "status" || !errors.Is(err, inbox.ErrInvalid) || !strings.Contains(err.Error(), "action 3 (status)") {
		t.Fatalf("refusal: %v", err)
	}
	c, err := e.store.GetConversation(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	msgs, _ := e.store.Messages(ctx, id, 0, 10)
	if c.Status == "resolved" || len(c.Tags) != 0 || len(msgs) != 1 || e.entries(t, id, "tags") != 0 {
		t.Fatalf("partly applied: %+v, %d messages", c, len(msgs))
	}
	// A closed conversation refuses the first action: ErrClosed, named.
	if _, err := e.store.SetStatus(ctx, id, "closed", inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.As(e.viewer).RunMacro(ctx, id, m.ID, inbox.Actor{AgentID: e.agent.ID}); !errors.Is(err, inbox.ErrClosed) || !errors.As(err, &me) || me.Index != 0 {
		t.Fatalf("closed: %v", err)
	}
}

// TestRunMacroVisibility: a conversation the agent may not see is ErrNotFound and unchanged.
func TestRunMacroVisibility(t *testing.T) {
	e := setupMacros(t)
	ctx := context.Background()
	id := e.conv(t, e.teamB.ID)
	m, err := e.store.SaveMacro(ctx, inbox.Macro{Name: "Urgent", Shared: true, Actions: []inbox.MacroAction{{Type: "priority", Priority: "urgent"}}}, e.admin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.As(e.viewer).RunMacro(ctx, id, m.ID, inbox.Actor{AgentID: e.agent.ID}); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("hidden conversation: %v", err)
	}
	if c, _ := e.store.GetConversation(ctx, id); c.Priority == "urgent" {
		t.Fatal("changed a hidden conversation")
	}
	if _, err := e.store.As(e.viewer).RunMacro(ctx, e.conv(t, e.teamA.ID), m.ID, inbox.Actor{AgentID: e.agent.ID}); err != nil {
		t.Fatalf("shared macro on a visible conversation: %v", err)
	}
}
