package web

import (
	"encoding/json"
	"net/http"
	"sort"

	"github.com/parleyhq/parley/inbox"
)

// inboxRow is one channel account as an admin sees it: its settings, never its secrets.
type inboxRow struct {
	inbox.Inbox
	Settings [][2]string // key, value pairs by key; values that are not strings as JSON
	Secrets  bool
}

// adminInboxes is GET /admin/inboxes: every channel account and its settings.
func (s *Server) adminInboxes(w http.ResponseWriter, r *http.Request) error {
	list, err := s.store.Inboxes(r.Context(), "")
	if err != nil {
		return err
	}
	teams, err := s.store.Teams(r.Context())
	if err != nil {
		return err
	}
	teamNames := map[int64]string{}
	for _, t := range teams {
		teamNames[t.ID] = t.Name
	}
	rows := make([]inboxRow, 0, len(list))
	for _, in := range list {
		row := inboxRow{Inbox: in, Secrets: in.HasSecrets()}
		var settings map[string]json.RawMessage
		if err := in.DecodeSettings(&settings); err == nil {
			for k, v := range settings {
				var str string
				if json.Unmarshal(v, &str) != nil {
					str = string(v) // not a string: shown as JSON
				}
				row.Settings = append(row.Settings, [2]string{k, str})
			}
			sort.Slice(row.Settings, func(i, j int) bool { return row.Settings[i][0] < row.Settings[j][0] })
		}
		rows = append(rows, row)
	}
	editable := map[inbox.Channel]bool{inbox.ChannelAPI: true}
	for k := range s.admins {
		editable[k] = true
	}
	s.render(w, r, http.StatusOK, "admin_inboxes", page{Title: s.words(r).t("title.inboxes"), Agent: agentFrom(r.Context()), Nav: "admin",
		Body: map[string]any{"Inboxes": rows, "Teams": teamNames, "Kinds": s.inboxKinds(), "Editable": editable}})
	return nil
}
