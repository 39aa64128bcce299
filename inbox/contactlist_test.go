package inbox_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// contactIDs lists a page's contact ids.
func contactIDs(p inbox.ContactPage) []int64 {
	var ids []int64
	for _, c := range p.Contacts {
		ids = append(ids, c.ID)
	}
	return ids
}

// TestListContactsSearchFiltersAndPages searches contacts by name, email, phone and company,
// filters them by tier, tag, company and channel, pages them newest first, and shows an agent
// only the contacts of conversations they may see.
func TestListContactsSearchFiltersAndPages(t *testing.T) {
	ctx := context.Background()
	e := setup(t)
	all := e.store.As(inbox.Everyone())
	acme, err := e.store.SaveCompany(ctx, 0, inbox.CompanyPatch{Name: ptr("Acme Industries"), Domains: &[]string{"acme.example"}}, inbox.CLIActor())
	if err != nil {
		t.Fatal(err)
	}
	maria := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "1", From: emailFrom("maria@acme.example"), Name: "Maria Lopez", Text: "hi"})
	sam := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM1", From: phoneFrom("+15550100200"), Name: "Sam Carter", Text: "hi"})
	li := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "2", From: emailFrom("li@gmail.com"), Name: "Li Wei", Text: "hi"})
	if _, err := all.UpdateContact(ctx, sam.ContactID, inbox.ContactPatch{Tier: ptr("Gold"), Tags: &[]string{"VIP", " vip "}}, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		q    inbox.ContactQuery
		want []int64
	}{
		{"all, newest first", inbox.ContactQuery{}, []int64{li.ContactID, sam.ContactID, maria.ContactID}},
		{"name prefix", inbox.ContactQuery{Text: "mar lop"}, []int64{maria.ContactID}},
		{"email prefix", inbox.ContactQuery{Text: "li@gm"}, []int64{li.ContactID}},
		{"phone as typed", inbox.ContactQuery{Text: "(555) 010-0200"}, []int64{sam.ContactID}},
		{"company name", inbox.ContactQuery{Text: "acme"}, []int64{maria.ContactID}},
		{"tier", inbox.ContactQuery{Tier: "gold"}, []int64{sam.ContactID}},
		{"tag", inbox.ContactQuery{Tag: "vip"}, []int64{sam.ContactID}},
		{"company", inbox.ContactQuery{CompanyID: acme.ID}, []int64{maria.ContactID}},
		{"channel", inbox.ContactQuery{Channel: inbox.ChannelSMS}, []int64{sam.ContactID}},
		{"nothing", inbox.ContactQuery{Text: "nobody"}, nil},
		{"punctuation only", inbox.ContactQuery{Text: "%%"}, nil},
	}
	for _, c := range cases {
		p, err := all.ListContacts(ctx, c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := contactIDs(p); !slices.Equal(got, c.want) {
			t.Errorf("%s: contacts %v, want %v", c.name, got, c.want)
		}
	}
	// The free-mail address joined no company; the acme one did, on its first message.
	got, err := e.store.GetContact(ctx, maria.ContactID)
	if err != nil || got.CompanyID == nil || *got.CompanyID != acme.ID {
		t.Fatalf("maria's company: %+v %v", got, err)
	}
	// Keyset pages of one.
	var seen []int64
	q := inbox.ContactQuery{Limit: 1}
	for i := 0; i < 5; i++ {
		p, err := all.ListContacts(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, contactIDs(p)...)
		if p.Next == "" {
			break
		}
		q.Cursor = p.Next
	}
	if !slices.Equal(seen, []int64{li.ContactID, sam.ContactID, maria.ContactID}) {
		t.Fatalf("pages gave %v", seen)
	}
	if _, err := all.ListContacts(ctx, inbox.ContactQuery{Cursor: "x"}); !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("bad cursor: %v", err)
	}
	// An agent of a team sees only the contact whose conversation is the team's.
	team, err := e.store.CreateTeam(ctx, "Billing", nil)
	if err != nil {
		t.Fatal(err)
	}
	agent := mustAgent(t, e, "agent@example.com")
	if err := e.store.AddTeamMember(ctx, team.ID, agent.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.store.InTx(ctx, func(tx pgx.Tx) error { return e.store.SetTeamTx(ctx, tx, sam.ConversationID, team.ID, inbox.Actor{}) }); err != nil {
		t.Fatal(err)
	}
	v, err := e.store.ViewerOf(ctx, agent)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.store.As(v).ListContacts(ctx, inbox.ContactQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if got := contactIDs(p); !slices.Equal(got, []int64{sam.ContactID}) {
		t.Fatalf("the agent sees contacts %v, want only %d", got, sam.ContactID)
	}
	if _, err := e.store.As(v).UpdateContact(ctx, maria.ContactID, inbox.ContactPatch{Tier: ptr("x")}, inbox.CLIActor()); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("the agent edits an invisible contact: %v", err)
	}
}

// TestUpdateContactValidatesAttributes sets typed custom attributes: good values are stored as
// their type, bad ones and undefined keys are ErrInvalid and change nothing; every change is
// audited.
func TestUpdateContactValidatesAttributes(t *testing.T) {
	ctx := context.Background()
	e := setup(t)
	all := e.store.As(inbox.Everyone())
	for _, d := range []inbox.AttributeDef{
		{Object: inbox.AttrContact, Key: "plan", Label: "Plan", Type: inbox.AttrList, Options: []string{"free", "enterprise"}},
		{Object: inbox.AttrContact, Key: "orders", Label: "Orders", Type: inbox.AttrNumber},
		{Object: inbox.AttrContact, Key: "renews", Label: "Renews", Type: inbox.AttrDate},
		{Object: inbox.AttrContact, Key: "beta", Label: "Beta", Type: inbox.AttrBoolean},
	} {
		if _, err := e.store.SaveAttributeDef(ctx, d, inbox.CLIActor()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.store.SaveAttributeDef(ctx, inbox.AttributeDef{Object: inbox.AttrContact, Key: "Bad Key", Label: "x", Type: inbox.AttrText}, inbox.CLIActor()); !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("bad key: %v", err)
	}
	r := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "1", From: emailFrom("a@example.com"), Text: "hi"})
	c, err := all.UpdateContact(ctx, r.ContactID, inbox.ContactPatch{Attributes: map[string]any{
		"plan": "enterprise", "orders": "12", "renews": "2027-01-31", "beta": true}}, inbox.CLIActor())
	if err != nil {
		t.Fatal(err)
	}
	if c.Attributes["plan"] != "enterprise" || c.Attributes["orders"] != float64(12) || c.Attributes["renews"] != "2027-01-31" || c.Attributes["beta"] != true {
		t.Fatalf("attributes %+v", c.Attributes)
	}
	for _, bad := range []map[string]any{{"plan": "gold"}, {"orders": "many"}, {"renews": "31/01/2027"}, {"beta": "perhaps"}, {"unknown": "x"}} {
		if _, err := all.UpdateContact(ctx, r.ContactID, inbox.ContactPatch{Attributes: bad, Tier: ptr("changed")}, inbox.CLIActor()); !errors.Is(err, inbox.ErrInvalid) {
			t.Errorf("%v: %v, want ErrInvalid", bad, err)
		}
	}
	c, err = all.UpdateContact(ctx, r.ContactID, inbox.ContactPatch{Attributes: map[string]any{"plan": nil}}, inbox.CLIActor())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Attributes["plan"]; ok || c.Tier != "" || c.Attributes["orders"] != float64(12) {
		t.Fatalf("after removing plan: %+v tier %q", c.Attributes, c.Tier)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE kind = $1`, inbox.AuditContactChanged); n != 2 {
		t.Fatalf("%d contact.changed records, want 2", n)
	}
	if _, err := e.store.SaveCompany(ctx, 0, inbox.CompanyPatch{Name: ptr("Mail"), Domains: &[]string{"gmail.com"}}, inbox.CLIActor()); !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("a free-mail domain: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }
