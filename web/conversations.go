package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// listConversations is GET /api/v1/conversations: one keyset page, filtered by status (comma
// separated), assignee (me, none or an id), team (an id), channel; continued with cursor.
func (s *Server) listConversations(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := inbox.ConversationQuery{Cursor: q.Get("cursor"), Channel: inbox.Channel(q.Get("channel"))}
	if v := q.Get("status"); v != "" {
		for _, st := range strings.Split(v, ",") {
			f.Statuses = append(f.Statuses, inbox.Status(strings.TrimSpace(st)))
		}
	}
	switch v := q.Get("assignee"); v {
	case "":
	case "me":
		id := agentFrom(r.Context()).ID
		f.AssigneeID = &id
	case "none":
		none := int64(0)
		f.AssigneeID = &none
	default:
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return badRequest("assignee must be me, none or an agent id")
		}
		f.AssigneeID = &id
	}
	if v := q.Get("team"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return badRequest("team must be a team id")
		}
		f.TeamIDs = []int64{id}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return badRequest("limit must be a positive integer")
		}
		f.Limit = n
	}
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	page, err := sc.ListConversations(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// getConversation is GET /api/v1/conversations/{id}: the conversation with its messages.
func (s *Server) getConversation(w http.ResponseWriter, r *http.Request) error {
	sc, id, err := s.scopeAndID(r)
	if err != nil {
		return err
	}
	c, err := sc.GetConversation(r.Context(), id)
	if err != nil {
		return err
	}
	return s.writeConversation(w, r, sc, c, http.StatusOK)
}

// writeConversation answers with conversation c and its messages, with status.
func (s *Server) writeConversation(w http.ResponseWriter, r *http.Request, sc inbox.Scope, c inbox.Conversation, status int) error {
	msgs, err := sc.Messages(r.Context(), c.ID, 0, 0)
	if err != nil {
		return err
	}
	s.inlineImages(msgs)
	writeJSON(w, status, struct {
		inbox.Conversation
		Messages []inbox.Message `json:"messages"`
	}{c, msgs})
	return nil
}

type messageRequest struct {
	Type    string        `json:"type"`
	Text    string        `json:"text"`
	Channel inbox.Channel `json:"channel"`
	Status  inbox.Status  `json:"status"`
	// AfterMessageID is the latest message the agent saw; a reply is refused (409 stale_reply)
	// when the customer or a colleague wrote since, unless Confirm. Optional.
	AfterMessageID int64 `json:"after_message_id"`
	Confirm        bool  `json:"confirm"`
	// ResolutionCodeID goes with a status: a complaint resolved with the reply takes its code.
	ResolutionCodeID int64 `json:"resolution_code_id"`
	// AttachmentIDs are the agent's uploads (POST /api/v1/uploads) the message carries.
	AttachmentIDs []int64 `json:"attachment_ids"`
	// To, Cc and Bcc are the addresses of an email reply (optional; none means reply-all).
	To  []string `json:"to"`
	Cc  []string `json:"cc"`
	Bcc []string `json:"bcc"`
}

// postMessage is POST /api/v1/conversations/{id}/messages: a reply (queued for delivery on the
// customer's latest channel unless channel says otherwise) or an internal note, as JSON (files
// by attachment_ids) or as multipart/form-data with "file" parts (multipartMessage). The
// message, its files, its delivery job and its event commit together; a refused message leaves
// none of the files it brought.
func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req messageRequest
	sent := false
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		// No file is read for a conversation the agent may not see (404 as for none).
		if err := s.seesConversation(r, id); err != nil {
			return err
		}
		var brought []int64
		if req, brought, err = s.multipartMessage(w, r); err != nil {
			return err
		}
		defer func() {
			if !sent { // refused, a stale reply too: the files go
				_ = s.store.DiscardUploads(r.Context(), agentFrom(r.Context()).ID, brought)
			}
		}()
	} else if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.AfterMessageID < 0 {
		return badRequest("after_message_id must be a message id")
	}
	if req.ResolutionCodeID < 0 || req.ResolutionCodeID != 0 && req.Status == "" {
		return badRequest("resolution_code_id goes with a status (resolved or closed) and must be a resolution code's id")
	}
	reply := inbox.Reply{ConversationID: id, Author: inbox.Actor{AgentID: agentFrom(r.Context()).ID},
		Text: req.Text, Channel: req.Channel, SetStatus: req.Status, ResolutionCodeID: req.ResolutionCodeID,
		After: req.AfterMessageID, Confirmed: req.Confirm, Uploads: req.AttachmentIDs}
	if req.To != nil || req.Cc != nil || req.Bcc != nil {
		reply.Recipients = &inbox.EmailRecipients{To: req.To, Cc: req.Cc, Bcc: req.Bcc}
	}
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	var m inbox.Message
	switch req.Type {
	case "reply", "":
		m, err = sc.Send(r.Context(), reply)
	case "note":
		m, err = sc.Note(r.Context(), reply)
	default:
		return badRequest(`type must be "reply" or "note"`)
	}
	var stale *inbox.StaleReplyError
	if errors.As(err, &stale) {
		return s.staleReply(r, stale)
	}
	if err != nil {
		return err
	}
	sent = true
	writeJSON(w, http.StatusCreated, m)
	return nil
}

// seesConversation is nil when the agent of r may see conversation id, else ErrNotFound.
func (s *Server) seesConversation(r *http.Request, id int64) error {
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	_, err = sc.GetConversation(r.Context(), id)
	return err
}

// assign is POST /api/v1/conversations/{id}/assign {"agent_id": N} (0 or null unassigns;
// "me" as agent takes it).
func (s *Server) assign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req struct {
		AgentID *int64 `json:"agent_id"`
		Agent   string `json:"agent"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	me := agentFrom(r.Context())
	var target int64
	switch {
	case req.Agent == "me":
		target = me.ID
	case req.Agent != "":
		return badRequest(`agent may only be "me"; use agent_id for others`)
	case req.AgentID != nil:
		target = *req.AgentID
	}
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	c, err := sc.Assign(r.Context(), id, target, inbox.Actor{AgentID: me.ID})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// setStatus is POST /api/v1/conversations/{id}/status {"status": "resolved"}, with
// "resolution_code_id" to record how a complaint was settled in the same step.
func (s *Server) setStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req struct {
		Status           inbox.Status `json:"status"`
		ResolutionCodeID int64        `json:"resolution_code_id"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	c, err := sc.SetStatusCoded(r.Context(), id, req.Status, req.ResolutionCodeID, inbox.Actor{AgentID: agentFrom(r.Context()).ID})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// setPriority is POST /api/v1/conversations/{id}/priority {"priority": "high"}.
func (s *Server) setPriority(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req struct {
		Priority inbox.Priority `json:"priority"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	c, err := sc.SetPriority(r.Context(), id, req.Priority, inbox.Actor{AgentID: agentFrom(r.Context()).ID})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// setTags is POST /api/v1/conversations/{id}/tags {"add": [...], "remove": [...]}.
func (s *Server) setTags(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req struct {
		Add    []string `json:"add"`
		Remove []string `json:"remove"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	c, err := sc.SetTags(r.Context(), id, req.Add, req.Remove, inbox.Actor{AgentID: agentFrom(r.Context()).ID})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// staleReply says, in words an agent reads, who wrote while the reply was being typed.
func (s *Server) staleReply(r *http.Request, e *inbox.StaleReplyError) error {
	who := "The customer wrote"
	if e.Direction != inbox.DirectionInbound {
		who = "A colleague replied"
		if a, err := s.store.GetAgent(r.Context(), e.AuthorAgentID); err == nil {
			who = a.Name + " replied"
		}
	}
	return &apiError{http.StatusConflict, "stale_reply",
		who + " while you were typing. Read the new message, then send again, or send anyway (confirm)."}
}
