package web_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// GET /api/v1/reports/summary answers the weekly summary's figures for a period, as the
// description says; a bad period is a 400 naming what is wrong.
func TestReportSummaryAPI(t *testing.T) {
	t.Parallel()
	e := setup(t)
	categoryConv(t, e, "sum-1", "Where is it?")
	categoryConv(t, e, "sum-2", "Still waiting")
	_, sup := e.newAgent(t, "sue", inbox.RoleAdmin)
	var sum workflow.Summary
	if st := e.doAs(t, sup, "GET", "/api/v1/reports/summary?period=7d", "", &sum); st != http.StatusOK {
		t.Fatalf("summary: %d", st)
	}
	if sum.Conversations != 2 || sum.Previous.Conversations != 0 || sum.OpenNow != 2 || sum.UnassignedNow != 2 ||
		len(sum.Channels) != 1 || sum.Channels[0].Conversations != 2 || sum.To.Sub(sum.From) != 7*24*time.Hour {
		t.Fatalf("summary = %+v", sum)
	}
	for _, q := range []string{"period=week", "period=custom&from=2026-11-09&to=2026-11-01", "period=custom&from=yesterday"} {
		var ae apiErr
		if st := e.doAs(t, sup, "GET", "/api/v1/reports/summary?"+q, "", &ae); st != http.StatusBadRequest || ae.Error == "" {
			t.Errorf("%s: %d %+v", q, st, ae)
		}
	}
}

// DELETE /api/v1/attributes/{object}/{key} deletes a definition (204, as described), then 404.
func TestDeleteAttributeAPI(t *testing.T) {
	t.Parallel()
	e := setup(t)
	_, admin := e.newAgent(t, "ada", inbox.RoleAdmin)
	if st := e.doAs(t, admin, "POST", "/api/v1/attributes", `{"object":"company","key":"seats","label":"Seats","type":"number"}`, nil); st != http.StatusOK && st != http.StatusCreated {
		t.Fatalf("define: %d", st)
	}
	if st := e.doAs(t, admin, "DELETE", "/api/v1/attributes/company/seats", "", nil); st != http.StatusNoContent {
		t.Fatalf("delete: %d", st)
	}
	if st := e.doAs(t, admin, "DELETE", "/api/v1/attributes/company/seats", "", nil); st != http.StatusNotFound {
		t.Fatalf("delete again: %d", st)
	}
	if st := e.doAs(t, admin, "DELETE", "/api/v1/attributes/order/seats", "", nil); st != http.StatusBadRequest {
		t.Fatalf("an unknown object: %d", st)
	}
}
