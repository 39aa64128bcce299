package web

import (
	"net/http"
	"strconv"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/webhook"
)

// webhooksAPI serves the outgoing webhook endpoints and their delivery log to admins.
type webhooksAPI struct {
	hooks *webhook.Service
}

// createdEndpoint is an endpoint as its creation answers it: with its secret, shown this once.
type createdEndpoint struct {
	webhook.Endpoint
	Secret string `json:"secret"`
}

// webhookRoutes mounts the webhooks API and page, for admins only (403 for anyone else):
//
//	GET    /api/v1/webhooks                          {"webhooks": [endpoint...]}
//	POST   /api/v1/webhooks                          {"url", "events", "secret"?, "description"?}; 201 with the endpoint and its secret
//	GET    /api/v1/webhooks/{id}                     the endpoint
//	PATCH  /api/v1/webhooks/{id}                     any of {"url", "events", "secret", "description", "enabled"}; the endpoint
//	DELETE /api/v1/webhooks/{id}                     204
//	GET    /api/v1/webhooks/{id}/deliveries          {"deliveries": [...], "next": "?before=N"}, newest first
//	POST   /api/v1/webhook-deliveries/{id}/redeliver 201 with the new delivery
//
// A server built without a webhook service serves none of them.
func (s *Server) webhookRoutes(m *router) {
	if s.hooks == nil {
		return
	}
	api := &webhooksAPI{hooks: s.hooks}
	s.guardAPI(m, "GET /api/v1/webhooks", inbox.RoleAdmin, api.list)
	s.guardAPI(m, "POST /api/v1/webhooks", inbox.RoleAdmin, api.create)
	s.guardAPI(m, "GET /api/v1/webhooks/{id}", inbox.RoleAdmin, api.get)
	s.guardAPI(m, "PATCH /api/v1/webhooks/{id}", inbox.RoleAdmin, api.update)
	s.guardAPI(m, "DELETE /api/v1/webhooks/{id}", inbox.RoleAdmin, api.delete)
	s.guardAPI(m, "GET /api/v1/webhooks/{id}/deliveries", inbox.RoleAdmin, api.deliveries)
	s.guardAPI(m, "POST /api/v1/webhook-deliveries/{id}/redeliver", inbox.RoleAdmin, api.redeliver)
	s.adminWebhookRoutes(m)
}

func (a *webhooksAPI) list(w http.ResponseWriter, r *http.Request) error {
	list, err := a.hooks.Endpoints(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"webhooks": nonNil(list)})
	return nil
}

func (a *webhooksAPI) create(w http.ResponseWriter, r *http.Request) error {
	var in webhook.EndpointInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	e, secret, err := a.hooks.Create(r.Context(), auditActorOf(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, createdEndpoint{Endpoint: e, Secret: secret})
	return nil
}

func (a *webhooksAPI) get(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	e, err := a.hooks.Endpoint(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (a *webhooksAPI) update(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in webhook.EndpointInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	e, err := a.hooks.Update(r.Context(), auditActorOf(r), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (a *webhooksAPI) delete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.hooks.Delete(r.Context(), auditActorOf(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *webhooksAPI) deliveries(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var before int64
	if v := r.URL.Query().Get("before"); v != "" {
		if before, err = strconv.ParseInt(v, 10, 64); err != nil || before <= 0 {
			return badRequest("before must be a positive integer")
		}
	}
	list, err := a.hooks.Deliveries(r.Context(), id, before, webhook.MaxPage)
	if err != nil {
		return err
	}
	out := map[string]any{"deliveries": nonNil(list)}
	if len(list) == webhook.MaxPage {
		out["next"] = "?before=" + strconv.FormatInt(list[len(list)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *webhooksAPI) redeliver(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := a.hooks.Redeliver(r.Context(), auditActorOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, d)
	return nil
}

// nonNil is list, or an empty list for nil: JSON shows [] rather than null.
func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}
