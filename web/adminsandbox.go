package web

import (
	"context"
	"net/http"
	"net/url"
	"sort"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/sandbox"
)

// SandboxLog is what the sandbox recorded (sandbox.Store): what Twilio, Slack and SMTP would
// have received while `parley serve --sandbox` runs.
type SandboxLog interface {
	Recent(ctx context.Context, limit int) ([]sandbox.Entry, error)
}

// sandboxShown is how many entries the sandbox page lists.
const sandboxShown = 100

// sandboxRow is an entry as the page shows it: a form's fields decoded beside the raw payload.
type sandboxRow struct {
	sandbox.Entry
	Kind   inbox.Channel
	Fields [][2]string
}

// sandboxRoutes mounts the sandbox page, for admins, when the sandbox is on.
func (s *Server) sandboxRoutes(m *router, log SandboxLog) {
	if log == nil {
		return
	}
	s.guard(m, "GET /admin/sandbox", inbox.RoleAdmin, func(w http.ResponseWriter, r *http.Request) error {
		entries, err := log.Recent(r.Context(), sandboxShown)
		if err != nil {
			return err
		}
		rows := make([]sandboxRow, 0, len(entries))
		for _, e := range entries {
			row := sandboxRow{Entry: e, Kind: inbox.Channel(e.Channel)}
			if e.Channel != sandbox.ChannelEmail {
				row.Fields = formFields(e.Payload)
			}
			rows = append(rows, row)
		}
		s.render(w, r, http.StatusOK, "admin_sandbox", page{Title: s.words(r).t("title.sandbox"), Agent: agentFrom(r.Context()), Nav: "admin", Body: rows})
		return nil
	})
}

// formFields decodes a form body into its fields, in key order; nil when it is not one.
func formFields(payload string) [][2]string {
	v, err := url.ParseQuery(payload)
	if err != nil {
		return nil
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out [][2]string
	for _, k := range keys {
		for _, val := range v[k] {
			out = append(out, [2]string{k, val})
		}
	}
	return out
}
