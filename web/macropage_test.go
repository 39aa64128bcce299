package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
)

// TestMacrosPage: an agent adds, edits and deletes their own macro on the page (an unknown
// placeholder is said, 400); sharing is an admin's (403 to agents, no checkbox for them); the
// agent sees the admin's shared macro but no button to change it, and the admin does not see
// the agent's own.
func TestMacrosPage(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	admin := e.newUser(t, "ada", inbox.RoleAdmin)
	agent := e.newUser(t, "ana", inbox.RoleAgent)
	if st, body := agent.postForm(t, "/macros", url.Values{"name": {"Hello"}, "reply": {"Hi {{customer.name}}"}}); st != http.StatusBadRequest ||
		!strings.Contains(html.UnescapeString(body), "unknown placeholder {{customer.name}}") {
		t.Fatalf("unknown placeholder: %d", st)
	}
	if st, _ := agent.postForm(t, "/macros", url.Values{"name": {"Hello"}, "shared": {"1"}, "priority": {"high"}}); st != http.StatusForbidden {
		t.Fatalf("agent sharing: %d, want 403", st)
	}
	if st, body := agent.postForm(t, "/macros", url.Values{"name": {"Hello"}, "reply": {"Hi {{contact.name|there}}"}, "add_tags": {"greeted, vip"}, "status": {"pending"}}); st != http.StatusSeeOther {
		t.Fatalf("create: %d %s", st, body)
	}
	if st, _ := admin.postForm(t, "/macros", url.Values{"name": {"Escalate"}, "shared": {"1"}, "priority": {"urgent"}}); st != http.StatusSeeOther {
		t.Fatalf("admin's shared macro: %d", st)
	}
	mine, err := e.store.Macros(ctx, agent.agent.ID)
	if err != nil || len(mine) != 2 || mine[1].Name != "Hello" || len(mine[1].Actions) != 3 || mine[1].Actions[0].Type != inbox.MacroTags ||
		mine[1].Actions[1].Type != inbox.MacroReply || mine[1].Actions[2].Status != inbox.StatusPending {
		t.Fatalf("saved: %+v %v", mine, err)
	}
	hello, shared := mine[1], mine[0]
	_, page := agent.get(t, fmt.Sprintf("/macros?edit=%d", hello.ID))
	mustContain(t, "edit form", page, "Edit Hello", `value="greeted, vip"`, fmt.Sprintf(`action="/macros/%d/delete"`, hello.ID))
	if strings.Contains(page, fmt.Sprintf(`action="/macros/%d/delete"`, shared.ID)) || strings.Contains(page, `name="shared"`) {
		t.Fatal("the agent's page offers to change or share a shared macro")
	}
	if st, _ := agent.postForm(t, fmt.Sprintf("/macros/%d/delete", shared.ID), nil); st != http.StatusForbidden {
		t.Fatalf("agent deleting the shared macro: %d, want 403", st)
	}
	_, page = admin.get(t, "/macros")
	mustContain(t, "admin's page", page, "Escalate", `name="shared"`)
	if strings.Contains(page, "Hello") {
		t.Fatal("the admin's page shows the agent's own macro")
	}
	if st, _ := agent.postForm(t, "/macros", url.Values{"id": {fmt.Sprint(hello.ID)}, "name": {"Hello there"}, "note": {"greeted"}}); st != http.StatusSeeOther {
		t.Fatalf("edit: %d", st)
	}
	if st, _ := agent.postForm(t, fmt.Sprintf("/macros/%d/delete", hello.ID), nil); st != http.StatusSeeOther {
		t.Fatalf("delete: %d", st)
	}
	if list, _ := e.store.Macros(ctx, agent.agent.ID); len(list) != 1 {
		t.Fatalf("after delete: %+v", list)
	}
}
