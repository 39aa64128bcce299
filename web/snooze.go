package web

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// snooze is POST /api/v1/conversations/{id}/snooze {"until": "2026-06-02T09:00:00+02:00"}: the
// conversation is set aside until that instant (the page computes its presets, "tomorrow 9:00",
// in the browser's time zone and sends the instant). The rules are the inbox's (Scope.Snooze).
func (s *Server) snooze(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req struct {
		Until string `json:"until"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Until == "" {
		return badRequest("until is required: the instant to wake the conversation, such as 2026-06-02T09:00:00Z")
	}
	until, err := time.Parse(time.RFC3339, req.Until)
	if err != nil {
		return badRequest(fmt.Sprintf("until must be an instant such as 2026-06-02T09:00:00Z (RFC 3339), not %q", inbox.CutRunes(req.Until, 40)))
	}
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	c, err := sc.Snooze(r.Context(), id, until, inbox.Actor{AgentID: agentFrom(r.Context()).ID})
	if errors.Is(err, inbox.ErrNotSnoozable) {
		return &apiError{http.StatusConflict, "not_snoozable", "This conversation is resolved: reopen it before snoozing it."}
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// describeSnooze words a status entry of the trail that snoozed or woke a conversation; ok is
// false for any other status change.
func describeSnooze(w words, who string, system bool, d map[string]any) (text string, ok bool) {
	if d["to"] == string(inbox.StatusSnoozed) {
		until := fmt.Sprint(d["until"])
		if t, err := time.Parse(time.RFC3339, until); err == nil {
			until = w.clock(t)
		}
		return w.t("timeline.snoozed", "who", who, "until", until), true
	}
	switch d["woke"] {
	case inbox.WokeTimer:
		return w.t("timeline.woke_timer"), true
	case inbox.WokeCustomer:
		return w.t("timeline.woke_customer"), true
	case inbox.WokeAgent:
		if system {
			who = "Parley"
		}
		return w.t("timeline.woke_agent", "who", who, "to", w.statusName(fmt.Sprint(d["to"]))), true
	}
	return "", false
}
