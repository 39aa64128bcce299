package inbox_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// TestViewerOfAndScope builds the viewers of an agent of team A, an agent of the default
// queue's team and a supervisor, and checks what each scope reads and may act on: the other
// team's conversation, its messages, contact and attachment are ErrNotFound, and an action on
// it changes nothing.
func TestViewerOfAndScope(t *testing.T) {
	ctx := context.Background()
	e := setup(t)
	ana, queued := mustAgent(t, e, "ana@example.com"), mustAgent(t, e, "quinn@example.com")
	sup, err := e.store.CreateAgent(ctx, inbox.NewAgent{Email: "sue@example.com", Name: "Sue", Role: inbox.RoleSupervisor, Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	teamA, err := e.store.CreateTeam(ctx, "A", []string{ana.Email})
	if err != nil {
		t.Fatal(err)
	}
	front, err := e.store.CreateTeam(ctx, "Front", []string{queued.Email})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetDefaultQueue(ctx, front.ID, true); err != nil {
		t.Fatal(err)
	}
	inA := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "a", From: emailFrom("a@example.com"), Text: "in A",
		Attachments: []inbox.NewAttachment{{Filename: "a.txt", ContentType: "text/plain", Size: 1, Content: []byte("a")}}})
	if err := e.store.InTx(ctx, func(tx pgx.Tx) error { return e.store.SetTeamTx(ctx, tx, inA.ConversationID, teamA.ID, inbox.Actor{}) }); err != nil {
		t.Fatal(err)
	}
	unrouted := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "u", From: emailFrom("u@example.com"), Text: "no team"})
	var attach int64
	if err := e.pool.QueryRow(ctx, `SELECT id FROM attachments`).Scan(&attach); err != nil {
		t.Fatal(err)
	}

	viewer := func(a inbox.Agent) inbox.Viewer {
		v, err := e.store.ViewerOf(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	va, vq, vs := viewer(ana), viewer(queued), viewer(sup)
	if va.All || va.DefaultQueue || !slices.Equal(va.TeamIDs, []int64{teamA.ID}) {
		t.Errorf("ana's viewer %+v, want team A only", va)
	}
	if vq.All || !vq.DefaultQueue || !slices.Equal(vq.TeamIDs, []int64{front.ID}) {
		t.Errorf("quinn's viewer %+v, want the default queue", vq)
	}
	if !vs.All {
		t.Errorf("the supervisor's viewer %+v, want All", vs)
	}

	cases := []struct {
		name    string
		v       inbox.Viewer
		conv    int64
		contact int64
		sees    bool
	}{
		{"ana, team A's", va, inA.ConversationID, inA.ContactID, true},
		{"ana, unrouted", va, unrouted.ConversationID, unrouted.ContactID, false},
		{"quinn, team A's", vq, inA.ConversationID, inA.ContactID, false},
		{"quinn, unrouted", vq, unrouted.ConversationID, unrouted.ContactID, true},
		{"sue, team A's", vs, inA.ConversationID, inA.ContactID, true},
		{"sue, unrouted", vs, unrouted.ConversationID, unrouted.ContactID, true},
	}
	for _, c := range cases {
		sc := e.store.As(c.v)
		want := func(what string, err error) {
			t.Helper()
			if c.sees && err != nil {
				t.Errorf("%s: %s: %v", c.name, what, err)
			}
			if !c.sees && !errors.Is(err, inbox.ErrNotFound) {
				t.Errorf("%s: %s: %v, want ErrNotFound", c.name, what, err)
			}
		}
		_, err := sc.GetConversation(ctx, c.conv)
		want("conversation", err)
		_, err = sc.Messages(ctx, c.conv, 0, 0)
		want("messages", err)
		_, err = sc.GetContact(ctx, c.contact)
		want("contact", err)
		if c.conv == inA.ConversationID {
			_, err = sc.Attachment(ctx, attach)
			want("attachment", err)
		}
		if !c.sees {
			_, err = sc.SetTags(ctx, c.conv, []string{"seen"}, nil, inbox.Actor{AgentID: c.v.AgentID})
			want("tags", err)
		}
		page, err := sc.ListConversations(ctx, inbox.ConversationQuery{})
		if err != nil {
			t.Fatal(err)
		}
		listed := slices.ContainsFunc(page.Conversations, func(x inbox.Conversation) bool { return x.ID == c.conv })
		if listed != c.sees {
			t.Errorf("%s: listed %v, want %v", c.name, listed, c.sees)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM conversations WHERE 'seen' = ANY(tags)`); n != 0 {
		t.Errorf("%d conversations tagged through a scope that may not see them", n)
	}
}
