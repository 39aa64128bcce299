package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// inboxFormView is the page that adds or edits one inbox.
type inboxFormView struct {
	Kind inbox.Channel
	// Inbox is the inbox edited; its ID is 0 on the add form.
	Inbox  inbox.Inbox
	Name   string
	TeamID int64
	Teams  []inbox.Team
	Fields []fieldView
	// NameError and TeamError are the messages beside the common fields.
	NameError, TeamError string
	// CanTest shows the "Test connection" button; Checks are its results.
	CanTest bool
	Checks  []channels.Check
	// Embed is the text to copy into the site (the chat widget's snippet).
	Embed string
	// Once is a new secret shown only now (a chat inbox's identity secret).
	Once string
}

// fieldView is one channel field with its value as shown: a secret's value never is.
type fieldView struct {
	channels.Field
	Value string
	// Saved tells that a secret field has a saved value, kept when left blank.
	Saved bool
	Error string
}

// inboxNotices are the edit page's messages after a change, by the key the redirect carries.
var inboxNotices = map[string]string{
	"created": "notice.inbox.created", "updated": "notice.inbox.updated", "disabled": "notice.inbox.disabled",
	"enabled": "notice.inbox.enabled",
}

// adminInboxRoutes mounts the inbox forms; the list, GET /admin/inboxes, is with the other
// admin pages.
func (s *Server) adminInboxRoutes(m *router) {
	admin := inbox.RoleAdmin
	s.guard(m, "GET /admin/inboxes/new", admin, s.newInboxForm)
	s.guard(m, "POST /admin/inboxes", admin, s.createInbox)
	s.guard(m, "POST /admin/inboxes/test", admin, s.testNewInbox)
	s.guard(m, "GET /admin/inboxes/{id}", admin, s.editInboxForm)
	s.guard(m, "POST /admin/inboxes/{id}", admin, s.updateInbox)
	s.guard(m, "POST /admin/inboxes/{id}/test", admin, s.testInbox)
	s.guard(m, "POST /admin/inboxes/{id}/enabled", admin, s.enableInbox)
}

// inboxKind reads the kind of a new inbox (query or form) and its admin: nil for the API
// channel, which has only a name and a team. A kind this server cannot manage is 400.
func (s *Server) inboxKind(raw string) (inbox.Channel, channels.InboxAdmin, error) {
	kind := inbox.Channel(raw)
	if kind == inbox.ChannelAPI {
		return kind, nil, nil
	}
	a, ok := s.admins[kind]
	if !ok {
		var names []string
		for _, k := range s.inboxKinds() {
			names = append(names, string(k))
		}
		return "", nil, &inbox.ValidationError{Field: "kind", Reason: "choose one of " + strings.Join(names, ", ")}
	}
	return kind, a, nil
}

// inboxKinds are the kinds the add form offers.
func (s *Server) inboxKinds() []inbox.Channel {
	kinds := []inbox.Channel{inbox.ChannelAPI}
	for k := range s.admins {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	return kinds
}

// newInboxForm is GET /admin/inboxes/new?kind=KIND.
func (s *Server) newInboxForm(w http.ResponseWriter, r *http.Request) error {
	kind, a, err := s.inboxKind(r.URL.Query().Get("kind"))
	if err != nil {
		return badRequest(userMessage(s.words(r), err))
	}
	v := inboxFormView{Kind: kind}
	if a != nil {
		for _, f := range a.Fields() {
			v.Fields = append(v.Fields, fieldView{Field: f})
		}
	}
	return s.renderInboxForm(w, r, http.StatusOK, v, "", "")
}

// editInboxForm is GET /admin/inboxes/{id}.
func (s *Server) editInboxForm(w http.ResponseWriter, r *http.Request) error {
	in, a, err := s.editedInbox(r)
	if err != nil {
		return err
	}
	v, err := s.savedInboxView(in, a)
	if err != nil {
		return err
	}
	return s.renderInboxForm(w, r, http.StatusOK, v, s.words(r).t(inboxNotices[r.URL.Query().Get("saved")]), "")
}

// editedInbox loads the inbox of the path and its admin (nil for the API channel). A kind
// this server has no admin for is 404: it cannot be edited here.
func (s *Server) editedInbox(r *http.Request) (inbox.Inbox, channels.InboxAdmin, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return inbox.Inbox{}, nil, err
	}
	in, err := s.store.GetInbox(r.Context(), id)
	if err != nil {
		return inbox.Inbox{}, nil, err
	}
	if in.Kind == inbox.ChannelAPI {
		return in, nil, nil
	}
	a, ok := s.admins[in.Kind]
	if !ok {
		return inbox.Inbox{}, nil, &apiError{http.StatusNotFound, "not_found", "this server does not run the " + string(in.Kind) + " channel"}
	}
	return in, a, nil
}

// savedInboxView is the edit form of in as saved.
func (s *Server) savedInboxView(in inbox.Inbox, a channels.InboxAdmin) (inboxFormView, error) {
	v := inboxFormView{Kind: in.Kind, Inbox: in, Name: in.Name, TeamID: deref(in.TeamID)}
	if a == nil {
		return v, nil
	}
	values, err := a.Values(in)
	if err != nil {
		return v, err
	}
	for _, f := range a.Fields() {
		fv := fieldView{Field: f, Saved: f.Secret && in.HasSecrets()}
		if !f.Secret {
			fv.Value = values[f.Name]
		}
		v.Fields = append(v.Fields, fv)
	}
	return v, nil
}

// renderInboxForm renders the add or edit page of v.
func (s *Server) renderInboxForm(w http.ResponseWriter, r *http.Request, status int, v inboxFormView, notice, errMsg string) error {
	teams, err := s.store.Teams(r.Context())
	if err != nil {
		return err
	}
	v.Teams = teams
	if a, ok := s.admins[v.Kind]; ok {
		_, v.CanTest = a.(channels.ConnectionTester)
		if e, ok := a.(channels.Embedder); ok && v.Inbox.ID != 0 {
			if v.Embed, err = e.Embed(v.Inbox); err != nil {
				return err
			}
		}
	}
	title := s.words(r).t("admin.inbox.add_title", "channel", s.words(r).channelName(v.Kind))
	if v.Inbox.ID != 0 {
		title = v.Inbox.Name
	}
	s.render(w, r, status, "admin_inbox", page{Title: s.words(r).t("title.inboxes"), Agent: agentFrom(r.Context()), Nav: "admin",
		Notice: notice, Error: errMsg, Body: map[string]any{"Form": v, "Heading": title}})
	return nil
}

// submittedForm reads the posted form of an inbox of kind with admin a (nil for API): the
// name, the team and the channel's fields, and the view that shows them again (secrets blank).
func (s *Server) submittedForm(r *http.Request, kind inbox.Channel, a channels.InboxAdmin, current *inbox.Inbox) (channels.Form, inboxFormView, error) {
	f := channels.Form{Name: strings.TrimSpace(r.PostForm.Get("name")), Values: map[string]string{}, Current: current}
	v := inboxFormView{Kind: kind, Name: f.Name}
	if current != nil {
		v.Inbox = *current
		cur := *current
		f.OpenSecrets = func(dst any) error { return s.store.OpenSecrets(cur, dst) }
	}
	if raw := r.PostForm.Get("team_id"); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			return f, v, &inbox.ValidationError{Field: "team_id", Reason: "is not a team"}
		}
		f.TeamID, v.TeamID = id, id
	}
	if a == nil {
		return f, v, nil
	}
	for _, field := range a.Fields() {
		val := r.PostForm.Get(field.Name)
		if !field.Secret {
			val = strings.TrimSpace(val)
		}
		f.Values[field.Name] = val
		fv := fieldView{Field: field, Saved: field.Secret && current != nil && current.HasSecrets()}
		if !field.Secret && field.Type != "checkbox" {
			fv.Value = val
		}
		v.Fields = append(v.Fields, fv)
	}
	return f, v, nil
}

// createInbox is POST /admin/inboxes: kind, name, team_id and the channel's fields. A bad
// value is 400, the form shown again with the field named; nothing is stored.
func (s *Server) createInbox(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	kind, a, err := s.inboxKind(r.PostForm.Get("kind"))
	if err != nil {
		return badRequest(userMessage(s.words(r), err))
	}
	f, v, err := s.submittedForm(r, kind, a, nil)
	if err != nil {
		return s.refuseInboxForm(w, r, v, err)
	}
	built := channels.Built{Inbox: inbox.NewInbox{Kind: kind, Name: f.Name, TeamID: f.TeamID}}
	if a != nil {
		if built, err = a.Build(r.Context(), f); err != nil {
			return s.refuseInboxForm(w, r, v, err)
		}
	}
	built.Inbox.Kind, built.Inbox.Name, built.Inbox.TeamID = kind, f.Name, f.TeamID
	var created inbox.Inbox
	err = s.store.Audited(r.Context(), func(tx pgx.Tx) (inbox.AuditRecord, error) {
		var err error
		created, err = s.store.CreateInboxTx(r.Context(), tx, built.Inbox)
		return auditActorOf(r).Record(inbox.AuditInboxChanged, inbox.AuditTarget("inbox", created.ID),
			map[string]any{"action": "created", "kind": string(kind), "name": created.Name}), err
	})
	if err != nil {
		return s.refuseInboxForm(w, r, v, err)
	}
	if built.Once == "" {
		saved(w, r, "/admin/inboxes/"+strconv.FormatInt(created.ID, 10), "created")
		return nil
	}
	nv, err := s.savedInboxView(created, a)
	if err != nil {
		return err
	}
	nv.Once = built.Once
	return s.renderInboxForm(w, r, http.StatusCreated, nv, s.words(r).t(inboxNotices["created"]), "")
}

// updateInbox is POST /admin/inboxes/{id}: the edit form. A secret left blank keeps the saved
// one. The audit entry names the fields changed, never a secret's value.
func (s *Server) updateInbox(w http.ResponseWriter, r *http.Request) error {
	in, a, err := s.editedInbox(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	f, v, err := s.submittedForm(r, in.Kind, a, &in)
	if err != nil {
		return s.refuseInboxForm(w, r, v, err)
	}
	built := channels.Built{}
	if a != nil {
		if built, err = a.Build(r.Context(), f); err != nil {
			return s.refuseInboxForm(w, r, v, err)
		}
	}
	changed, err := changedFields(in, a, f, built.Inbox.Settings)
	if err != nil {
		return err
	}
	if built.Once != "" {
		changed = append(changed, "identity_secret")
	}
	var updated inbox.Inbox
	err = s.store.Audited(r.Context(), func(tx pgx.Tx) (inbox.AuditRecord, error) {
		var err error
		updated, err = s.store.UpdateInboxTx(r.Context(), tx, in.ID, inbox.InboxChange{Name: f.Name, TeamID: f.TeamID,
			Settings: built.Inbox.Settings, Secrets: built.Inbox.Secrets})
		return auditActorOf(r).Record(inbox.AuditInboxChanged, inbox.AuditTarget("inbox", in.ID),
			map[string]any{"action": "updated", "kind": string(in.Kind), "name": f.Name, "changed": changed}), err
	})
	if err != nil {
		return s.refuseInboxForm(w, r, v, err)
	}
	if built.Once == "" {
		saved(w, r, "/admin/inboxes/"+strconv.FormatInt(in.ID, 10), "updated")
		return nil
	}
	nv, err := s.savedInboxView(updated, a)
	if err != nil {
		return err
	}
	nv.Once = built.Once
	return s.renderInboxForm(w, r, http.StatusOK, nv, s.words(r).t("notice.inbox.new_secret"), "")
}

// changedFields names what the form changes of in: the name, the team, the fields whose
// values differ between in and the new settings (both as the form shows them, so that a
// default filled in is no change) and the secrets given.
func changedFields(in inbox.Inbox, a channels.InboxAdmin, f channels.Form, settings any) ([]string, error) {
	changed := []string{}
	if f.Name != in.Name {
		changed = append(changed, "name")
	}
	if f.TeamID != deref(in.TeamID) {
		changed = append(changed, "team")
	}
	if a == nil {
		return changed, nil
	}
	old, err := a.Values(in)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(settings)
	if err != nil {
		return nil, fmt.Errorf("web: inbox settings: %w", err)
	}
	next, err := a.Values(inbox.Inbox{ID: in.ID, Kind: in.Kind, Settings: raw})
	if err != nil {
		return nil, err
	}
	for _, field := range a.Fields() {
		switch {
		case field.Type == "checkbox":
		case field.Secret && f.Values[field.Name] != "":
			changed = append(changed, field.Name)
		case !field.Secret && next[field.Name] != old[field.Name]:
			changed = append(changed, field.Name)
		}
	}
	return changed, nil
}

// refuseInboxForm shows the form again after err: a bad value is 400 with the field named and
// marked, a name taken 409, a server without PARLEY_SECRET_KEY 409; anything else is err.
func (s *Server) refuseInboxForm(w http.ResponseWriter, r *http.Request, v inboxFormView, err error) error {
	var ve *inbox.ValidationError
	status := http.StatusBadRequest
	errMsg := ""
	switch {
	case errors.As(err, &ve):
		errMsg = userMessage(s.words(r), ve)
		switch ve.Field {
		case "name":
			v.NameError = ve.Reason
		case "team_id":
			v.TeamError = ve.Reason
		}
		for i := range v.Fields {
			if v.Fields[i].Name == ve.Field {
				v.Fields[i].Error = ve.Reason
			}
		}
	case errors.Is(err, inbox.ErrConflict):
		status, errMsg = http.StatusConflict, s.words(r).t("admin.inbox.name_taken", "channel", s.words(r).channelName(v.Kind))
		v.NameError = s.words(r).t("admin.inbox.name_taken_short")
	case errors.Is(err, inbox.ErrNoSecretKey):
		status, errMsg = http.StatusConflict, s.words(r).t("admin.inbox.no_secret_key")
	default:
		return err
	}
	return s.renderInboxForm(w, r, status, v, "", errMsg)
}
