package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// TestAdminSLAPolicyEditAndDelete edits a policy through PUT /api/v1/sla/policies/{id} (as the
// page's form does), keeps it unchanged on refusals, shows it on the page with each day's hours
// under that day and durations in the pages' one format, then deletes it; both are audited.
func TestAdminSLAPolicyEditAndDelete(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	admin := e.newUser(t, "admin", inbox.RoleAdmin)
	sup := e.newUser(t, "sup", inbox.RoleSupervisor)
	if _, err := e.store.CreateTeam(ctx, "Billing", nil); err != nil {
		t.Fatal(err)
	}
	st, body := admin.postJSON(t, "/api/v1/sla/policies", `{"name":"Standard","first_response":"4h",
		"calendar":{"zone":"Europe/Paris","week":{"mon":["09:00-17:00"],"tue":["08:00-12:00","13:00-18:00"]}}}`)
	if st != http.StatusCreated {
		t.Fatalf("add policy: %d %s", st, body)
	}
	var p struct{ ID int64 }
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	if st, _ := admin.postJSON(t, "/api/v1/sla/policies", `{"name":"Urgent","priority":"urgent","first_response":"15m"}`); st != http.StatusCreated {
		t.Fatalf("add second policy: %d", st)
	}
	path := "/api/v1/sla/policies/" + i64(p.ID)
	edit := `{"name":"Standard hours","first_response":"2h 30m","resolution":"1d 4h","escalate_after":"1h",
		"calendar":{"zone":"Europe/Paris","week":{"tue":["09:00-17:00"],"wed":["10:00-16:00"]}}}`
	if st, _ := sup.do(t, http.MethodPut, path, "application/json", edit); st != http.StatusForbidden {
		t.Fatalf("supervisor PUT: %d, want 403", st)
	}
	for _, bad := range []struct {
		body string
		want int
	}{
		{`{"name":"Standard","first_response":"soon"}`, http.StatusBadRequest},
		{`{"name":"Standard","first_response":"1h","calendar":{"week":{"tue":["17:00-09:00"]}}}`, http.StatusBadRequest},
		{`{"name":"Urgent","first_response":"1h"}`, http.StatusConflict},
	} {
		if st, body := admin.do(t, http.MethodPut, path, "application/json", bad.body); st != bad.want {
			t.Errorf("PUT %s: %d %s, want %d", bad.body, st, body, bad.want)
		}
	}
	if st, _ := admin.do(t, http.MethodPut, "/api/v1/sla/policies/999999", "application/json", edit); st != http.StatusNotFound {
		t.Fatalf("PUT no policy: %d", st)
	}
	policy := func() *workflow.Policy {
		ps, err := workflow.NewSLA(e.pool, e.store).Policies(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range ps {
			if x.ID == p.ID {
				return &x
			}
		}
		return nil
	}
	if got := policy(); got.Name != "Standard" || got.FirstResponse != 4*time.Hour {
		t.Fatalf("after refusals the policy is %q, %v", got.Name, got.FirstResponse)
	}
	if st, body := admin.do(t, http.MethodPut, path, "application/json", edit); st != http.StatusOK {
		t.Fatalf("PUT: %d %s", st, body)
	}
	got := policy()
	if got.Name != "Standard hours" || got.FirstResponse != 150*time.Minute || got.Resolution != 28*time.Hour ||
		got.Levels[1].AfterSecs != 3600 || got.Calendar.Zone.String() != "Europe/Paris" {
		t.Fatalf("edited policy %+v", got)
	}
	if mon, tue, wed := got.Calendar.Week[time.Monday], got.Calendar.Week[time.Tuesday], got.Calendar.Week[time.Wednesday]; len(mon) != 0 ||
		len(tue) != 1 || tue[0].String() != "09:00-17:00" || len(wed) != 1 || wed[0].String() != "10:00-16:00" {
		t.Fatalf("edited week: mon %v, tue %v, wed %v", mon, tue, wed)
	}

	if st, _ := admin.do(t, http.MethodPut, "/api/v1/sla/settings", "application/json",
		`{"pending_resolve_after":"3d","resolved_close_after":"0","survey_enabled":true,"survey_valid_for":"1d 12h"}`); st != http.StatusOK {
		t.Fatalf("settings in the pages' words: %d", st)
	}
	_, page := admin.get(t, "/admin/sla")
	page = html.UnescapeString(page)
	mustContain(t, "SLA page", page, "Standard hours", "Europe/Paris: Tue 09:00-17:00; Wed 10:00-16:00", ">2h 30m<", ">1d 4h<",
		`aria-label="Edit policy Standard hours"`, `data-delete="/api/v1/sla/policies/`+i64(p.ID)+`"`,
		`<label for="p-tue">Tuesday</label><input id="p-tue" name="day-tue"`, `name="pending_resolve_after" value="3d"`,
		`name="resolved_close_after" value="0"`, `name="survey_valid_for" value="1d 12h"`, "js/sla.js")
	mustNotContain(t, "SLA page", page, "72h0m0s", "0h 00m", "h 00m")

	if st, _ := sup.do(t, http.MethodDelete, path, "", ""); st != http.StatusForbidden {
		t.Fatalf("supervisor DELETE: %d, want 403", st)
	}
	if st, body := admin.do(t, http.MethodDelete, path, "", ""); st != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", st, body)
	}
	if policy() != nil {
		t.Fatal("the deleted policy is still listed")
	}
	if st, _ := admin.do(t, http.MethodDelete, path, "", ""); st != http.StatusNotFound {
		t.Fatalf("DELETE again: %d", st)
	}
	var actions []string
	for _, r := range e.auditLog(t, inbox.AuditQuery{Actor: "admin@example.com"}) {
		if r.Kind == inbox.AuditPolicyChanged && r.Target == inbox.AuditTarget("sla_policy", p.ID) {
			a, _ := r.Data["action"].(string)
			if old, ok := r.Data["old_name"].(string); ok {
				a += " from " + old
			}
			actions = append(actions, a)
		}
	}
	if strings.Join(actions, ", ") != "deleted, updated from Standard, created" {
		t.Fatalf("audit of the policy: %q", actions)
	}
}
