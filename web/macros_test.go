package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/teamtest"
)

type macroOut struct {
	ID     int64 `json:"id"`
	Shared bool  `json:"shared"`
}

// TestMacrosAPI walks the macro API, every answer checked against the description: bad macros
// are 400 naming what is wrong; shared macros are an admin's to make and change (403), personal
// ones their owner's alone (404 to others); running one fills the placeholders and applies every
// action; a refused action applies nothing and is named; a conversation the caller may not see
// is 404.
func TestMacrosAPI(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	_, adminToken := e.newAgent(t, "admin", inbox.RoleAdmin)
	_, outToken := e.newAgent(t, "outsider", inbox.RoleAgent)

	var refused apiErr
	if st := e.do(t, "POST", "/api/v1/macros", `{"name":"Bad","actions":[{"type":"reply","text":"Hi {{contact.nmae}}"}]}`, &refused); st != http.StatusBadRequest ||
		!strings.Contains(refused.Error, "unknown placeholder {{contact.nmae}}") {
		t.Fatalf("unknown placeholder: %d %+v", st, refused)
	}
	if st := e.do(t, "POST", "/api/v1/macros", `{"name":"Bad","actions":[{"type":"priority","priority":"high","team_id":1}]}`, &refused); st != http.StatusBadRequest ||
		!strings.Contains(refused.Error, "actions[0].team_id") {
		t.Fatalf("field of another action: %d %+v", st, refused)
	}
	if st := e.do(t, "POST", "/api/v1/macros", `{"name":"Shared","shared":true,"actions":[{"type":"priority","priority":"urgent"}]}`, nil); st != http.StatusForbidden {
		t.Fatalf("agent making a shared macro: %d, want 403", st)
	}
	var shared, mine macroOut
	if st := e.doAs(t, adminToken, "POST", "/api/v1/macros", `{"name":"Escalate","shared":true,"actions":[{"type":"priority","priority":"urgent"},{"type":"note","text":"Escalated by {{agent.name}}"}]}`, &shared); st != http.StatusCreated || !shared.Shared {
		t.Fatalf("admin's shared macro: %d %+v", st, shared)
	}
	if st := e.do(t, "POST", "/api/v1/macros", `{"name":"Thanks","actions":[{"type":"reply","text":"Hi {{contact.name|there}}, {{agent.name}} on #{{conversation.id}}."},{"type":"tags","add":["thanked"]},{"type":"status","status":"pending"}]}`, &mine); st != http.StatusCreated || mine.Shared {
		t.Fatalf("personal macro: %d %+v", st, mine)
	}
	if st := e.do(t, "POST", "/api/v1/macros", `{"name":"thanks","actions":[{"type":"status","status":"open"}]}`, nil); st != http.StatusConflict {
		t.Fatalf("same name: %d, want 409", st)
	}
	var list struct{ Macros []macroOut }
	if e.do(t, "GET", "/api/v1/macros", "", &list); len(list.Macros) != 2 {
		t.Fatalf("agent's list: %+v", list)
	}
	if e.doAs(t, outToken, "GET", "/api/v1/macros", "", &list); len(list.Macros) != 1 || list.Macros[0].ID != shared.ID {
		t.Fatalf("outsider's list: %+v, want the shared macro only", list)
	}
	if st := e.doAs(t, outToken, "PUT", fmt.Sprintf("/api/v1/macros/%d", mine.ID), `{"name":"Mine now","actions":[{"type":"status","status":"open"}]}`, nil); st != http.StatusNotFound {
		t.Fatalf("outsider editing a personal macro: %d, want 404", st)
	}
	if st := e.doAs(t, outToken, "DELETE", fmt.Sprintf("/api/v1/macros/%d", shared.ID), "", nil); st != http.StatusForbidden {
		t.Fatalf("outsider deleting a shared macro: %d, want 403", st)
	}

	var in ids
	if st := e.do(t, "POST", "/api/v1/inbound", `{"external_id":"mac1","contact":{"name":"Sam","email":"sam@example.com"},"subject":"Thanks","text":"hi"}`, &in); st != http.StatusCreated {
		t.Fatalf("inbound: %d", st)
	}
	conv := fmt.Sprint(in.ConversationID)
	if st := e.doAs(t, outToken, "POST", fmt.Sprintf("/api/v1/conversations/%s/macros/%d", conv, shared.ID), "", nil); st != http.StatusNotFound {
		t.Fatalf("outsider on a conversation they may not see: %d, want 404", st)
	}
	if st := e.doAs(t, adminToken, "POST", fmt.Sprintf("/api/v1/conversations/%s/macros/%d", conv, mine.ID), "", nil); st != http.StatusNotFound {
		t.Fatalf("admin running another's personal macro: %d, want 404", st)
	}
	var c struct {
		Status string   `json:"status"`
		Tags   []string `json:"tags"`
	}
	if st := e.do(t, "POST", fmt.Sprintf("/api/v1/conversations/%s/macros/%d", conv, mine.ID), "", &c); st != http.StatusOK || c.Status != "pending" || len(c.Tags) != 1 {
		t.Fatalf("run: %d %+v", st, c)
	}
	if n := e.count(t, `SELECT count(*) FROM messages WHERE conversation_id = $1 AND text = $2`, in.ConversationID, "Hi Sam, agent on #"+conv+"."); n != 1 {
		t.Fatalf("%d replies with the placeholders filled", n)
	}

	// The team requires a category to resolve: the macro's resolve is refused, its reply unsent.
	team := teamtest.FrontDesk(t, e.store, e.agent.ID)
	teamtest.Move(t, e.store, in.ConversationID, team.ID)
	if err := e.store.InTx(ctx, func(tx pgx.Tx) error { return e.store.SetRequireCategoryTx(ctx, tx, team.ID, true) }); err != nil {
		t.Fatal(err)
	}
	var done macroOut
	if st := e.do(t, "POST", "/api/v1/macros", `{"name":"Done","actions":[{"type":"reply","text":"Solved!"},{"type":"status","status":"resolved"}]}`, &done); st != http.StatusCreated {
		t.Fatalf("done macro: %d", st)
	}
	messages := e.count(t, `SELECT count(*) FROM messages WHERE conversation_id = $1`, in.ConversationID)
	if st := e.do(t, "POST", fmt.Sprintf("/api/v1/conversations/%s/macros/%d", conv, done.ID), "", &refused); st != http.StatusBadRequest ||
		!strings.HasPrefix(refused.Error, "action 2 (status): category") {
		t.Fatalf("refused resolve: %d %+v", st, refused)
	}
	if n := e.count(t, `SELECT count(*) FROM messages WHERE conversation_id = $1`, in.ConversationID); n != messages {
		t.Fatalf("the refused macro sent its reply: %d messages, want %d", n, messages)
	}

	if st := e.do(t, "PUT", fmt.Sprintf("/api/v1/macros/%d", mine.ID), `{"name":"Thanks again","actions":[{"type":"status","status":"open"}]}`, nil); st != http.StatusOK {
		t.Fatalf("edit: %d", st)
	}
	if st := e.do(t, "PUT", fmt.Sprintf("/api/v1/macros/%d", mine.ID), `{"name":"Thanks again","shared":true,"actions":[{"type":"status","status":"open"}]}`, nil); st != http.StatusForbidden {
		t.Fatalf("agent sharing a macro: %d, want 403", st)
	}
	if st := e.do(t, "DELETE", fmt.Sprintf("/api/v1/macros/%d", mine.ID), "", nil); st != http.StatusNoContent {
		t.Fatalf("delete: %d", st)
	}
	if st := e.do(t, "DELETE", fmt.Sprintf("/api/v1/macros/%d", mine.ID), "", nil); st != http.StatusNotFound {
		t.Fatalf("delete again: %d, want 404", st)
	}
	// Each change is in the audit log; refusals left none.
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE kind = $1`, inbox.AuditMacroChanged); n != 5 {
		t.Fatalf("%d macro.changed entries, want 5 (3 made, 1 edited, 1 deleted)", n)
	}
}
