package main

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/riverqueue/river/rivertype"

	"github.com/parleyhq/parley/workflow"
)

// TestJobsPageIsRiversUIForAdminsOnly serves River's UI at /admin/jobs/ to an admin, refuses it
// to an agent, and lets an admin retry a cancelled job through its API from our own origin, but
// not from another site (the UI has no protection of its own).
func TestJobsPageIsRiversUIForAdminsOnly(t *testing.T) {
	m := newMatrix(t)
	ctx := context.Background()
	var admin, agent caller
	for _, c := range m.callers() {
		switch c.name {
		case "admin (session)":
			admin = c
		case "agent of team A (session)":
			agent = c
		}
	}
	send := func(c caller, method, path, body string, headers ...string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, m.srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.AddCookie(&http.Cookie{Name: "parley_session", Value: c.cookie})
		req.Header.Set("Accept", "text/html")
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(out)
	}
	st, page := send(admin, http.MethodGet, "/admin/jobs/", "")
	if st != http.StatusOK || !strings.Contains(page, "<title>River</title>") || !strings.Contains(page, `/admin/jobs/api`) {
		t.Fatalf("the jobs page for an admin: %d %.300s", st, page)
	}
	if st, _ := send(agent, http.MethodGet, "/admin/jobs/", ""); st != http.StatusForbidden {
		t.Errorf("the jobs page for an agent: %d, want 403", st)
	}

	res, err := m.parts.client.Insert(ctx, workflow.DeliverArgs{MessageID: 424242}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.parts.client.JobCancel(ctx, res.Job.ID); err != nil {
		t.Fatal(err)
	}
	body := `{"ids":["` + strconv.FormatInt(res.Job.ID, 10) + `"]}`
	if st, out := send(admin, http.MethodPost, "/admin/jobs/api/jobs/retry", body, "Sec-Fetch-Site", "cross-site"); st != http.StatusForbidden {
		t.Errorf("a cross-site retry: %d %s, want 403", st, out)
	}
	if j := m.job(res.Job.ID); j.State != rivertype.JobStateCancelled {
		t.Fatalf("after the refused retry the job is %s, want cancelled", j.State)
	}
	if st, _ := send(agent, http.MethodPost, "/admin/jobs/api/jobs/retry", body, "Sec-Fetch-Site", "same-origin"); st != http.StatusForbidden {
		t.Errorf("an agent's retry: %d, want 403", st)
	}
	if st, out := send(admin, http.MethodPost, "/admin/jobs/api/jobs/retry", body, "Sec-Fetch-Site", "same-origin"); st != http.StatusOK {
		t.Fatalf("an admin's retry: %d %s", st, out)
	}
	if j := m.job(res.Job.ID); j.State != rivertype.JobStateAvailable {
		t.Errorf("after the admin's retry the job is %s, want available", j.State)
	}
}

// job reads one River job.
func (m *matrix) job(id int64) *rivertype.JobRow {
	m.t.Helper()
	j, err := m.parts.client.JobGet(context.Background(), id)
	if err != nil {
		m.t.Fatal(err)
	}
	return j
}
