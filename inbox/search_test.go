package inbox_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// names lists a page's contact names in order.
func names(p inbox.RowPage) []string {
	var out []string
	for _, r := range p.Rows {
		out = append(out, r.ContactName)
	}
	return out
}

func TestInboxViewsSearchAndPages(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	ana := mustAgent(t, e, "ana@example.com")
	bob := mustAgent(t, e, "bob@example.com")
	billing, err := e.store.CreateTeam(ctx, "Billing", []string{"bob@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	say := func(id, email, name, text string) inbox.IngestResult {
		e.now = e.now.Add(time.Minute)
		return e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: id, From: emailFrom(email), Name: name, Text: text})
	}
	maria := say("1", "maria@example.com", "Maria Lopez", "The jar of order 5521 arrived cracked")
	sam := say("2", "sam@example.com", "Sam Carter", "Refund for order 977?")
	li := say("3", "li.wei@example.org", "Li Wei", "Password reset expired")
	omar := say("4", "omar@example.com", "Omar Haddad", "Invoice copy please")
	if _, err := e.store.Assign(ctx, maria.ConversationID, ana.ID, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.InTx(ctx, func(tx pgx.Tx) error {
		return e.store.SetTeamTx(ctx, tx, omar.ConversationID, billing.ID, inbox.Actor{})
	}); err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(time.Minute)
	if _, err := e.store.SetStatus(ctx, li.ConversationID, inbox.StatusResolved, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(time.Minute)
	if _, err := e.store.Send(ctx, inbox.Reply{ConversationID: sam.ConversationID, Author: inbox.Actor{AgentID: ana.ID}, Text: "Refund sent."}); err != nil {
		t.Fatal(err)
	}
	active := []inbox.Status{inbox.StatusNew, inbox.StatusOpen, inbox.StatusPending}
	zero, anaID := int64(0), ana.ID
	cases := []struct {
		name string
		q    inbox.ConversationQuery
		want []string
	}{
		{"all active, newest activity first", inbox.ConversationQuery{Statuses: active}, []string{"Sam Carter", "Omar Haddad", "Maria Lopez"}},
		{"every status", inbox.ConversationQuery{}, []string{"Sam Carter", "Li Wei", "Omar Haddad", "Maria Lopez"}},
		{"mine", inbox.ConversationQuery{Statuses: active, AssigneeID: &anaID}, []string{"Maria Lopez"}},
		{"unassigned", inbox.ConversationQuery{Statuses: active, AssigneeID: &zero}, []string{"Sam Carter", "Omar Haddad"}},
		{"my teams", inbox.ConversationQuery{TeamIDs: []int64{billing.ID}}, []string{"Omar Haddad"}},
		{"no teams", inbox.ConversationQuery{TeamIDs: []int64{}}, nil},
		{"ana of the default queue sees no Billing", inbox.ConversationQuery{VisibleTo: &inbox.Viewer{AgentID: ana.ID, DefaultQueue: true}}, []string{"Sam Carter", "Li Wei", "Maria Lopez"}},
		{"ana of no team sees only hers", inbox.ConversationQuery{VisibleTo: &inbox.Viewer{AgentID: ana.ID}}, []string{"Maria Lopez"}},
		{"bob sees Billing", inbox.ConversationQuery{VisibleTo: &inbox.Viewer{AgentID: bob.ID, TeamIDs: []int64{billing.ID}}, Text: "invoice"}, []string{"Omar Haddad"}},
		{"resolved", inbox.ConversationQuery{Statuses: []inbox.Status{inbox.StatusResolved}}, []string{"Li Wei"}},
		{"message text prefix", inbox.ConversationQuery{Text: "crack"}, []string{"Maria Lopez"}},
		{"every word must match", inbox.ConversationQuery{Text: "order 977"}, []string{"Sam Carter"}},
		{"an agent's reply matches too", inbox.ConversationQuery{Text: "refund sent"}, []string{"Sam Carter"}},
		{"contact name", inbox.ConversationQuery{Text: "haddad"}, []string{"Omar Haddad"}},
		{"email prefix", inbox.ConversationQuery{Text: "li.wei@exa"}, []string{"Li Wei"}},
		{"punctuation is no syntax error", inbox.ConversationQuery{Text: `'order' & | ! :* (5521`}, []string{"Maria Lopez"}},
		{"nothing", inbox.ConversationQuery{Text: "zebra"}, nil},
		{"only symbols", inbox.ConversationQuery{Text: "&&&"}, nil},
	}
	for _, c := range cases {
		page, err := e.store.ConversationRows(ctx, c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := names(page); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	page, err := e.store.ConversationRows(ctx, inbox.ConversationQuery{Statuses: active, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if page.Rows[0].Preview != "Refund sent." || page.Rows[0].PreviewDirection != inbox.DirectionOutbound {
		t.Errorf("preview: %q %q", page.Rows[0].Preview, page.Rows[0].PreviewDirection)
	}
	var all []string
	for cursor := ""; ; {
		p, err := e.store.ConversationRows(ctx, inbox.ConversationQuery{Limit: 1, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, names(p)...)
		if cursor = p.Next; cursor == "" {
			break
		}
	}
	if want := []string{"Sam Carter", "Li Wei", "Omar Haddad", "Maria Lopez"}; !slices.Equal(all, want) {
		t.Errorf("pages of one: %v, want %v", all, want)
	}
	for _, bad := range []inbox.ConversationQuery{{Statuses: []inbox.Status{"gone"}}, {Channel: "fax"}, {Limit: 101}, {Cursor: "%%"}} {
		if _, err := e.store.ConversationRows(ctx, bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

func TestSeedBulkMakesConversationsWithFiveMessages(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	a := mustAgent(t, e, "bulk@example.com")
	var progress []int
	if err := e.store.SeedBulk(ctx, 250, []int64{a.ID}, func(n int) { progress = append(progress, n) }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(progress, []int{250}) {
		t.Errorf("progress %v", progress)
	}
	if n := e.count(t, `SELECT count(*) FROM conversations`); n != 250 {
		t.Errorf("conversations: %d", n)
	}
	if n := e.count(t, `SELECT count(*) FROM conversations c WHERE (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) <> 5`); n != 0 {
		t.Errorf("%d conversations without exactly 5 messages", n)
	}
	if n := e.count(t, `SELECT count(*) FROM conversations WHERE last_activity_at > $1 OR created_at < $1 - interval '91 days'`, e.now); n != 0 {
		t.Errorf("%d conversations outside the 90 days before now", n)
	}
	if n := e.count(t, `SELECT count(DISTINCT status) FROM conversations`); n != 5 {
		t.Errorf("statuses: %d, want all 5", n)
	}
	if n := e.count(t, `SELECT count(*) FROM conversations WHERE status = 'new' AND (first_response_at IS NOT NULL OR assignee_id IS NOT NULL)`); n != 0 {
		t.Errorf("%d new conversations answered or assigned", n)
	}
	page, err := e.store.ConversationRows(ctx, inbox.ConversationQuery{Text: "crushed"})
	if err != nil || len(page.Rows) == 0 {
		t.Fatalf("search the seeded text: %v %v", page, err)
	}
}
