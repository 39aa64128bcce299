package inbox_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/teamtest"
)

// TestImportContactsDryRunThenImport previews a file that creates, updates and merges (the dry
// run changes nothing), imports it (in one audited transaction) and checks every contact; a
// file with a bad row is refused whole, each refusal naming its row and field.
func TestImportContactsDryRunThenImport(t *testing.T) {
	ctx := context.Background()
	e := setup(t)
	if _, err := e.store.SaveAttributeDef(ctx, inbox.AttributeDef{Object: inbox.AttrContact, Key: "plan", Label: "Plan",
		Type: inbox.AttrList, Options: []string{"free", "enterprise"}}, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	acme, err := e.store.SaveCompany(ctx, 0, inbox.CompanyPatch{Name: ptr("Acme"), Domains: &[]string{"acme.example"}}, inbox.CLIActor())
	if err != nil {
		t.Fatal(err)
	}
	maria := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "1", From: emailFrom("maria@acme.example"), Name: "Maria", Text: "hi"})
	sam := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM1", From: phoneFrom("+15550100200"), Name: "Sam", Text: "hi"})
	li := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "2", From: emailFrom("li@example.org"), Name: "Li", Text: "hi"})
	li2 := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM2", From: phoneFrom("+15550100300"), Name: "", Text: "hi"})

	file := "\ufeffName,Email,Phone,Tier,Tags,Company,attr.plan,id\n" +
		"Ada New,ada@new.example,,Gold,\"vip; beta\",Newco,enterprise,\n" +
		"'+Maria Lopez,MARIA@acme.example,(555) 010-0201,,returns,,free,77\n" +
		"Li Wei,li@example.org,555 010 0300,silver,,,,\n" +
		"Joe,joe@acme.example,,,,,,\n"
	rep, err := e.store.ImportContacts(ctx, strings.NewReader(file), true, inbox.CLIActor())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.DryRun || rep.Rows != 4 || rep.Created != 2 || rep.Updated != 1 || rep.Merged != 1 || len(rep.Errors) != 0 ||
		!slices.Equal(rep.NewCompanies, []string{"Newco"}) {
		t.Fatalf("dry run %+v", rep)
	}
	want := []inbox.ImportResult{
		{Row: 2, Action: inbox.ImportCreate, Email: "ada@new.example"},
		{Row: 3, Action: inbox.ImportUpdate, ContactID: maria.ContactID, Email: "maria@acme.example", Phone: "+15550100201"},
		{Row: 4, Action: inbox.ImportMerge, ContactID: li.ContactID, MergedID: li2.ContactID, Email: "li@example.org", Phone: "+15550100300"},
		{Row: 5, Action: inbox.ImportCreate, Email: "joe@acme.example"},
	}
	if !slices.Equal(rep.Results, want) {
		t.Fatalf("dry run results %+v, want %+v", rep.Results, want)
	}
	if _, err := e.store.ContactByIdentity(ctx, inbox.IdentityEmail, "ada@new.example"); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("the dry run created a contact: %v", err)
	}

	rep, err = e.store.ImportContacts(ctx, strings.NewReader(file), false, inbox.AuditActor{Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.DryRun || rep.Created != 2 || rep.Results[0].ContactID == 0 || rep.Results[3].ContactID == 0 {
		t.Fatalf("import %+v", rep)
	}
	ada, err := e.store.GetContact(ctx, rep.Results[0].ContactID)
	if err != nil {
		t.Fatal(err)
	}
	if ada.Name != "Ada New" || ada.Tier != "gold" || !slices.Equal(ada.Tags, []string{"beta", "vip"}) || ada.CompanyName != "Newco" ||
		ada.Attributes["plan"] != "enterprise" || len(ada.Identities) != 1 || ada.Identities[0].Verified {
		t.Fatalf("created contact %+v", ada)
	}
	joe, err := e.store.GetContact(ctx, rep.Results[3].ContactID)
	if err != nil {
		t.Fatal(err)
	}
	if joe.CompanyID == nil || *joe.CompanyID != acme.ID {
		t.Fatalf("a new contact at acme.example joined company %v, want %d", joe.CompanyID, acme.ID)
	}
	m, err := e.store.GetContact(ctx, maria.ContactID)
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "+Maria Lopez" || m.Attributes["plan"] != "free" || !slices.Equal(m.Tags, []string{"returns"}) || len(m.Identities) != 2 {
		t.Fatalf("updated contact %+v", m)
	}
	l, err := e.store.GetContact(ctx, li2.ContactID)
	if err != nil {
		t.Fatal(err)
	}
	if l.ID != li.ContactID || l.Tier != "silver" || len(l.Identities) != 2 {
		t.Fatalf("merged contact %+v, want contact %d with both addresses", l, li.ContactID)
	}
	var audits int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE kind = $1`, inbox.AuditContactsImported).Scan(&audits); err != nil || audits != 1 {
		t.Fatalf("%d import audit records: %v", audits, err)
	}

	bad := "email,phone,tier,plan,colour\n"
	rep, _ = e.store.ImportContacts(ctx, strings.NewReader(bad), true, inbox.CLIActor())
	if len(rep.Errors) != 1 || rep.Errors[0] != (inbox.ImportError{Row: 1, Field: "colour", Message: rep.Errors[0].Message}) {
		t.Fatalf("unknown column: %+v", rep.Errors)
	}
	bad = "email,phone,plan\n" +
		"new1@example.com,,free\n" +
		"not-an-email,,\n" +
		"new2@example.com,,platinum\n" +
		",,free\n" +
		"new1@example.com,,\n" +
		"sam@example.com,+15550100200,\n" +
		"other@example.com,5550100200,\n"
	rep, err = e.store.ImportContacts(ctx, strings.NewReader(bad), false, inbox.CLIActor())
	if !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("import of bad rows: %v", err)
	}
	var got []string
	for _, e := range rep.Errors {
		got = append(got, strings.Join([]string{strconv.Itoa(e.Row), e.Field}, ":"))
	}
	if wantErr := []string{"3:email", "4:plan", "5:email", "6:email", "8:phone"}; !slices.Equal(got, wantErr) {
		t.Fatalf("refusals %v (%+v), want %v", got, rep.Errors, wantErr)
	}
	if _, err := e.store.ContactByIdentity(ctx, inbox.IdentityEmail, "new1@example.com"); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("a refused import created a contact: %v", err)
	}
	_ = sam

	if _, err := e.store.ImportContacts(ctx, strings.NewReader("email\n\"unterminated\n"), true, inbox.CLIActor()); !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("a broken CSV: %v", err)
	}
	big := "email\n" + strings.Repeat("x@example.com\n", inbox.MaxImportRows+1)
	if _, err := e.store.ImportContacts(ctx, strings.NewReader(big), true, inbox.CLIActor()); !errors.Is(err, inbox.ErrTooManyRows) {
		t.Fatalf("too many rows: %v", err)
	}
}

// TestDuplicatesSuggested finds the contacts who may be the same customer: a Gmail address with
// dots and a +tag, a phone number read under another country code, the same name at the same
// company domain; never a free-mail namesake, nor a contact the agent may not see.
func TestDuplicatesSuggested(t *testing.T) {
	ctx := context.Background()
	e := setup(t)
	all := e.store.As(inbox.Everyone())
	base := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "1", From: emailFrom("maria.lopez@gmail.com"), Name: "Maria Lopez", Text: "hi"})
	addIdentity(t, e, base.ContactID, "phone", "+447700900123")
	addIdentity(t, e, base.ContactID, "email", "maria@acme.example")
	gmail := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "2", From: emailFrom("MariaLopez+shop@googlemail.com"), Name: "M", Text: "hi"})
	phone := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM1", From: phoneFrom("+17700900123"), Text: "hi"})
	named := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "3", From: emailFrom("m.lopez@acme.example"), Name: "maria lopez", Text: "hi"})
	e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "4", From: emailFrom("other@gmail.com"), Name: "Maria Lopez", Text: "hi"})
	e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM2", From: phoneFrom("+4917700900123"), Text: "hi"})
	e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "5", From: emailFrom("marialopez@example.com"), Name: "Someone", Text: "hi"})

	dups, err := all.Duplicates(ctx, base.ContactID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]string{}
	for _, d := range dups {
		got[d.ID] = d.Reason
	}
	want := map[int64]string{gmail.ContactID: inbox.DupMailbox, phone.ContactID: inbox.DupPhone, named.ContactID: inbox.DupNameDomain}
	if len(got) != len(want) {
		t.Fatalf("duplicates %+v, want %v", dups, want)
	}
	for id, r := range want {
		if got[id] != r {
			t.Fatalf("duplicates %+v, want %v", dups, want)
		}
	}

	// From a contact known by their phone alone, the rule works the other way round.
	dups, err = all.Duplicates(ctx, phone.ContactID)
	if err != nil || len(dups) != 1 || dups[0].ID != base.ContactID || dups[0].Reason != inbox.DupPhone {
		t.Fatalf("duplicates of the phone contact %+v: %v", dups, err)
	}

	agent := mustAgent(t, e, "ana@example.com")
	team, err := e.store.CreateTeam(ctx, "Billing", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.AddTeamMember(ctx, team.ID, agent.ID); err != nil {
		t.Fatal(err)
	}
	v, err := e.store.ViewerOf(ctx, agent)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.As(v).Duplicates(ctx, base.ContactID); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("duplicates of a contact the agent may not see: %v", err)
	}
	teamtest.Move(t, e.store, base.ConversationID, team.ID)
	teamtest.Move(t, e.store, gmail.ConversationID, team.ID)
	dups, err = e.store.As(v).Duplicates(ctx, base.ContactID)
	if err != nil {
		t.Fatal(err)
	}
	if len(dups) != 1 || dups[0].ID != gmail.ContactID {
		t.Fatalf("an agent of the team sees duplicates %+v, want only contact %d", dups, gmail.ContactID)
	}
}

// addIdentity gives a contact another address.
func addIdentity(t *testing.T, e *env, contactID int64, kind, address string) {
	t.Helper()
	if _, err := e.pool.Exec(context.Background(), `INSERT INTO contact_identities (contact_id, kind, address) VALUES ($1, $2, $3)`,
		contactID, kind, address); err != nil {
		t.Fatal(err)
	}
}
