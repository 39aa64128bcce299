package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// auditRoutes mounts the audit log for admins: the page with its filters and the CSV export of
// the same filters.
func (s *Server) auditRoutes(m *router) {
	s.guard(m, "GET /admin/audit", inbox.RoleAdmin, s.adminAudit)
	s.guard(m, "GET /admin/audit.csv", inbox.RoleAdmin, s.auditCSV)
}

// auditActorOf is the signed-in agent of r as the audit log names them, with r's client address.
func auditActorOf(r *http.Request) inbox.AuditActor {
	a := agentFrom(r.Context())
	return inbox.AuditActor{AgentID: a.ID, Name: a.Email, IP: clientIP(r)}
}

// auditPageSize is how many events the page shows at once.
const auditPageSize = 50

// maxAuditFilter caps one filter field's length.
const maxAuditFilter = 200

// auditFilter is the audit log's filter form as the query string carries it.
type auditFilter struct {
	Kind, Actor, Target, IP, From, To string
}

// auditView is the admin page of the audit log.
type auditView struct {
	Filter auditFilter
	Kinds  []string // the kinds in the log and their groups ("2fa.*"), for the kind field
	Rows   []auditRow
	// Older is the next page's address, Newest the first page's (when this is not it), CSV the
	// export's: all with the same filters.
	Older, Newest, CSV string
}

// auditRow is one event as the page shows it.
type auditRow struct {
	inbox.AuditRecord
	Link    string // where the target is managed; empty when no page shows it
	Details string
}

// parseAuditFilter reads the filters of q into an audit query. Dates are days in UTC
// (YYYY-MM-DD), both inclusive, or minutes (YYYY-MM-DDTHH:MM).
func parseAuditFilter(q url.Values) (auditFilter, inbox.AuditQuery, error) {
	f := auditFilter{Kind: q.Get("kind"), Actor: q.Get("actor"), Target: q.Get("target"), IP: q.Get("ip"),
		From: q.Get("from"), To: q.Get("to")}
	for name, v := range map[string]string{"kind": f.Kind, "actor": f.Actor, "target": f.Target, "ip": f.IP, "cursor": q.Get("cursor")} {
		if len(v) > maxAuditFilter {
			return f, inbox.AuditQuery{}, badRequest(name + " is too long")
		}
	}
	aq := inbox.AuditQuery{Kind: f.Kind, Actor: f.Actor, Target: f.Target,
		SourceIP: f.IP, Cursor: q.Get("cursor")}
	var err error
	if aq.From, err = auditTime("from", f.From, false); err != nil {
		return f, aq, err
	}
	if aq.To, err = auditTime("to", f.To, true); err != nil {
		return f, aq, err
	}
	return f, aq, nil
}

// auditTime reads a filter's date or minute; end makes a date mean the end of that day.
func auditTime(name, v string, end bool) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	if t, err := time.Parse("2006-01-02T15:04", v); err == nil {
		return t, nil
	}
	return time.Time{}, badRequest(name + " must be a date such as 2026-11-23 (or 2026-11-23T09:30, UTC)")
}

// adminAudit is GET /admin/audit: the newest events matching the filters, a page at a time.
func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request) error {
	f, q, err := parseAuditFilter(r.URL.Query())
	v := auditView{Filter: f, CSV: "/admin/audit.csv?" + f.values("").Encode()}
	if q.Cursor != "" {
		v.Newest = "/admin/audit?" + f.values("").Encode()
	}
	kinds, kerr := s.store.AuditKinds(r.Context())
	if kerr != nil {
		return kerr
	}
	v.Kinds = kindChoices(kinds)
	var page inbox.AuditPage
	if err == nil {
		q.Limit = auditPageSize
		page, err = s.store.AuditLog(r.Context(), q)
	}
	status, msg := http.StatusOK, ""
	if err != nil {
		status, _ = statusOf(err)
		if status != http.StatusBadRequest {
			return err
		}
		msg = err.Error()
		if ve := (*inbox.ValidationError)(nil); errors.As(err, &ve) {
			msg = ve.Error()
		}
	}
	for _, rec := range page.Records {
		v.Rows = append(v.Rows, auditRow{AuditRecord: rec, Link: targetLink(rec.Target), Details: details(rec.Data)})
	}
	if page.Next != "" {
		v.Older = "/admin/audit?" + f.values(page.Next).Encode()
	}
	s.render(w, r, status, "admin_audit", adminPage(r, s.words(r).t("title.audit_log"), msg, v))
	return nil
}

// adminPage is an admin page of the signed-in agent with an error message.
func adminPage(r *http.Request, title, errMsg string, body any) page {
	return page{Title: title, Agent: agentFrom(r.Context()), Nav: "admin", Error: errMsg, Body: body}
}

// values is the filter as a query string, with a page's cursor when not empty.
func (f auditFilter) values(cursor string) url.Values {
	v := url.Values{}
	for k, x := range map[string]string{"kind": f.Kind, "actor": f.Actor, "target": f.Target, "ip": f.IP,
		"from": f.From, "to": f.To, "cursor": cursor} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v
}

// kindChoices is the kinds and, for each first word that two or more share, its group: "2fa.*",
// or "signin*" when the word is a kind of its own too.
func kindChoices(kinds []string) []string {
	count := map[string]int{}
	bare := map[string]bool{}
	for _, k := range kinds {
		head, _, dotted := strings.Cut(k, ".")
		count[head]++
		bare[head] = bare[head] || !dotted
	}
	out := append([]string{}, kinds...)
	for head, n := range count {
		switch {
		case n > 1 && bare[head]:
			out = append(out, head+"*")
		case n > 1:
			out = append(out, head+".*")
		}
	}
	sort.Strings(out)
	return out
}

// targetLink is the admin page where an event's target is managed, or "" when none shows it.
func targetLink(target string) string {
	kind, _, _ := strings.Cut(target, ":")
	switch kind {
	case "agent":
		return "/admin/agents"
	case "team":
		return "/admin/teams"
	case "inbox":
		return "/admin/inboxes"
	case "rule", "rule_set":
		return "/admin/rules"
	case "sla_policy", "settings":
		return "/admin/sla"
	case "webhook":
		return "/admin/webhooks"
	case "canned":
		return "/admin/canned"
	case "macro":
		return "/macros"
	}
	return ""
}

// details shows an event's data on one line, as JSON with its keys in order.
func details(data map[string]any) string {
	if len(data) == 0 {
		return ""
	}
	b, err := json.Marshal(data) // maps marshal with sorted keys
	if err != nil {
		return ""
	}
	return string(b)
}
