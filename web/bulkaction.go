package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// bulkRequest is the body of POST /api/v1/conversations/bulk: the conversations, the action and
// that action's fields, named as in the single action's body (assign: agent_id or agent "me";
// status: status, resolution_code_id; priority: priority; tags: add, remove; category:
// category_id or category, resolution_code_id).
type bulkRequest struct {
	IDs              []int64        `json:"ids"`
	Action           inbox.BulkKind `json:"action"`
	AgentID          *int64         `json:"agent_id"`
	Agent            string         `json:"agent"`
	Status           inbox.Status   `json:"status"`
	ResolutionCodeID *int64         `json:"resolution_code_id"`
	Priority         inbox.Priority `json:"priority"`
	Add              []string       `json:"add"`
	Remove           []string       `json:"remove"`
	CategoryID       *int64         `json:"category_id"`
	Category         *string        `json:"category"`
}

// bulkFields are the fields each action takes; a field of another action is refused, so that a
// mistaken body changes nothing rather than something else.
var bulkFields = map[inbox.BulkKind][]string{
	inbox.BulkAssign:   {"agent_id", "agent"},
	inbox.BulkStatus:   {"status", "resolution_code_id"},
	inbox.BulkPriority: {"priority"},
	inbox.BulkTags:     {"add", "remove"},
	inbox.BulkCategory: {"category_id", "category", "resolution_code_id"},
}

// set lists the action fields the request holds.
func (req bulkRequest) set() []string {
	var out []string
	for name, ok := range map[string]bool{"agent_id": req.AgentID != nil, "agent": req.Agent != "",
		"status": req.Status != "", "resolution_code_id": req.ResolutionCodeID != nil, "priority": req.Priority != "",
		"add": req.Add != nil, "remove": req.Remove != nil, "category_id": req.CategoryID != nil, "category": req.Category != nil} {
		if ok {
			out = append(out, name)
		}
	}
	return out
}

// bulkResult is one conversation's line of the answer: ok, or the error and code its single
// action would have answered.
type bulkResult struct {
	ID    int64  `json:"id"`
	OK    bool   `json:"ok,omitempty"`
	Error string `json:"error,omitempty"`
	Code  string `json:"code,omitempty"`
}

// bulkConversations is POST /api/v1/conversations/bulk: one action on up to inbox.MaxBulk
// conversations (Scope.Bulk: each with the single action's rules, audit entry and event; a
// refusal undoes nothing else). 200 with {"results": [...]}, one per distinct id in the order given; a
// conversation the caller may not see is reported not_found and left alone. Input wrong
// whatever the conversation (the action, its values, no ids) is 400 and too many ids 413, with
// nothing changed.
func (s *Server) bulkConversations(w http.ResponseWriter, r *http.Request) error {
	var req bulkRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if len(req.IDs) > inbox.MaxBulk {
		return &apiError{http.StatusRequestEntityTooLarge, "too_large",
			fmt.Sprintf("at most %d conversations at once, not %d: split the list", inbox.MaxBulk, len(req.IDs))}
	}
	a, err := s.bulkAction(r, req)
	if err != nil {
		return err
	}
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	out, err := sc.Bulk(r.Context(), req.IDs, a, inbox.Actor{AgentID: agentFrom(r.Context()).ID})
	if err != nil {
		return err
	}
	results := make([]bulkResult, len(out))
	for i, o := range out {
		results[i] = bulkResult{ID: o.ID, OK: o.Err == nil}
		if o.Err != nil {
			status, code := statusOf(o.Err)
			results[i].Error, results[i].Code = publicMessage(o.Err, status, code), code
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results})
	return nil
}

// bulkAction turns the request into the inbox's action; the inbox checks the values.
func (s *Server) bulkAction(r *http.Request, req bulkRequest) (inbox.BulkAction, error) {
	a := inbox.BulkAction{Kind: req.Action}
	allowed, ok := bulkFields[req.Action]
	if !ok {
		return a, badRequest(fmt.Sprintf("action must be assign, status, priority, tags or category, not %q", req.Action))
	}
	for _, f := range req.set() {
		if !slices.Contains(allowed, f) {
			return a, badRequest(fmt.Sprintf("%s does not go with the action %s (it takes %s)", f, req.Action, strings.Join(allowed, ", ")))
		}
	}
	switch req.Action {
	case inbox.BulkAssign:
		switch {
		case req.Agent == "me":
			a.AgentID = agentFrom(r.Context()).ID
		case req.Agent != "":
			return a, badRequest(`agent may only be "me"; use agent_id for others`)
		case req.AgentID != nil:
			a.AgentID = *req.AgentID
		default:
			return a, badRequest(`assign needs agent_id (0 unassigns) or agent "me"`)
		}
	case inbox.BulkStatus:
		a.Status = req.Status
		if req.ResolutionCodeID != nil {
			a.ResolutionCodeID = *req.ResolutionCodeID
		}
	case inbox.BulkPriority:
		a.Priority = req.Priority
	case inbox.BulkTags:
		a.AddTags, a.RemoveTags = req.Add, req.Remove
	case inbox.BulkCategory:
		ch, err := s.categoryChange(r.Context(), categoryRequest{CategoryID: req.CategoryID, Category: req.Category,
			ResolutionCodeID: req.ResolutionCodeID})
		if err != nil {
			return a, err
		}
		a.Category = ch
	}
	return a, nil
}
