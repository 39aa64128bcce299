package inbox_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// notifyEnv is a conversation of team A, with ana and bob in team A and carl in team B.
type notifyEnv struct {
	*env
	ana, bob, carl inbox.Agent
	teamA, teamB   inbox.Team
	conv           int64
	contact        string
}

func setupNotify(t *testing.T) notifyEnv {
	t.Helper()
	ctx := context.Background()
	e := setup(t)
	n := notifyEnv{env: e, ana: mustAgent(t, e, "ana@example.com"), bob: mustAgent(t, e, "bob@example.com"),
		carl: mustAgent(t, e, "carl@example.com"), contact: "cust@example.com"}
	var err error
	if n.teamA, err = e.store.CreateTeam(ctx, "A", []string{n.ana.Email, n.bob.Email}); err != nil {
		t.Fatal(err)
	}
	if n.teamB, err = e.store.CreateTeam(ctx, "B", []string{n.carl.Email}); err != nil {
		t.Fatal(err)
	}
	n.conv = e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "first", From: emailFrom(n.contact), Subject: "Broken", Text: "hello"}).ConversationID
	if err := e.store.InTx(ctx, func(tx pgx.Tx) error { return e.store.SetTeamTx(ctx, tx, n.conv, n.teamA.ID, inbox.Actor{}) }); err != nil {
		t.Fatal(err)
	}
	return n
}

func (n notifyEnv) scope(t *testing.T, a inbox.Agent) inbox.Scope {
	t.Helper()
	v, err := n.store.ViewerOf(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	return n.store.As(v)
}

func (n notifyEnv) list(t *testing.T, a inbox.Agent) []inbox.Notification {
	t.Helper()
	page, err := n.scope(t, a).Notifications(context.Background(), inbox.NotificationQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

func kinds(ns []inbox.Notification) []string {
	out := make([]string, len(ns))
	for i, x := range ns {
		out[i] = x.Kind
	}
	return out
}

// TestNotifyAssignmentAndReplies: an assignment by a colleague tells the assignee (not one who
// takes it themselves); the customer's messages in an assigned conversation tell the assignee
// once while unread, again once read; each links to the conversation's page; another agent can
// neither list nor mark them.
func TestNotifyAssignmentAndReplies(t *testing.T) {
	ctx := context.Background()
	n := setupNotify(t)
	if _, err := n.store.Assign(ctx, n.conv, n.bob.ID, inbox.Actor{AgentID: n.bob.ID}); err != nil {
		t.Fatal(err)
	}
	if got := n.list(t, n.bob); len(got) != 0 {
		t.Fatalf("bob took it himself and was told %v", kinds(got))
	}
	if _, err := n.store.Assign(ctx, n.conv, n.ana.ID, inbox.Actor{AgentID: n.bob.ID}); err != nil {
		t.Fatal(err)
	}
	got := n.list(t, n.ana)
	if len(got) != 1 || got[0].Kind != inbox.NotifyAssigned || got[0].ActorName != n.bob.Name ||
		got[0].URL != fmt.Sprintf("/inbox/%d", n.conv) || got[0].Subject != "Broken" {
		t.Fatalf("ana's notifications %+v, want one assignment by bob linking /inbox/%d", got, n.conv)
	}
	for i := range 3 {
		n.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: fmt.Sprintf("more-%d", i), From: emailFrom(n.contact), Text: "again"})
	}
	got = n.list(t, n.ana)
	if !slices.Equal(kinds(got), []string{inbox.NotifyCustomerReplied, inbox.NotifyAssigned}) {
		t.Fatalf("after three customer messages: %v, want one customer_replied and the assignment", kinds(got))
	}
	if err := n.scope(t, n.carl).MarkNotificationRead(ctx, got[0].ID); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("carl marking ana's notification: %v, want ErrNotFound", err)
	}
	if len(n.list(t, n.carl)) != 0 {
		t.Fatal("carl lists notifications that are not his")
	}
	if err := n.scope(t, n.ana).MarkNotificationRead(ctx, got[0].ID); err != nil {
		t.Fatal(err)
	}
	n.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "after-read", From: emailFrom(n.contact), Text: "still there?"})
	unread, err := n.scope(t, n.ana).UnreadNotifications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if unread != 2 {
		t.Fatalf("unread %d, want 2 (the assignment and the new reply)", unread)
	}
	if marked, err := n.scope(t, n.ana).MarkAllNotificationsRead(ctx); err != nil || marked != 2 {
		t.Fatalf("mark all: %d, %v; want 2", marked, err)
	}
}

// TestNotifyConcurrentReplies sends many customer messages at once into one assigned
// conversation (so the group commit batches them): exactly one unread notice results, and
// every message is stored.
func TestNotifyConcurrentReplies(t *testing.T) {
	ctx := context.Background()
	n := setupNotify(t)
	if _, err := n.store.Assign(ctx, n.conv, n.ana.ID, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 24 {
		wg.Go(func() {
			if _, err := n.store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: fmt.Sprintf("burst-%d", i), From: emailFrom(n.contact), Text: "burst"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := n.count(t, `SELECT count(*) FROM notifications WHERE agent_id = $1 AND kind = 'customer_replied' AND read_at IS NULL`, n.ana.ID); got != 1 {
		t.Fatalf("%d unread customer_replied notices, want 1", got)
	}
	if got := n.count(t, `SELECT count(*) FROM messages WHERE conversation_id = $1`, n.conv); got != 25 {
		t.Fatalf("%d messages, want 25", got)
	}
}

// TestNotifyEventReachesListener: a notification is announced as notification.created naming
// its agent (the sockets send it to that agent alone), in the change's transaction.
func TestNotifyEventReachesListener(t *testing.T) {
	ctx := context.Background()
	n := setupNotify(t)
	conn := n.listen(t)
	if _, err := n.store.Assign(ctx, n.conv, n.ana.ID, inbox.Actor{AgentID: n.bob.ID}); err != nil {
		t.Fatal(err)
	}
	for {
		msg, err := conn.WaitForNotification(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(msg.Payload, inbox.EventNotificationCreated) {
			if !strings.Contains(msg.Payload, fmt.Sprintf(`"agent_id":%d`, n.ana.ID)) || !strings.Contains(msg.Payload, `"kind":"assigned"`) {
				t.Fatalf("payload %s, want ana's assignment notice", msg.Payload)
			}
			return
		}
	}
}

// TestMentions: a note's @handle tells the agent; an agent who may not see the conversation is
// refused by name and nothing is saved; an address in the text is no mention; a handle two
// agents share is refused until written whole; the autocomplete lists only who may see it.
func TestMentions(t *testing.T) {
	ctx := context.Background()
	n := setupNotify(t)
	by := inbox.Actor{AgentID: n.bob.ID}
	if _, err := n.store.Note(ctx, inbox.Reply{ConversationID: n.conv, Author: by, Text: "@ana can you look? cc bob@example.com and @bob"}); err != nil {
		t.Fatal(err)
	}
	if got := n.list(t, n.ana); len(got) != 1 || got[0].Kind != inbox.NotifyMentioned || !strings.Contains(got[0].Text, "can you look") {
		t.Fatalf("ana's notifications %+v, want the mention", got)
	}
	if got := n.list(t, n.bob); len(got) != 0 {
		t.Fatalf("bob mentioned himself and was told %v", kinds(got))
	}
	notes := n.count(t, `SELECT count(*) FROM messages WHERE direction = 'note'`)
	_, err := n.store.Note(ctx, inbox.Reply{ConversationID: n.conv, Author: by, Text: "ask @carl."})
	var ve *inbox.ValidationError
	if !errors.As(err, &ve) || ve.Reason != n.carl.Name+" cannot see this conversation" {
		t.Fatalf("mentioning carl: %v, want %q", err, n.carl.Name+" cannot see this conversation")
	}
	if got := n.count(t, `SELECT count(*) FROM messages WHERE direction = 'note'`); got != notes {
		t.Fatal("a refused note was saved")
	}
	if got := n.list(t, n.carl); len(got) != 0 {
		t.Fatal("carl was told of a refused note")
	}

	other := mustAgent(t, n.env, "ana@other.example")
	if _, err := n.pool.Exec(ctx, `INSERT INTO team_members (team_id, agent_id) VALUES ($1, $2)`, n.teamA.ID, other.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := n.store.Note(ctx, inbox.Reply{ConversationID: n.conv, Author: by, Text: "@ana again"}); !errors.As(err, &ve) || !strings.Contains(ve.Reason, "names 2 agents") {
		t.Fatalf("an ambiguous @ana: %v, want refused", err)
	}
	if _, err := n.store.Note(ctx, inbox.Reply{ConversationID: n.conv, Author: by, Text: "@ana@other.example hi"}); err != nil {
		t.Fatal(err)
	}
	if got := n.list(t, other); len(got) != 1 || got[0].Kind != inbox.NotifyMentioned {
		t.Fatalf("the whole address told %v", kinds(got))
	}

	cands, err := n.scope(t, n.bob).MentionCandidates(ctx, n.conv, "")
	if err != nil {
		t.Fatal(err)
	}
	var handles []string
	for _, c := range cands {
		handles = append(handles, c.Handle)
	}
	slices.Sort(handles)
	if want := []string{"ana@example.com", "ana@other.example", "bob"}; !slices.Equal(handles, want) {
		t.Fatalf("mentionable %v, want %v (carl may not see it)", handles, want)
	}
	if _, err := n.scope(t, n.carl).MentionCandidates(ctx, n.conv, ""); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("carl's autocomplete on a conversation he may not see: %v, want ErrNotFound", err)
	}
	if cands, err := n.scope(t, n.bob).MentionCandidates(ctx, n.conv, "%"); err != nil || len(cands) != 0 {
		t.Fatalf("a %% prefix matched %v (%v): LIKE is not escaped", cands, err)
	}
}

// TestMentionsParse pins what counts as a mention.
func TestMentionsParse(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"@ana hi", []string{"ana"}},
		{"hi @Ana. and @ana, @bob!", []string{"ana", "bob"}},
		{"write to bob@example.com", nil},
		{"(@ana.lee) @ann@example.org.", []string{"ana.lee", "ann@example.org"}},
		{"@ @@ana email@", nil},
		{"Zoë said @zoë", []string{"zoë"}},
	} {
		if got := inbox.Mentions(c.text); !slices.Equal(got, c.want) {
			t.Errorf("Mentions(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}
