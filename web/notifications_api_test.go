package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/teamtest"
)

type notificationList struct {
	Items []struct {
		ID             int64  `json:"id"`
		Kind           string `json:"kind"`
		ConversationID int64  `json:"conversation_id"`
		Title          string `json:"title"`
		URL            string `json:"url"`
	} `json:"items"`
	Unread int `json:"unread_count"`
}

// TestNotificationsAPI: a colleague's assignment and mention reach the agent's list, with its
// link and count; another agent may neither list nor mark them (404); read and read-all clear
// the count; a mention of an agent who may not see the conversation is 400, by name, and saves
// nothing; the autocomplete lists only who may see it, and is 404 for a conversation the caller
// may not see.
func TestNotificationsAPI(t *testing.T) {
	e := setup(t)
	bob, bobToken := e.newAgent(t, "bob", inbox.RoleAgent)
	teamtest.FrontDesk(t, e.store, bob.ID)
	_, outToken := e.newAgent(t, "outsider", inbox.RoleAgent)
	var in ids
	if st := e.do(t, "POST", "/api/v1/inbound", `{"external_id":"n1","contact":{"email":"c@example.com"},"subject":"Refund","text":"hi"}`, &in); st != http.StatusCreated {
		t.Fatalf("inbound: %d", st)
	}
	conv := fmt.Sprint(in.ConversationID)
	if st := e.doAs(t, bobToken, "POST", "/api/v1/conversations/"+conv+"/assign", fmt.Sprintf(`{"agent_id":%d}`, e.agent.ID), nil); st != http.StatusOK {
		t.Fatalf("assign: %d", st)
	}
	if st := e.doAs(t, bobToken, "POST", "/api/v1/conversations/"+conv+"/messages", `{"type":"note","text":"@agent have a look"}`, nil); st != http.StatusCreated {
		t.Fatalf("note: %d", st)
	}
	var list notificationList
	if st := e.do(t, "GET", "/api/v1/notifications", "", &list); st != http.StatusOK {
		t.Fatalf("list: %d", st)
	}
	if len(list.Items) != 2 || list.Unread != 2 || list.Items[0].Kind != inbox.NotifyMentioned || list.Items[1].Kind != inbox.NotifyAssigned ||
		list.Items[0].URL != "/inbox/"+conv || list.Items[1].Title != "bob assigned you a conversation" {
		t.Fatalf("list %+v, want the mention and the assignment linking /inbox/%s", list, conv)
	}
	var bobs notificationList
	if e.doAs(t, bobToken, "GET", "/api/v1/notifications", "", &bobs); len(bobs.Items) != 0 {
		t.Fatalf("bob lists %+v", bobs)
	}
	if st := e.doAs(t, bobToken, "POST", fmt.Sprintf("/api/v1/notifications/%d/read", list.Items[0].ID), "", nil); st != http.StatusNotFound {
		t.Fatalf("bob marking the agent's notification: %d, want 404", st)
	}
	if st := e.do(t, "POST", fmt.Sprintf("/api/v1/notifications/%d/read", list.Items[0].ID), "", nil); st != http.StatusNoContent {
		t.Fatalf("read: %d", st)
	}
	var marked struct{ Marked int }
	if st := e.do(t, "POST", "/api/v1/notifications/read-all", "", &marked); st != http.StatusOK || marked.Marked != 1 {
		t.Fatalf("read-all: %d %+v, want 1 marked", st, marked)
	}
	if e.do(t, "GET", "/api/v1/notifications?unread=true", "", &list); list.Unread != 0 || len(list.Items) != 0 {
		t.Fatalf("after read-all: %+v", list)
	}
	if st := e.do(t, "GET", "/api/v1/notifications?limit=0", "", nil); st != http.StatusBadRequest {
		t.Fatalf("limit=0: %d, want 400", st)
	}

	notes := e.count(t, `SELECT count(*) FROM messages WHERE direction = 'note'`)
	var refused apiErr
	if st := e.doAs(t, bobToken, "POST", "/api/v1/conversations/"+conv+"/messages", `{"type":"note","text":"ask @outsider"}`, &refused); st != http.StatusBadRequest ||
		!strings.Contains(refused.Error, "outsider cannot see this conversation") {
		t.Fatalf("mentioning the outsider: %d %+v", st, refused)
	}
	if got := e.count(t, `SELECT count(*) FROM messages WHERE direction = 'note'`); got != notes {
		t.Fatal("the refused note was saved")
	}
	var cands struct {
		Agents []struct{ Handle string } `json:"agents"`
	}
	if st := e.doAs(t, bobToken, "GET", "/api/v1/conversations/"+conv+"/mentionable?q=", "", &cands); st != http.StatusOK {
		t.Fatalf("mentionable: %d", st)
	}
	var handles []string
	for _, a := range cands.Agents {
		handles = append(handles, a.Handle)
	}
	if strings.Join(handles, ",") != "agent,bob" {
		t.Fatalf("mentionable %v, want agent and bob (not the outsider)", handles)
	}
	if st := e.doAs(t, outToken, "GET", "/api/v1/conversations/"+conv+"/mentionable", "", nil); st != http.StatusNotFound {
		t.Fatalf("the outsider's autocomplete: %d, want 404", st)
	}
}

// TestNotificationPreferenceForm: the centre's email preference takes off, immediate or daily;
// anything else is 400 and changes nothing.
func TestNotificationPreferenceForm(t *testing.T) {
	e := setup(t)
	cookie := e.session(t, e.agent)
	if st, _ := e.withCookie(t, cookie, "POST", "/settings/notifications", url.Values{"email": {"daily"}}); st != http.StatusSeeOther {
		t.Fatalf("daily: %d, want 303", st)
	}
	if st, body := e.withCookie(t, cookie, "POST", "/settings/notifications", url.Values{"email": {"hourly"}}); st != http.StatusBadRequest ||
		!strings.Contains(body, "must be off, immediate or daily") {
		t.Fatalf("hourly: %d, want 400 saying why", st)
	}
	if p, err := e.store.MailPreference(context.Background(), e.agent.ID); err != nil || p != inbox.MailDaily {
		t.Fatalf("preference %q %v, want daily kept", p, err)
	}
	if st, body := e.withCookie(t, cookie, "GET", "/notifications", nil); st != http.StatusOK || !strings.Contains(body, `value="daily" checked`) {
		t.Fatalf("the centre: %d, want daily checked", st)
	}
}
