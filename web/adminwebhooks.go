package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/webhook"
)

// logRows is how many deliveries the page shows per endpoint.
const logRows = 20

// webhooksView is the admin page of outgoing webhooks.
type webhooksView struct {
	Endpoints []endpointView
	Events    []string // every event type, for the form's checkboxes
	// Secret is a new endpoint's signing secret, shown once after it is added.
	Secret string
}

// endpointView is one endpoint with the start of its delivery log.
type endpointView struct {
	webhook.Endpoint
	Deliveries []webhook.Delivery
	// Subscribed marks the events the endpoint receives, for its edit form's checkboxes.
	Subscribed map[string]bool
}

// adminWebhookRoutes mounts the page: the endpoints, their delivery logs and the forms.
func (s *Server) adminWebhookRoutes(m *router) {
	s.guard(m, "GET /admin/webhooks", inbox.RoleAdmin, s.adminWebhooks)
	s.guard(m, "POST /admin/webhooks", inbox.RoleAdmin, s.addWebhook)
	s.guard(m, "POST /admin/webhooks/{id}", inbox.RoleAdmin, s.editWebhook)
	s.guard(m, "POST /admin/webhooks/{id}/enabled", inbox.RoleAdmin, s.enableWebhook)
	s.guard(m, "POST /admin/webhooks/{id}/delete", inbox.RoleAdmin, s.deleteWebhook)
	s.guard(m, "POST /admin/webhook-deliveries/{id}/redeliver", inbox.RoleAdmin, s.redeliverWebhook)
}

// adminWebhooks is GET /admin/webhooks.
func (s *Server) adminWebhooks(w http.ResponseWriter, r *http.Request) error {
	return s.renderWebhooks(w, r, http.StatusOK, s.words(r).t(webhookNotices[r.URL.Query().Get("saved")]), "", "")
}

// webhookNotices are the page's messages after a change, by the key the redirect carries.
var webhookNotices = map[string]string{
	"enabled": "notice.webhooks.enabled", "saved": "notice.webhooks.saved", "deleted": "notice.webhooks.deleted", "redelivered": "notice.webhooks.redelivered",
}

func (s *Server) renderWebhooks(w http.ResponseWriter, r *http.Request, status int, notice, errMsg, secret string) error {
	list, err := s.hooks.Endpoints(r.Context())
	if err != nil {
		return err
	}
	v := webhooksView{Events: webhook.EventTypes(), Secret: secret}
	for _, e := range list {
		ds, err := s.hooks.Deliveries(r.Context(), e.ID, 0, logRows)
		if err != nil {
			return err
		}
		sub := make(map[string]bool, len(e.Events))
		for _, ev := range e.Events {
			sub[ev] = true
		}
		v.Endpoints = append(v.Endpoints, endpointView{Endpoint: e, Deliveries: ds, Subscribed: sub})
	}
	s.render(w, r, status, "admin_webhooks", page{Title: s.words(r).t("title.webhooks"), Agent: agentFrom(r.Context()), Nav: "admin",
		Notice: notice, Error: errMsg, Body: v})
	return nil
}

// addWebhook is POST /admin/webhooks: url, events (checked), secret (blank: generated),
// description. The page then shows the secret once.
func (s *Server) addWebhook(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	url, desc, events := strings.TrimSpace(r.PostForm.Get("url")), r.PostForm.Get("description"), r.PostForm["events"]
	in := webhook.EndpointInput{URL: &url, Events: &events, Description: &desc}
	if sec := r.PostForm.Get("secret"); sec != "" {
		in.Secret = &sec
	}
	_, secret, err := s.hooks.Create(r.Context(), auditActorOf(r), in)
	if errors.Is(err, inbox.ErrInvalid) {
		return s.renderWebhooks(w, r, http.StatusBadRequest, "", userMessage(s.words(r), err), "")
	}
	if err != nil {
		return err
	}
	return s.renderWebhooks(w, r, http.StatusCreated, s.words(r).t("notice.webhooks.added"), "", secret)
}

// editWebhook is POST /admin/webhooks/{id}: url, events, description, and a new secret when one
// is typed (blank keeps the secret), as PATCH /api/v1/webhooks/{id} takes them.
func (s *Server) editWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	url, desc, events := strings.TrimSpace(r.PostForm.Get("url")), r.PostForm.Get("description"), r.PostForm["events"]
	in := webhook.EndpointInput{URL: &url, Events: &events, Description: &desc}
	if sec := r.PostForm.Get("secret"); sec != "" {
		in.Secret = &sec
	}
	_, err = s.hooks.Update(r.Context(), auditActorOf(r), id, in)
	if errors.Is(err, inbox.ErrInvalid) {
		return s.renderWebhooks(w, r, http.StatusBadRequest, "", userMessage(s.words(r), err), "")
	}
	if err != nil {
		return err
	}
	saved(w, r, "/admin/webhooks", "saved")
	return nil
}

// enableWebhook is POST /admin/webhooks/{id}/enabled: on=true enables, anything else disables.
func (s *Server) enableWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	on := r.PostForm.Get("on") == "true"
	if _, err := s.hooks.Update(r.Context(), auditActorOf(r), id, webhook.EndpointInput{Enabled: &on}); err != nil {
		return err
	}
	saved(w, r, "/admin/webhooks", "enabled")
	return nil
}

// deleteWebhook is POST /admin/webhooks/{id}/delete.
func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.hooks.Delete(r.Context(), auditActorOf(r), id); err != nil {
		return err
	}
	saved(w, r, "/admin/webhooks", "deleted")
	return nil
}

// redeliverWebhook is POST /admin/webhook-deliveries/{id}/redeliver.
func (s *Server) redeliverWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	_, err = s.hooks.Redeliver(r.Context(), auditActorOf(r), id)
	if errors.Is(err, inbox.ErrConflict) {
		return s.renderWebhooks(w, r, http.StatusConflict, "", s.words(r).t("admin.webhooks.enable_first"), "")
	}
	if err != nil {
		return err
	}
	saved(w, r, "/admin/webhooks", "redelivered")
	return nil
}
