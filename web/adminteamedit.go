package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// renameTeam is POST /admin/teams/{id}: a new name. Conversations, rules and policies follow the
// team by id, so they show the new name; the audit log keeps the old one.
func (s *Server) renameTeam(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	name := r.PostForm.Get("name")
	err = s.store.Audited(r.Context(), func(tx pgx.Tx) (inbox.AuditRecord, error) {
		old, err := s.store.RenameTeamTx(r.Context(), tx, id, name)
		return auditActorOf(r).Record(inbox.AuditTeamChanged, inbox.AuditTarget("team", id),
			map[string]any{"action": "renamed", "old_name": old, "name": strings.TrimSpace(name)}), err
	})
	switch {
	case errors.Is(err, inbox.ErrConflict):
		return s.renderTeams(w, r, http.StatusConflict, s.words(r).t("admin.teams.name_taken", "name", strconv.Quote(strings.TrimSpace(name))))
	case errors.Is(err, inbox.ErrInvalid):
		return s.renderTeams(w, r, http.StatusBadRequest, s.words(r).t("admin.teams.give_name"))
	case err != nil:
		return err
	}
	saved(w, r, "/admin/teams", "renamed")
	return nil
}

// deleteTeam is POST /admin/teams/{id}/delete. A team still in use is refused (409) with what
// uses it: its conversations not yet closed, the inboxes, routing rules and SLA policies that
// name it. Those are the admin's to move or change first, since unassigning them silently
// would send conversations nowhere and widen an SLA policy to every team. Once unused, the
// team goes; its closed conversations and past breaches keep everything but the team.
func (s *Server) deleteTeam(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var refusal string
	err = s.store.Audited(r.Context(), func(tx pgx.Tx) (inbox.AuditRecord, error) {
		ctx := r.Context()
		use, err := s.store.TeamUsesTx(ctx, tx, id)
		if err != nil {
			return inbox.AuditRecord{}, err
		}
		wf, err := workflow.TeamUsesTx(ctx, tx, id)
		if err != nil {
			return inbox.AuditRecord{}, err
		}
		if refusal = teamInUse(s.words(r), use, wf); refusal != "" {
			return inbox.AuditRecord{}, fmt.Errorf("web: team %d: %w", id, inbox.ErrConflict)
		}
		t, err := s.store.DeleteTeamTx(ctx, tx, id)
		return auditActorOf(r).Record(inbox.AuditTeamChanged, inbox.AuditTarget("team", id),
			map[string]any{"action": "deleted", "name": t.Name, "members": t.Members}), err
	})
	if errors.Is(err, inbox.ErrConflict) {
		if refusal == "" { // a rule named the team between the check and the delete
			refusal = s.words(r).t("admin.teams.rule_still_sends")
		}
		return s.renderTeams(w, r, http.StatusConflict, s.words(r).t("admin.teams.cannot_delete", "reason", refusal))
	}
	if err != nil {
		return err
	}
	saved(w, r, "/admin/teams", "team_deleted")
	return nil
}

// teamInUse says in plain words what still uses a team, or "" when nothing does.
func teamInUse(w words, u inbox.TeamUse, wf workflow.TeamUses) string {
	var parts []string
	if n := u.OpenConversations; n > 0 {
		parts = append(parts, w.t("admin.teams.in_use.conversations", "count", n))
	}
	named := func(key string, names []string) {
		if len(names) == 0 {
			return
		}
		q := make([]string, len(names))
		for i, n := range names {
			q[i] = "“" + n + "”"
		}
		parts = append(parts, w.t(key, "count", len(names), "names", strings.Join(q, ", ")))
	}
	named("admin.teams.in_use.inboxes", u.Inboxes)
	named("admin.teams.in_use.rules", wf.Rules)
	named("admin.teams.in_use.policies", wf.Policies)
	if len(parts) == 0 {
		return ""
	}
	return w.t("admin.teams.in_use", "uses", strings.Join(parts, "; "))
}
