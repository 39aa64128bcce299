package web

import (
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/custtext"
)

// inboxTextRoutes mounts an inbox's customer language and its own wording of the customer texts
// (the custtext catalogue), for admins: the API that the admin inbox page's texts section uses.
func (s *Server) inboxTextRoutes(m *router) {
	admin := inbox.RoleAdmin
	s.guardAPI(m, "GET /api/v1/inboxes/{id}/language", admin, s.getInboxLanguage)
	s.guardAPI(m, "PUT /api/v1/inboxes/{id}/language", admin, s.putInboxLanguage)
	s.guardAPI(m, "GET /api/v1/inboxes/{id}/texts", admin, s.listInboxTexts)
	s.guardAPI(m, "PUT /api/v1/inboxes/{id}/texts/{lang}/{key}", admin, s.putInboxText)
	s.guardAPI(m, "DELETE /api/v1/inboxes/{id}/texts/{lang}/{key}", admin, s.deleteInboxText)
}

// languageBody is an inbox's language setting, as the API reads and writes it.
type languageBody struct {
	Language              string `json:"language"`
	FollowBrowserLanguage bool   `json:"follow_browser_language"`
}

// languageView is GET /api/v1/inboxes/{id}/language's answer: the setting and the choices.
type languageView struct {
	languageBody
	Languages []languageChoice `json:"languages"`
}

// languageChoice is one shipped language: its code and its own name.
type languageChoice struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

func languageChoices() []languageChoice {
	var out []languageChoice
	for _, l := range custtext.Languages() {
		out = append(out, languageChoice{Code: l, Name: custtext.Name(l)})
	}
	return out
}

// getInboxLanguage is GET /api/v1/inboxes/{id}/language.
func (s *Server) getInboxLanguage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := s.store.GetInbox(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, languageView{languageBody{in.Language, in.FollowBrowserLanguage}, languageChoices()})
	return nil
}

// putInboxLanguage is PUT /api/v1/inboxes/{id}/language: 200 with the setting, audited as an
// inbox change. A language that is not shipped is 400 naming the shipped ones.
func (s *Server) putInboxLanguage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req languageBody
	if err := decode(w, r, &req); err != nil {
		return err
	}
	var out inbox.Inbox
	err = s.store.Audited(r.Context(), func(tx pgx.Tx) (inbox.AuditRecord, error) {
		var err error
		out, err = s.store.SetInboxLanguageTx(r.Context(), tx, id, req.Language, req.FollowBrowserLanguage)
		return auditActorOf(r).Record(inbox.AuditInboxChanged, inbox.AuditTarget("inbox", id),
			map[string]any{"action": "language", "name": out.Name, "language": req.Language,
				"follow_browser_language": req.FollowBrowserLanguage}), err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, languageView{languageBody{out.Language, out.FollowBrowserLanguage}, languageChoices()})
	return nil
}

// textEntry is one catalogue text as an inbox has it: the catalogue's wording in every
// language, the placeholders an override must keep, and the inbox's own wordings by language.
type textEntry struct {
	Key          string            `json:"key"`
	Placeholders []string          `json:"placeholders"`
	Catalogue    map[string]string `json:"catalogue"`
	Overrides    map[string]string `json:"overrides"`
}

// listInboxTexts is GET /api/v1/inboxes/{id}/texts: every customer text, by key.
func (s *Server) listInboxTexts(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	over, err := s.store.TextOverrides(r.Context(), id)
	if err != nil {
		return err
	}
	byKey := map[string]map[string]string{}
	for _, o := range over {
		if byKey[o.Key] == nil {
			byKey[o.Key] = map[string]string{}
		}
		byKey[o.Key][o.Lang] = o.Body
	}
	entries := []textEntry{}
	for _, k := range custtext.Keys() {
		e := textEntry{Key: k, Catalogue: map[string]string{}, Overrides: byKey[k]}
		for _, l := range custtext.Languages() {
			e.Catalogue[l], _ = custtext.Text(l, k)
		}
		e.Placeholders = placeholdersOf(k)
		if e.Overrides == nil {
			e.Overrides = map[string]string{}
		}
		entries = append(entries, e)
	}
	writeJSON(w, http.StatusOK, map[string]any{"languages": languageChoices(), "texts": entries})
	return nil
}

// placeholdersOf is the placeholders key's English text uses (never nil).
func placeholdersOf(key string) []string {
	en, _ := custtext.Text(custtext.English, key)
	if ps := custtext.Placeholders(en); ps != nil {
		return ps
	}
	return []string{}
}

// textBody is the body of PUT /api/v1/inboxes/{id}/texts/{lang}/{key}.
type textBody struct {
	Body string `json:"body"`
}

// putInboxText is PUT /api/v1/inboxes/{id}/texts/{lang}/{key}: the inbox's own wording of a
// text in a language, 200 with it, audited. An unknown language or key, or placeholders other
// than the catalogue text's, are 400 naming them; an unknown inbox 404.
func (s *Server) putInboxText(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req textBody
	if err := decode(w, r, &req); err != nil {
		return err
	}
	lang, key := r.PathValue("lang"), r.PathValue("key")
	var out inbox.TextOverride
	err = s.store.Audited(r.Context(), func(tx pgx.Tx) (inbox.AuditRecord, error) {
		var before string
		var err error
		out, before, err = s.store.SetTextTx(r.Context(), tx, id, lang, key, req.Body)
		return auditActorOf(r).Record(inbox.AuditInboxChanged, inbox.AuditTarget("inbox", id),
			map[string]any{"action": "text_set", "lang": lang, "key": key, "before": before, "body": req.Body}), err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// deleteInboxText is DELETE /api/v1/inboxes/{id}/texts/{lang}/{key}: the catalogue's wording
// applies again; 204, audited. An unknown language or key is 400, an inbox or override that
// does not exist 404.
func (s *Server) deleteInboxText(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	lang, key := r.PathValue("lang"), r.PathValue("key")
	err = s.store.Audited(r.Context(), func(tx pgx.Tx) (inbox.AuditRecord, error) {
		before, err := s.store.DeleteTextTx(r.Context(), tx, id, lang, key)
		return auditActorOf(r).Record(inbox.AuditInboxChanged, inbox.AuditTarget("inbox", id),
			map[string]any{"action": "text_deleted", "lang": lang, "key": key, "before": before}), err
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
