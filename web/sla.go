package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/sla"
	"github.com/parleyhq/parley/workflow"
)

// slaAPI is the SLA resource: the supervisors' board and breaches, the policies and the
// lifecycle settings.
type slaAPI struct {
	sla *workflow.SLA
	now func() time.Time
}

// slaRoutes mounts the SLA API: reads for supervisors and admins, changes for admins.
func (s *Server) slaRoutes(m *router) {
	api := &slaAPI{sla: s.sla, now: s.now}
	s.guardAPI(m, "GET /api/v1/sla/board", inbox.RoleSupervisor, api.board)
	s.guardAPI(m, "GET /api/v1/sla/breaches", inbox.RoleSupervisor, api.breaches)
	s.guardAPI(m, "GET /api/v1/sla/policies", inbox.RoleSupervisor, api.policies)
	s.guardAPI(m, "POST /api/v1/sla/policies", inbox.RoleAdmin, api.addPolicy)
	s.guardAPI(m, "PUT /api/v1/sla/policies/{id}", inbox.RoleAdmin, api.updatePolicy)
	s.guardAPI(m, "DELETE /api/v1/sla/policies/{id}", inbox.RoleAdmin, api.deletePolicy)
	s.guardAPI(m, "GET /api/v1/sla/settings", inbox.RoleSupervisor, api.settings)
	s.guardAPI(m, "PUT /api/v1/sla/settings", inbox.RoleAdmin, api.setSettings)
}

// board is GET /api/v1/sla/board?team=&limit=&cursor=: the open conversations with SLA clocks,
// soonest due first, each with its next due instant and state (ok, at_risk, breached, paused).
func (a *slaAPI) board(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := workflow.BoardFilter{Cursor: q.Get("cursor")}
	var err error
	if f.TeamID, err = optionalID(q.Get("team"), "team"); err != nil {
		return err
	}
	if f.Limit, err = optionalLimit(q.Get("limit")); err != nil {
		return err
	}
	page, err := a.sla.Board(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// breaches is GET /api/v1/sla/breaches?from=&to=&team=&policy=&agent=&target=&limit=&cursor=: the breaches recorded in
// [from, to), newest first; from and to are RFC 3339 instants or dates (UTC, a date "to" including
// that day: breachFilter, as the page reads them), by default the
// last seven days.
func (a *slaAPI) breaches(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f, err := breachFilter(q, a.now())
	if err != nil {
		return err
	}
	if f.Limit, err = optionalLimit(q.Get("limit")); err != nil {
		return err
	}
	page, err := a.sla.Breaches(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// policies is GET /api/v1/sla/policies.
func (a *slaAPI) policies(w http.ResponseWriter, r *http.Request) error {
	ps, err := a.sla.Policies(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"policies": ps})
	return nil
}

// policyRequest is the body of POST /api/v1/sla/policies; durations are Go durations ("15m").
type policyRequest struct {
	Name           string                `json:"name"`
	TeamID         int64                 `json:"team_id"`
	Priority       inbox.Priority        `json:"priority"`
	Tier           string                `json:"tier"`
	FirstResponse  string                `json:"first_response"`
	NextResponse   string                `json:"next_response"`
	Resolution     string                `json:"resolution"`
	Calendar       *sla.Calendar         `json:"calendar"`
	PausePending   *bool                 `json:"pause_pending"`
	WarnAt         float64               `json:"warn_at"`
	EscalateTeamID int64                 `json:"escalate_team_id"`
	EscalateAfter  string                `json:"escalate_after"`
	Levels         []sla.EscalationLevel `json:"levels"`
}

// addPolicy is POST /api/v1/sla/policies: 201 with the policy.
func (a *slaAPI) addPolicy(w http.ResponseWriter, r *http.Request) error {
	var req policyRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	n, err := req.newPolicy()
	if err != nil {
		return err
	}
	p, err := a.sla.As(auditActorOf(r)).CreatePolicy(r.Context(), n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}

// newPolicy reads the request's durations ("15m", "2h 30m", "1d 4h") into a workflow.NewPolicy.
func (req policyRequest) newPolicy() (workflow.NewPolicy, error) {
	n := workflow.NewPolicy{Name: req.Name, TeamID: req.TeamID, Priority: req.Priority, Tier: req.Tier, PausePending: req.PausePending,
		WarnAt: req.WarnAt, EscalateTeamID: req.EscalateTeamID, Levels: req.Levels}
	if req.Calendar != nil {
		n.Calendar = *req.Calendar
	}
	for _, d := range []struct {
		field string
		in    string
		out   *time.Duration
	}{{"first_response", req.FirstResponse, &n.FirstResponse}, {"next_response", req.NextResponse, &n.NextResponse},
		{"resolution", req.Resolution, &n.Resolution}, {"escalate_after", req.EscalateAfter, &n.EscalateAfter}} {
		if d.in == "" {
			continue
		}
		v, ok := parseDuration(d.in)
		if !ok {
			return n, badRequest(d.field + ` must be a duration such as "15m", "8h" or "1d 4h"`)
		}
		*d.out = v
	}
	return n, nil
}

// updatePolicy is PUT /api/v1/sla/policies/{id} with the body of POST: it replaces every
// setting (what is left out takes its default, as on creation) and answers with the policy.
// Running clocks follow the change at their conversation's next recompute
// (workflow.SLA.UpdatePolicy).
func (a *slaAPI) updatePolicy(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req policyRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	n, err := req.newPolicy()
	if err != nil {
		return err
	}
	p, err := a.sla.As(auditActorOf(r)).UpdatePolicy(r.Context(), id, n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// deletePolicy is DELETE /api/v1/sla/policies/{id}: 204. The conversations it covered fall to
// the next most specific policy, or none, at their next recompute.
func (a *slaAPI) deletePolicy(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.sla.As(auditActorOf(r)).DeletePolicy(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// settingsJSON is the lifecycle settings as the API shows and takes them.
type settingsJSON struct {
	PendingResolveAfter string `json:"pending_resolve_after"`
	ResolvedCloseAfter  string `json:"resolved_close_after"`
	AutoResolveMessage  string `json:"auto_resolve_message"`
	SurveyEnabled       bool   `json:"survey_enabled"`
	SurveyValidFor      string `json:"survey_valid_for"`
	// RecoveryThreshold is the highest score that opens a follow-up (0: none); absent keeps it.
	RecoveryThreshold *int `json:"recovery_threshold,omitempty"`
}

// settings is GET /api/v1/sla/settings: auto-close delays and survey settings.
func (a *slaAPI) settings(w http.ResponseWriter, r *http.Request) error {
	v, err := a.sla.Settings(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, settingsJSON{v.PendingResolveAfter.String(), v.ResolvedCloseAfter.String(),
		v.AutoResolveMessage, v.SurveyEnabled, v.SurveyValidFor.String(), &v.RecoveryThreshold})
	return nil
}

// setSettings is PUT /api/v1/sla/settings with every field ("0s" turns a step off).
func (a *slaAPI) setSettings(w http.ResponseWriter, r *http.Request) error {
	var req settingsJSON
	if err := decode(w, r, &req); err != nil {
		return err
	}
	v := workflow.Settings{AutoResolveMessage: req.AutoResolveMessage, SurveyEnabled: req.SurveyEnabled}
	if req.RecoveryThreshold != nil {
		v.RecoveryThreshold = *req.RecoveryThreshold
	} else {
		cur, err := a.sla.Settings(r.Context())
		if err != nil {
			return err
		}
		v.RecoveryThreshold = cur.RecoveryThreshold
	}
	for _, d := range []struct {
		field, in string
		out       *time.Duration
	}{{"pending_resolve_after", req.PendingResolveAfter, &v.PendingResolveAfter},
		{"resolved_close_after", req.ResolvedCloseAfter, &v.ResolvedCloseAfter},
		{"survey_valid_for", req.SurveyValidFor, &v.SurveyValidFor}} {
		var ok bool
		if *d.out, ok = parseDuration(d.in); !ok {
			return badRequest(d.field + ` must be a duration such as "72h" or "3d", or 0`)
		}
	}
	if err := a.sla.As(auditActorOf(r)).SetSettings(r.Context(), v); err != nil {
		return err
	}
	return a.settings(w, r)
}

// optionalID reads an optional positive id query parameter.
func optionalID(v, name string) (*int64, error) {
	if v == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return nil, badRequest(name + " must be a positive integer")
	}
	return &id, nil
}

// optionalLimit reads an optional page size.
func optionalLimit(v string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, badRequest("limit must be a positive integer")
	}
	return n, nil
}

// optionalSpan reads the optional from and to of a query: RFC 3339 instants or dates, a date
// "to" including that day; zero when absent.
func optionalSpan(q url.Values) (from, to time.Time, err error) {
	if v := q.Get("from"); v != "" {
		if from, err = instant(v, "from"); err != nil {
			return from, to, err
		}
	}
	if v := q.Get("to"); v != "" {
		if to, err = instant(v, "to"); err != nil {
			return from, to, err
		}
		if len(v) == len(time.DateOnly) {
			to = to.AddDate(0, 0, 1) // a date "to" includes that day
		}
	}
	return from, to, nil
}

// instant reads an RFC 3339 instant or a date (midnight UTC).
func instant(v, name string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Time{}, badRequest(name + " must be an RFC 3339 instant or a date such as 2026-11-23")
}
