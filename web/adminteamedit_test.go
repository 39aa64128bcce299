package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// addOptions returns the agent names the "Add to" select of a team offers on the teams page.
func addOptions(t *testing.T, page string, teamID int64) []string {
	t.Helper()
	sel := regexp.MustCompile(`(?s)<select id="add-` + i64(teamID) + `" name="agent_id">(.*?)</select>`).FindStringSubmatch(page)
	if sel == nil {
		return nil
	}
	var out []string
	for _, m := range regexp.MustCompile(`<option value="\d+">([^<]*)</option>`).FindAllStringSubmatch(sel[1], -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

// TestAdminTeamRenameAndMembers renames a team (a taken or empty name refused, nothing changed),
// adds and removes a member, and checks that "Add to team" offers only agents not yet in it.
func TestAdminTeamRenameAndMembers(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	admin := e.newUser(t, "admin", inbox.RoleAdmin)
	ana := e.newUser(t, "ana", inbox.RoleAgent)
	bob := e.newUser(t, "bob", inbox.RoleAgent)
	billing, err := e.store.CreateTeam(ctx, "Billing", []string{"ana@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.CreateTeam(ctx, "Returns", nil); err != nil {
		t.Fatal(err)
	}
	_, page := admin.get(t, "/admin/teams")
	opts := addOptions(t, page, billing.ID)
	if len(opts) != 2 || opts[0] == "ana" || opts[1] == "ana" {
		t.Fatalf("Add to Billing offers %q, want admin and bob but not its member ana", opts)
	}
	team := "/admin/teams/" + i64(billing.ID)

	if st, body := admin.postForm(t, team, url.Values{"name": {"Returns"}}); st != http.StatusConflict {
		t.Fatalf("rename to a taken name: %d %.300s", st, body)
	} else {
		mustContain(t, "taken name", body, "Another team is already called &#34;Returns&#34;.")
	}
	if st, _ := admin.postForm(t, team, url.Values{"name": {"  "}}); st != http.StatusBadRequest {
		t.Fatalf("rename to nothing: %d", st)
	}
	if st, _ := admin.postForm(t, "/admin/teams/999999", url.Values{"name": {"Ghost"}}); st != http.StatusNotFound {
		t.Fatalf("rename no team: %d", st)
	}
	if got, _ := e.store.GetTeam(ctx, billing.ID); got.Name != "Billing" {
		t.Fatalf("after refusals the team is %q", got.Name)
	}
	if st, body := admin.postForm(t, team, url.Values{"name": {" Accounts "}}); st != http.StatusSeeOther {
		t.Fatalf("rename: %d %.300s", st, body)
	}
	if got, _ := e.store.GetTeam(ctx, billing.ID); got.Name != "Accounts" {
		t.Fatalf("renamed team is %q, want Accounts", got.Name)
	}
	recs := e.auditLog(t, inbox.AuditQuery{Actor: "admin@example.com"})
	if r := recs[0]; r.Kind != inbox.AuditTeamChanged || r.Data["action"] != "renamed" || r.Data["old_name"] != "Billing" || r.Data["name"] != "Accounts" {
		t.Fatalf("last audit record %+v, want the rename from Billing to Accounts", r)
	}

	if st, _ := admin.postForm(t, team+"/members", url.Values{"agent_id": {i64(bob.agent.ID)}}); st != http.StatusSeeOther {
		t.Fatalf("add bob: %d", st)
	}
	_, page = admin.get(t, "/admin/teams")
	if opts := addOptions(t, page, billing.ID); len(opts) != 1 || opts[0] != "admin" {
		t.Fatalf("Add to Accounts offers %q, want only admin", opts)
	}
	if st, _ := admin.postForm(t, team+"/members/"+i64(ana.agent.ID)+"/remove", nil); st != http.StatusSeeOther {
		t.Fatalf("remove ana: %d", st)
	}
	got, err := e.store.GetTeam(ctx, billing.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Members) != 1 || got.Members[0] != bob.agent.ID {
		t.Fatalf("members after removing ana: %v, want only bob %d", got.Members, bob.agent.ID)
	}
	_, page = admin.get(t, "/admin/teams")
	mustContain(t, "teams page", page, "Remove bob from Accounts")
	mustNotContain(t, "teams page", page, "Remove ana from Accounts")
	if opts := addOptions(t, page, billing.ID); len(opts) != 2 {
		t.Fatalf("Add to Accounts offers %q, want admin and ana again", opts)
	}
}

// TestAdminTeamDelete refuses to delete a team while a conversation not yet closed, an inbox, a
// routing rule or an SLA policy uses it, naming each and changing nothing; once they are gone,
// the team is deleted, its closed conversation kept without a team, and the change audited.
func TestAdminTeamDelete(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	admin := e.newUser(t, "admin", inbox.RoleAdmin)
	team, err := e.store.CreateTeam(ctx, "Billing", []string{"admin@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	c := e.customer(t, "m-1", "kim@example.com", "Kim", "Invoice", "hello")
	if err := e.store.InTx(ctx, func(tx pgx.Tx) error {
		return e.store.SetTeamTx(ctx, tx, c.ConversationID, team.ID, inbox.Actor{})
	}); err != nil {
		t.Fatal(err)
	}
	in, err := e.store.CreateInbox(ctx, inbox.NewInbox{Kind: inbox.ChannelAPI, Name: "Partner feed", TeamID: team.ID})
	if err != nil {
		t.Fatal(err)
	}
	rules := workflow.NewRules(e.pool, e.store)
	rule, err := rules.Add(ctx, workflow.NewRule{Name: "Invoices", Conditions: workflow.Conditions{Keywords: []string{"invoice"}}, SetTeam: "Billing"})
	if err != nil {
		t.Fatal(err)
	}
	slas := workflow.NewSLA(e.pool, e.store)
	policy, err := slas.CreatePolicy(ctx, workflow.NewPolicy{Name: "Escalating", FirstResponse: 3600e9, EscalateTeamID: team.ID})
	if err != nil {
		t.Fatal(err)
	}
	del := "/admin/teams/" + i64(team.ID) + "/delete"
	st, body := admin.postForm(t, del, nil)
	if st != http.StatusConflict {
		t.Fatalf("delete a team in use: %d %.300s", st, body)
	}
	mustContain(t, "refusal", html.UnescapeString(body), "This team cannot be deleted yet.",
		"1 conversation not yet closed", "the inbox “Partner feed”", "the routing rule “Invoices”", "the SLA policy “Escalating”")
	if _, err := e.store.GetTeam(ctx, team.ID); err != nil {
		t.Fatalf("the refused delete removed the team: %v", err)
	}

	if _, err := e.store.SetStatus(ctx, c.ConversationID, inbox.StatusClosed, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.pool.Exec(ctx, `UPDATE inboxes SET team_id = NULL WHERE id = $1`, in.ID); err != nil {
		t.Fatal(err)
	}
	if err := rules.Delete(ctx, rule.ID); err != nil {
		t.Fatal(err)
	}
	st, body = admin.postForm(t, del, nil)
	mustContain(t, "refusal", html.UnescapeString(body), "the SLA policy “Escalating”")
	if st != http.StatusConflict {
		t.Fatalf("delete a team an SLA policy escalates to: %d", st)
	}
	if err := slas.DeletePolicy(ctx, policy.ID); err != nil {
		t.Fatal(err)
	}
	if st, body := admin.postForm(t, del, nil); st != http.StatusSeeOther {
		t.Fatalf("delete an unused team: %d %.300s", st, body)
	}
	if _, err := e.store.GetTeam(ctx, team.ID); err == nil {
		t.Fatal("the team is still there")
	}
	var status string
	var teamID *int64
	if err := e.pool.QueryRow(ctx, `SELECT status, team_id FROM conversations WHERE id = $1`, c.ConversationID).Scan(&status, &teamID); err != nil {
		t.Fatal(err)
	}
	if status != "closed" || teamID != nil {
		t.Fatalf("the closed conversation is %s on team %v, want closed on none", status, teamID)
	}
	if st, _ := admin.postForm(t, del, nil); st != http.StatusNotFound {
		t.Fatalf("delete it again: %d", st)
	}
	recs := e.auditLog(t, inbox.AuditQuery{Actor: "admin@example.com"})
	if r := recs[0]; r.Kind != inbox.AuditTeamChanged || r.Data["action"] != "deleted" || r.Data["name"] != "Billing" {
		t.Fatalf("last audit record %+v, want the team's deletion", r)
	}
}
