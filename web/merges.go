package web

import (
	"net/http"
	"strconv"

	"github.com/parleyhq/parley/inbox"
)

// mergeRoutes mounts the merge preview, the merge form and undo, on the page and in the API.
func (s *Server) mergeRoutes(m *router) {
	agent := inbox.RoleAgent
	s.guard(m, "GET /contacts/{id}/merge", agent, s.mergePreviewPage)
	s.guard(m, "POST /contacts/{id}/merge", agent, s.mergeForm)
	s.guard(m, "POST /merges/{id}/undo", agent, s.undoMergeForm)
	m.Handle("GET /api/v1/contacts/{id}/merge-preview", s.api(s.mergePreview))
	m.Handle("POST /api/v1/merges/{id}/undo", s.api(s.undoMerge))
}

// otherOf reads the contact to fold in: the query's or form's "other_id".
func otherOf(v string) (int64, error) {
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest("other_id must be a contact id")
	}
	return id, nil
}

// previewOf is the preview of merging the request's other_id into the path's contact.
func (s *Server) previewOf(r *http.Request, other string) (inbox.MergePreview, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return inbox.MergePreview{}, err
	}
	o, err := otherOf(other)
	if err != nil {
		return inbox.MergePreview{}, err
	}
	sc, err := s.scope(r)
	if err != nil {
		return inbox.MergePreview{}, err
	}
	return sc.MergePreview(r.Context(), id, o)
}

// mergePreview is GET /api/v1/contacts/{id}/merge-preview?other_id=N: what the merge would move.
func (s *Server) mergePreview(w http.ResponseWriter, r *http.Request) error {
	p, err := s.previewOf(r, r.URL.Query().Get("other_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// mergePreviewPage is GET /contacts/{id}/merge?other_id=N: the preview, with the button that
// merges.
func (s *Server) mergePreviewPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.previewOf(r, r.URL.Query().Get("other_id"))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "merge", page{Title: s.words(r).t("title.merge_contacts"), Agent: agentFrom(r.Context()), Nav: "contacts", Body: p})
	return nil
}

// mergeForm is POST /contacts/{id}/merge other_id=N: the preview page's button.
func (s *Server) mergeForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	other, err := otherOf(r.PostForm.Get("other_id"))
	if err != nil {
		return err
	}
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	if _, _, err := sc.MergeAndRecord(r.Context(), id, other, inbox.Actor{AgentID: agentFrom(r.Context()).ID}); err != nil {
		return err
	}
	http.Redirect(w, r, contactURL(id)+"?saved=merge", http.StatusSeeOther)
	return nil
}

// undoMergeForm is POST /merges/{id}/undo: the contact page's undo button.
func (s *Server) undoMergeForm(w http.ResponseWriter, r *http.Request) error {
	m, err := s.undo(r)
	if err != nil {
		return err
	}
	http.Redirect(w, r, contactURL(m.KeepID)+"?saved=undo", http.StatusSeeOther)
	return nil
}

// undoMerge is POST /api/v1/merges/{id}/undo: it answers the merge as undone.
func (s *Server) undoMerge(w http.ResponseWriter, r *http.Request) error {
	m, err := s.undo(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (s *Server) undo(r *http.Request) (inbox.MergeRecord, error) {
	sc, id, err := s.scopeAndID(r)
	if err != nil {
		return inbox.MergeRecord{}, err
	}
	return sc.UndoMerge(r.Context(), id, auditActorOf(r))
}
