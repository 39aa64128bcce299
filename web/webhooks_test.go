package web_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/webhook"
)

// An admin registers, reads, changes, pages the log of, redelivers to and deletes an endpoint
// through the API; bad input is a 400 that changes nothing; an agent is refused.
func TestWebhooksAPI(t *testing.T) {
	e := setup(t)
	_, admin := e.newAgent(t, "admin", inbox.RoleAdmin)

	var bad apiErr
	for _, body := range []string{
		`{"url":"ftp://example.com/x","events":["message.created"]}`,
		`{"url":"https://example.com/x","events":["no.such.event"]}`,
		`{"url":"https://example.com/x","events":[]}`,
		`{"url":"https://example.com/x","events":["message.created"],"secret":"short"}`,
		`{"url":"https://user:pw@example.com/x","events":["message.created"]}`,
		`{"events":["message.created"]}`,
		`{"url":"https://example.com/x","events":["message.created"],"extra":1}`,
	} {
		if st := e.doAs(t, admin, "POST", "/api/v1/webhooks", body, &bad); st != http.StatusBadRequest {
			t.Errorf("POST %s: %d %+v, want 400", body, st, bad)
		}
	}
	var list struct {
		Webhooks []webhook.Endpoint `json:"webhooks"`
	}
	if st := e.doAs(t, admin, "GET", "/api/v1/webhooks", "", &list); st != http.StatusOK || len(list.Webhooks) != 0 {
		t.Fatalf("after bad input: %d %+v", st, list)
	}
	if st := e.do(t, "POST", "/api/v1/webhooks", `{"url":"https://example.com/x","events":["message.created"]}`, nil); st != http.StatusForbidden {
		t.Fatalf("an agent registering an endpoint: %d, want 403", st)
	}

	var created struct {
		webhook.Endpoint
		Secret string `json:"secret"`
	}
	st := e.doAs(t, admin, "POST", "/api/v1/webhooks", `{"url":"https://hooks.example.com/parley","events":["message.created","conversation.status"]}`, &created)
	if st != http.StatusCreated || created.ID == 0 || len(created.Secret) < 16 || !created.Enabled {
		t.Fatalf("POST: %d %+v", st, created)
	}
	id := strconv.FormatInt(created.ID, 10)
	var got map[string]any
	if st := e.doAs(t, admin, "GET", "/api/v1/webhooks/"+id, "", &got); st != http.StatusOK || got["secret"] != nil || got["url"] != "https://hooks.example.com/parley" {
		t.Fatalf("GET: %d %v (the secret is never read back)", st, got)
	}
	var changed webhook.Endpoint
	if st := e.doAs(t, admin, "PATCH", "/api/v1/webhooks/"+id, `{"enabled":false,"description":"CRM"}`, &changed); st != http.StatusOK || changed.Enabled || changed.Description != "CRM" {
		t.Fatalf("PATCH: %d %+v", st, changed)
	}
	e.doAs(t, admin, "PATCH", "/api/v1/webhooks/"+id, `{"enabled":true}`, &changed)

	e.doAs(t, admin, "POST", "/api/v1/inbound", `{"external_id":"w-1","contact":{"email":"w@example.com"},"text":"hi"}`, nil)
	var log struct {
		Deliveries []webhook.Delivery `json:"deliveries"`
	}
	if st := e.doAs(t, admin, "GET", "/api/v1/webhooks/"+id+"/deliveries", "", &log); st != http.StatusOK || len(log.Deliveries) != 1 ||
		log.Deliveries[0].EventType != inbox.EventMessageCreated {
		t.Fatalf("deliveries: %d %+v", st, log)
	}
	var again webhook.Delivery
	path := "/api/v1/webhook-deliveries/" + strconv.FormatInt(log.Deliveries[0].ID, 10) + "/redeliver"
	if st := e.doAs(t, admin, "POST", path, "", &again); st != http.StatusCreated || again.RedeliveryOf == nil {
		t.Fatalf("redeliver: %d %+v", st, again)
	}
	if st := e.doAs(t, admin, "DELETE", "/api/v1/webhooks/"+id, "", nil); st != http.StatusNoContent {
		t.Fatalf("DELETE: %d", st)
	}
	if st := e.doAs(t, admin, "GET", "/api/v1/webhooks/"+id, "", &bad); st != http.StatusNotFound {
		t.Fatalf("GET after DELETE: %d", st)
	}
}
