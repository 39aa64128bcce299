package web_test

import (
	"net/http"
	"testing"

	"github.com/parleyhq/parley/inbox"
)

// GET /api/v1/reports answers the dashboard's reports as its description says (the response is
// checked against it), of what the caller's reports cover: the admin's both conversations of no
// team; a supervisor of no team, none. Bad filters are a 400 naming them.
func TestReportsAPI(t *testing.T) {
	t.Parallel()
	e := setup(t)
	categoryConv(t, e, "rep-1", "Where is it?")
	categoryConv(t, e, "rep-2", "Still waiting")
	_, admin := e.newAgent(t, "ada", inbox.RoleAdmin)
	_, sup := e.newAgent(t, "sue", inbox.RoleSupervisor)
	type report struct {
		Conversations int64 `json:"conversations"`
		Channels      []struct {
			Label         string `json:"label"`
			Conversations int64  `json:"conversations"`
		} `json:"channels"`
		Backlog []struct {
			Day  string `json:"day"`
			Open int64  `json:"open"`
		} `json:"backlog"`
	}
	var all, mine, chat report
	if st := e.doAs(t, admin, "GET", "/api/v1/reports?period=7d", "", &all); st != http.StatusOK {
		t.Fatalf("admin: %d", st)
	}
	if all.Conversations != 2 || len(all.Channels) != 1 || all.Channels[0].Conversations != 2 || len(all.Backlog) != 8 ||
		all.Backlog[7].Open != 2 {
		t.Errorf("admin's report = %+v", all)
	}
	if st := e.doAs(t, admin, "GET", "/api/v1/reports?period=7d&channel=chat", "", &chat); st != http.StatusOK || chat.Conversations != 0 {
		t.Errorf("admin, chat: %d %+v", st, chat)
	}
	if st := e.doAs(t, sup, "GET", "/api/v1/reports?period=7d", "", &mine); st != http.StatusOK || mine.Conversations != 0 ||
		mine.Backlog[7].Open != 0 {
		t.Errorf("supervisor of no team: %d %+v", st, mine)
	}
	for _, q := range []string{"team=x", "agent=0", "channel=pigeon", "category=-2", "period=week"} {
		var ae apiErr
		if st := e.doAs(t, admin, "GET", "/api/v1/reports?"+q, "", &ae); st != http.StatusBadRequest || ae.Error == "" {
			t.Errorf("%s: %d %+v", q, st, ae)
		}
	}
}
