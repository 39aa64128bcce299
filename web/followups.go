package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// followupsAPI is GET /api/v1/followups: the service-recovery follow-ups, open first, filtered
// by status (open, done), assignee and conversation.
func (s *Server) followupsAPI(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := workflow.FollowupFilter{Status: workflow.FollowupStatus(q.Get("status"))}
	for _, p := range []struct {
		name string
		to   *int64
	}{{"assignee", &f.AssigneeID}, {"conversation", &f.ConversationID}} {
		id, err := optionalID(q.Get(p.name), p.name)
		if err != nil {
			return err
		}
		if id != nil {
			*p.to = *id
		}
	}
	var err error
	if f.Limit, err = optionalLimit(q.Get("limit")); err != nil {
		return err
	}
	v, err := s.viewerOf(r)
	if err != nil {
		return err
	}
	list, err := s.sla.Followups(r.Context(), v.scope.Viewer(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"followups": list})
	return nil
}

// closeRequest is the body of POST /api/v1/followups/{id}/close.
type closeRequest struct {
	Outcome workflow.RecoveryOutcome `json:"outcome"`
	Note    string                   `json:"note"`
}

// closeFollowupAPI is POST /api/v1/followups/{id}/close: records the outcome and closes it.
func (s *Server) closeFollowupAPI(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req closeRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	v, err := s.viewerOf(r)
	if err != nil {
		return err
	}
	f, err := s.sla.CloseFollowup(r.Context(), v.scope.Viewer(), id,
		workflow.FollowupClose{Outcome: req.Outcome, Note: req.Note, By: v.agent.ID})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

// closeFollowupForm is POST /followups/{id}/close from the conversation page's form (outcome,
// note, back): it records the outcome and returns to the page it came from.
func (s *Server) closeFollowupForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pageID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	v, err := s.viewerOf(r)
	if err != nil {
		return err
	}
	f, err := s.sla.CloseFollowup(r.Context(), v.scope.Viewer(), id, workflow.FollowupClose{
		Outcome: workflow.RecoveryOutcome(r.PostForm.Get("outcome")), Note: r.PostForm.Get("note"), By: v.agent.ID})
	var ve *inbox.ValidationError
	switch {
	case errors.As(err, &ve) && ve.Field == "outcome":
		return &apiError{http.StatusBadRequest, "bad_request", "Please choose what was done for the customer."}
	case errors.As(err, &ve):
		return &apiError{http.StatusBadRequest, "bad_request", "The note is too long or unreadable: please shorten it."}
	case errors.Is(err, inbox.ErrConflict):
		return &apiError{http.StatusConflict, "conflict", "This follow-up was closed already."}
	case err != nil:
		return err
	}
	http.Redirect(w, r, localPath(r.PostForm.Get("back"), "/inbox/"+strconv.FormatInt(f.ConversationID, 10)), http.StatusSeeOther)
	return nil
}
