package inbox_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// contactReach reads what a contact's row keeps of its conversations, and how many of its
// news rows wait to be folded.
func contactReach(t *testing.T, e *env, id int64) (reach []string, seen *time.Time, news int) {
	t.Helper()
	err := e.pool.QueryRow(context.Background(), `SELECT reach, seen_at, (SELECT count(*) FROM contact_reach_news WHERE contact_id = $1)
		FROM contacts WHERE id = $1`, id).Scan(&reach, &seen, &news)
	if err != nil {
		t.Fatal(err)
	}
	return reach, seen, news
}

// listed pages through q as sc sees it and says whether id is among the contacts.
func listed(t *testing.T, sc inbox.Scope, q inbox.ContactQuery, id int64) bool {
	t.Helper()
	return slices.Contains(pageAll(t, sc, q), id)
}

// The contact list narrows by what each contact's row keeps of its conversations (migration
// 174). This attacks that promise: a conversation moved to another team while a second
// transaction holds its contact (the move must neither wait nor be lost: the contact is found
// before the fold and after it), a conversation moved away (the key left behind must not show
// it to the old team), an assignment, and activity an hour later.
func TestContactReachFollowsConversations(t *testing.T) {
	ctx := context.Background()
	e := setup(t)
	ann := mustAgent(t, e, "ann@example.com")
	bob := mustAgent(t, e, "bob@example.com")
	blue, err := e.store.CreateTeam(ctx, "Blue", []string{ann.Email})
	if err != nil {
		t.Fatal(err)
	}
	green, err := e.store.CreateTeam(ctx, "Green", []string{bob.Email})
	if err != nil {
		t.Fatal(err)
	}
	viewer := func(a inbox.Agent) inbox.Scope {
		v, err := e.store.ViewerOf(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return e.store.As(v)
	}
	annSees, bobSees := viewer(ann), viewer(bob)
	res := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "r1", From: phoneFrom("+15550100300"), Name: "Rosa Reach", Text: "hi"})
	k := res.ContactID
	reach, seen, _ := contactReach(t, e, k)
	if !slices.Equal(reach, []string{"c:sms", "n:rea", "n:reac", "n:reach", "n:ros", "n:rosa", "t:"}) || seen == nil || !seen.Equal(e.now) {
		t.Fatalf("after the first message: reach %v, seen %v", reach, seen)
	}
	sms := inbox.ContactQuery{Channel: inbox.ChannelSMS, SeenSince: e.now.Add(-time.Minute)}
	if listed(t, annSees, inbox.ContactQuery{}, k) {
		t.Fatal("Ann sees a contact of no team of hers")
	}

	// Another transaction holds the contact while the conversation moves to Blue.
	hold, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback(ctx)
	if _, err := hold.Exec(ctx, `SELECT 1 FROM contacts WHERE id = $1 FOR NO KEY UPDATE`, k); err != nil {
		t.Fatal(err)
	}
	move := func(team int64) {
		t.Helper()
		quick, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		err := e.store.InTx(quick, func(tx pgx.Tx) error {
			return e.store.SetTeamTx(quick, tx, res.ConversationID, team, inbox.Actor{AgentID: ann.ID})
		})
		if err != nil {
			t.Fatalf("moving the conversation to team %d while its contact is held: %v", team, err)
		}
	}
	move(blue.ID)
	reach, _, news := contactReach(t, e, k)
	if slices.Contains(reach, "t:"+id64(blue.ID)) || news != 1 {
		t.Fatalf("with the contact held: reach %v, %d news rows; want the key in one news row", reach, news)
	}
	for _, q := range []inbox.ContactQuery{{}, sms} {
		if !listed(t, annSees, q, k) {
			t.Fatalf("before the fold, Ann does not find the contact of a Blue conversation (%+v)", q)
		}
	}
	if err := hold.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := e.store.FoldContactReach(ctx); err != nil || n != 1 {
		t.Fatalf("fold: %d, %v", n, err)
	}
	reach, _, news = contactReach(t, e, k)
	if !slices.Contains(reach, "t:"+id64(blue.ID)) || news != 0 {
		t.Fatalf("after the fold: reach %v, %d news rows", reach, news)
	}
	if !listed(t, annSees, sms, k) {
		t.Fatal("after the fold, Ann does not find the contact")
	}

	// Moved on to Green: Blue's key stays behind, but Ann no longer sees the contact; Bob does.
	move(green.ID)
	if reach, _, _ = contactReach(t, e, k); !slices.Contains(reach, "t:"+id64(green.ID)) || !slices.Contains(reach, "t:"+id64(blue.ID)) {
		t.Fatalf("after the move to Green: reach %v", reach)
	}
	if listed(t, annSees, inbox.ContactQuery{}, k) || !listed(t, bobSees, sms, k) {
		t.Fatal("after the move to Green, Ann still sees the contact or Bob does not")
	}

	// Assigned to Ann: she sees it again, through her assignment.
	if _, err := e.store.Assign(ctx, res.ConversationID, ann.ID, inbox.Actor{AgentID: ann.ID}); err != nil {
		t.Fatal(err)
	}
	if reach, _, _ = contactReach(t, e, k); !slices.Contains(reach, "a:"+id64(ann.ID)) {
		t.Fatalf("after the assignment: reach %v", reach)
	}
	if !listed(t, annSees, sms, k) {
		t.Fatal("Ann does not find the contact of a conversation assigned to her")
	}

	// Two hours later the customer writes again: "seen in the last half hour" finds them.
	e.now = e.now.Add(2 * time.Hour)
	e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "r2", From: phoneFrom("+15550100300"), Text: "still there?"})
	if _, seen, _ = contactReach(t, e, k); seen == nil || !seen.Equal(e.now) {
		t.Fatalf("seen_at %v after a message at %v", seen, e.now)
	}
	recent := inbox.ContactQuery{SeenSince: e.now.Add(-30 * time.Minute)}
	if !listed(t, e.store.As(inbox.Everyone()), recent, k) || !listed(t, bobSees, recent, k) {
		t.Fatal("the contact who wrote a minute ago is not among those seen in the last half hour")
	}
}

// A new customer's contact is stored with its first conversation's keys (the channel, the team
// of the inbox it came through, its instant) in the same statement that creates them, and no
// news row is left for the fold: the team's agent finds the contact at once.
func TestContactReachOfANewCustomerComesWithTheirFirstConversation(t *testing.T) {
	ctx := context.Background()
	e := setup(t)
	ann := mustAgent(t, e, "ann@example.com")
	blue, err := e.store.CreateTeam(ctx, "Blue", []string{ann.Email})
	if err != nil {
		t.Fatal(err)
	}
	in, err := e.store.CreateInbox(ctx, inbox.NewInbox{Kind: inbox.ChannelChat, Name: "Web", TeamID: blue.ID})
	if err != nil {
		t.Fatal(err)
	}
	res := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelChat, InboxID: in.ID, ExternalID: "n1",
		From: inbox.Identity{Kind: inbox.IdentityEmail, Address: "nia@example.com", Verified: true}, Name: "Nia New", Text: "hello"})
	reach, seen, news := contactReach(t, e, res.ContactID)
	want := []string{"c:chat", "n:new", "n:nia", "t:" + id64(blue.ID)}
	if !slices.Equal(reach, want) || seen == nil || !seen.Equal(e.now) || news != 0 {
		t.Fatalf("reach %v, seen %v, %d news rows; want %v, %v and none", reach, seen, news, want, e.now)
	}
	v, err := e.store.ViewerOf(ctx, ann)
	if err != nil {
		t.Fatal(err)
	}
	if !listed(t, e.store.As(v), inbox.ContactQuery{Channel: inbox.ChannelChat}, res.ContactID) {
		t.Fatal("the team's agent does not find the new customer")
	}
}

// A contact's own keys in reach (migration 250) are exact, whatever statement changes the
// columns they come from: an edit of name, tier, tags and company replaces them (the list must
// not find the contact by its old tier or name), a conversation's keys stay beside them, the
// company joined through an address adds its key, and taking the contact out of the company
// removes it. The lists then find the contact by the new values alone.
func TestContactReachKeepsOwnKeysExact(t *testing.T) {
	ctx := context.Background()
	e := setup(t)
	acme, err := e.store.SaveCompany(ctx, 0, inbox.CompanyPatch{Name: ptr("Acme"), Domains: &[]string{"acme.example"}}, inbox.CLIActor())
	if err != nil {
		t.Fatal(err)
	}
	res := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelEmail, ExternalID: "<o1@acme.example>", From: emailFrom("o.s@acme.example"),
		Name: "Olga Stravinskayaova", Text: "hi"})
	k := res.ContactID
	own := func() []string {
		t.Helper()
		reach, _, _ := contactReach(t, e, k)
		return reach
	}
	// A word's keys are its first 3 to 12 characters.
	want := []string{"c:email", "n:olg", "n:olga", "n:str", "n:stra", "n:strav", "n:stravi", "n:stravin", "n:stravins", "n:stravinsk",
		"n:stravinska", "n:stravinskay", "n:stravinskaya", "o:" + id64(acme.ID), "t:"}
	slices.Sort(want)
	if got := own(); !slices.Equal(got, want) {
		t.Fatalf("after the first message: reach %v, want %v", got, want)
	}
	// Found by a word longer than its longest key, which the words then check.
	if !listed(t, e.store.As(inbox.Everyone()), inbox.ContactQuery{Text: "stravinskayaov"}, k) ||
		listed(t, e.store.As(inbox.Everyone()), inbox.ContactQuery{Text: "stravinskayaox"}, k) {
		t.Fatal("a search by a word longer than 12 characters does not find exactly the contact")
	}
	all := e.store.As(inbox.Everyone())
	if _, err := all.UpdateContact(ctx, k, inbox.ContactPatch{Name: ptr("Ola Nordmann"), Tier: ptr("gold"), Tags: &[]string{"vip", "reseller"},
		CompanyID: ptr(int64(0))}, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	want = []string{"c:email", "g:reseller", "g:vip", "n:nor", "n:nord", "n:nordm", "n:nordma", "n:nordman", "n:nordmann", "n:ola", "r:gold", "t:"}
	if got := own(); !slices.Equal(got, want) {
		t.Fatalf("after the edit: reach %v, want %v", got, want)
	}
	everyone := e.store.As(inbox.Everyone())
	if !listed(t, everyone, inbox.ContactQuery{Text: "ola nordman"}, k) {
		t.Fatal("the renamed contact is not found by its new name")
	}
	for _, q := range []inbox.ContactQuery{{Text: "olga"}, {Text: "stravinsk"}, {CompanyID: acme.ID}, {CompanyID: acme.ID, Channel: inbox.ChannelEmail}} {
		if listed(t, everyone, q, k) {
			t.Fatalf("%+v finds the contact by what it no longer is", q)
		}
	}
	for _, q := range []inbox.ContactQuery{{Text: "nordm"}, {Text: "ola nor"}, {Tier: "gold", Tag: "vip"}, {Text: "nordmann", Tag: "reseller", Channel: inbox.ChannelEmail}} {
		if !listed(t, everyone, q, k) {
			t.Fatalf("%+v does not find the contact", q)
		}
	}
	if _, err := all.UpdateContact(ctx, k, inbox.ContactPatch{Tier: ptr(""), Tags: &[]string{}, CompanyID: ptr(acme.ID)}, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	if got := own(); slices.ContainsFunc(got, func(x string) bool { return x[:2] == "r:" || x[:2] == "g:" }) || !slices.Contains(got, "o:"+id64(acme.ID)) {
		t.Fatalf("after clearing tier and tags and joining Acme: reach %v", got)
	}
	if !listed(t, everyone, inbox.ContactQuery{CompanyID: acme.ID, Channel: inbox.ChannelEmail, Text: "ola"}, k) {
		t.Fatal("the contact is not found in Acme by email")
	}
	// A statement that writes reach whole, dropping keys, gets the own keys back.
	if _, err := e.pool.Exec(ctx, `UPDATE contacts SET reach = '{c:email}' WHERE id = $1`, k); err != nil {
		t.Fatal(err)
	}
	if got := own(); !slices.Contains(got, "o:"+id64(acme.ID)) || !slices.Contains(got, "n:nordmann") {
		t.Fatalf("after reach was written whole: %v", got)
	}
}

// id64 is an id as reach keys spell it.
func id64(id int64) string { return strconv.FormatInt(id, 10) }
