package web_test

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
	"github.com/parleyhq/parley/internal/teamtest"
	"github.com/parleyhq/parley/internal/wstest"
)

// dialEvents opens the agent event socket of a server.
func dialEvents(t *testing.T, e *apiEnv, token string) *wstest.Events {
	t.Helper()
	return dialEventsQuery(t, e, token, "")
}

// dialEventsQuery opens the agent event socket of a server with a query (such as "?since=1").
func dialEventsQuery(t *testing.T, e *apiEnv, token, query string) *wstest.Events {
	t.Helper()
	url := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/api/v1/events" + query
	conn, resp, err := websocket.DefaultDialer.Dial(url, http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		t.Fatalf("dial events: %v (%v)", err, resp)
	}
	t.Cleanup(func() { conn.Close() })
	return &wstest.Events{Conn: conn}
}

// nextEvent reads events until one matches, or fails after a generous deadline.
func nextEvent(t *testing.T, conn *wstest.Events, match func(inbox.Event) bool) inbox.Event {
	t.Helper()
	return conn.NextMatch(t, match)
}

func TestTwoServersBothDeliverEveryEvent(t *testing.T) {
	t.Parallel()
	pool := dbtest.Pool(t)
	a := setupOn(t, pool)
	b := setupOn(t, pool)
	_, supTok := a.newAgent(t, "sup", inbox.RoleSupervisor)
	onA := dialEvents(t, a, a.token)
	onB := dialEvents(t, b, supTok)

	// A message posted to server A reaches the sockets of both processes.
	var in ids
	if st := a.do(t, "POST", "/api/v1/inbound", `{"external_id":"two-1","contact":{"email":"x@example.com"},"text":"hello"}`, &in); st != 201 {
		t.Fatalf("inbound status %d", st)
	}
	isMsg := func(ev inbox.Event) bool { return ev.Type == inbox.EventMessageCreated && ev.MessageID == in.MessageID }
	for name, conn := range map[string]*wstest.Events{"A": onA, "B": onB} {
		ev := nextEvent(t, conn, isMsg)
		if ev.ConversationID != in.ConversationID || ev.Direction != inbox.DirectionInbound {
			t.Fatalf("server %s got %+v", name, ev)
		}
	}
	// A change made through server B reaches the socket on server A.
	if st := b.do(t, "POST", "/api/v1/conversations/"+itoa(in.ConversationID)+"/status", `{"status":"pending"}`, nil); st != 200 {
		t.Fatalf("status change %d", st)
	}
	ev := nextEvent(t, onA, func(ev inbox.Event) bool { return ev.Type == inbox.EventConversationStatus })
	if ev.Status != inbox.StatusPending || ev.Previous != string(inbox.StatusNew) {
		t.Fatalf("status event on A = %+v", ev)
	}
}

func TestAgentSeesOnlyTheirTeamsEvents(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := t.Context()
	other, err := e.store.CreateTeam(ctx, "Billing", nil)
	if err != nil {
		t.Fatal(err)
	}
	settleFeed(t, e) // setup put the agent in the default queue: that change closes sockets opened before it lands
	conn := dialEvents(t, e, e.token)
	var hidden, shown ids
	e.do(t, "POST", "/api/v1/inbound", `{"external_id":"v1","contact":{"email":"h@example.com"},"text":"billing question"}`, &hidden)
	teamtest.Move(t, e.store, hidden.ConversationID, other.ID)
	e.do(t, "POST", "/api/v1/inbound", `{"external_id":"v2","contact":{"email":"h@example.com"},"text":"again"}`, &hidden)
	e.do(t, "POST", "/api/v1/inbound", `{"external_id":"v3","contact":{"email":"s@example.com"},"text":"general"}`, &shown)
	// Events arrive in commit order: everything before v3's message is checked on the way.
	nextEvent(t, conn, func(ev inbox.Event) bool {
		// The move out of the default queue is the one event about Billing the agent gets: it
		// tells their list that the conversation left.
		if ev.TeamID == other.ID && ev.Type != inbox.EventConversationTeam {
			t.Fatalf("agent outside team %d saw %+v", other.ID, ev)
		}
		return ev.Type == inbox.EventMessageCreated && ev.MessageID == shown.MessageID
	})
}

func TestEventSocketNeedsAToken(t *testing.T) {
	t.Parallel()
	e := setup(t)
	url := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/api/v1/events"
	_, resp, err := websocket.DefaultDialer.Dial(url, nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("dial without token: %v, %v", err, resp)
	}
}

// TestUnroutedConversationsReachOnlyTheDefaultQueue has an agent outside the default queue
// listen while a customer writes: nothing of the new, unrouted conversation reaches them, until
// a rule sends it to their team.
func TestUnroutedConversationsReachOnlyTheDefaultQueue(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := t.Context()
	support, err := e.store.CreateTeam(ctx, "Support", nil)
	if err != nil {
		t.Fatal(err)
	}
	outsider, token := e.newAgent(t, "outsider", inbox.RoleAgent)
	if err := e.store.AddTeamMember(ctx, support.ID, outsider.ID); err != nil {
		t.Fatal(err)
	}
	settleFeed(t, e)
	conn := dialEvents(t, e, token)
	var first ids
	e.do(t, "POST", "/api/v1/inbound", `{"external_id":"u1","contact":{"email":"u@example.com"},"text":"hello?"}`, &first)
	teamtest.Move(t, e.store, first.ConversationID, support.ID)
	var second ids
	e.do(t, "POST", "/api/v1/inbound", `{"external_id":"u2","contact":{"email":"u@example.com"},"text":"anyone?"}`, &second)
	// Events arrive in commit order: the first the outsider gets is the routing to Support.
	ev := nextEvent(t, conn, func(inbox.Event) bool { return true })
	if ev.Type != inbox.EventConversationTeam || ev.ConversationID != first.ConversationID {
		t.Fatalf("first event for an agent outside the default queue: %+v, want the routing to their team", ev)
	}
	nextEvent(t, conn, func(ev inbox.Event) bool {
		return ev.Type == inbox.EventMessageCreated && ev.MessageID == second.MessageID
	})
}

// TestJoiningATeamReopensTheSocketWithTheNewScope: an agent's socket was opened when they saw
// no team; they join one, and the socket closes (4001) so that the page reconnects seeing it.
func TestJoiningATeamReopensTheSocketWithTheNewScope(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := t.Context()
	billing, err := e.store.CreateTeam(ctx, "Billing", nil)
	if err != nil {
		t.Fatal(err)
	}
	newcomer, token := e.newAgent(t, "newcomer", inbox.RoleAgent)
	conn := dialEvents(t, e, token)
	if err := e.store.AddTeamMember(ctx, billing.ID, newcomer.ID); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := conn.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != 4001 {
			t.Fatalf("socket after joining a team: %v, want close 4001", err)
		}
		return
	}
}

// TestASocketWhoseAccessIsUnchangedStaysOpen: an agent.changed that changes nothing a socket
// may see leaves it open. An admin put in a team sees every conversation already, and an agent
// renamed sees the same teams' conversations: their pages keep what they hold (a dialog being
// written) and go on receiving events. The newcomer of the same team, who saw no team before,
// is closed (4001) in the same stretch of the feed.
func TestASocketWhoseAccessIsUnchangedStaysOpen(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := t.Context()
	team, err := e.store.CreateTeam(ctx, "Unchanged", nil)
	if err != nil {
		t.Fatal(err)
	}
	veteran, vetToken := e.newAgent(t, "veteran", inbox.RoleAgent)
	if err := e.store.AddTeamMember(ctx, team.ID, veteran.ID); err != nil {
		t.Fatal(err)
	}
	settleFeed(t, e)
	newcomer, newToken := e.newAgent(t, "newcomer", inbox.RoleAgent)
	boss, bossToken := e.newAgent(t, "boss", inbox.RoleAdmin)
	admin := dialEvents(t, e, bossToken)
	vet := dialEvents(t, e, vetToken)
	fresh := dialEvents(t, e, newToken)

	if err := e.store.AddTeamMember(ctx, team.ID, boss.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetAgentProfile(ctx, veteran.ID, inbox.AgentProfile{Name: "Veteran Renamed", Capacity: 7}, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	if err := e.store.AddTeamMember(ctx, team.ID, newcomer.ID); err != nil {
		t.Fatal(err)
	}
	waitClosed(t, fresh.Conn, 4001)

	// The feed keeps commit order: a message announced after the three changes reaches the
	// admin's and the veteran's sockets only if neither was closed by them.
	key := "unchanged-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	var marker ids
	e.do(t, "POST", "/api/v1/inbound", `{"external_id":"`+key+`","contact":{"email":"`+key+`@example.com"},"text":"still here"}`, &marker)
	teamtest.Move(t, e.store, marker.ConversationID, team.ID)
	for name, conn := range map[string]*wstest.Events{"admin": admin, "veteran": vet} {
		nextEvent(t, conn, func(ev inbox.Event) bool {
			return ev.ConversationID == marker.ConversationID && ev.TeamID == team.ID
		})
		t.Logf("%s's socket got the conversation's event after the changes", name)
	}
}

// settleFeed returns once the server's event feed has delivered everything committed before the
// call, such as the agent.changed of a team membership, which closes the agent's sockets (4001)
// when it lands after they opened. The feed keeps commit order: a message seen on a
// supervisor's socket was preceded by all of it.
func settleFeed(t *testing.T, e *apiEnv) {
	t.Helper()
	_, token := e.newAgent(t, "settle-"+strconv.FormatInt(time.Now().UnixNano(), 36), inbox.RoleSupervisor)
	conn := dialEvents(t, e, token)
	defer conn.Close()
	key := "settle-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	var marker ids
	e.do(t, "POST", "/api/v1/inbound", `{"external_id":"`+key+`","contact":{"email":"`+key+`@example.com"},"text":"marker"}`, &marker)
	nextEvent(t, conn, func(ev inbox.Event) bool {
		return ev.Type == inbox.EventMessageCreated && ev.MessageID == marker.MessageID
	})
}
