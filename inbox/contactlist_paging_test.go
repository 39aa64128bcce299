package inbox_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/parleyhq/parley/inbox"
)

// listedContact is what the oracle knows of a contact, read straight from the tables.
type listedContact struct {
	id            int64
	name, tier    string
	tags          []string
	companyID     int64
	company       string
	addresses     []string
	conversations []listedConversation
}

// listedConversation is what the oracle knows of one of a contact's conversations.
type listedConversation struct {
	channel        string
	lastActivity   time.Time
	team, assignee int64
}

// loadListed reads every contact that the list may show (not merged, not erased), newest first.
func loadListed(t *testing.T, e *env) []listedContact {
	t.Helper()
	ctx := context.Background()
	rows, err := e.pool.Query(ctx, `SELECT k.id, k.name, k.tier, k.tags, coalesce(k.company_id, 0), coalesce(co.name, ''),
		coalesce((SELECT array_agg(i.address) FROM contact_identities i WHERE i.contact_id = k.id), '{}')
		FROM contacts k LEFT JOIN companies co ON co.id = k.company_id
		WHERE k.merged_into IS NULL AND k.erased_at IS NULL ORDER BY k.id DESC`)
	if err != nil {
		t.Fatal(err)
	}
	var out []listedContact
	byID := map[int64]int{}
	for rows.Next() {
		var c listedContact
		if err := rows.Scan(&c.id, &c.name, &c.tier, &c.tags, &c.companyID, &c.company, &c.addresses); err != nil {
			t.Fatal(err)
		}
		byID[c.id] = len(out)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows, err = e.pool.Query(ctx, `SELECT contact_id, channel, last_activity_at, coalesce(team_id, 0), coalesce(assignee_id, 0) FROM conversations`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var c listedConversation
		if err := rows.Scan(&id, &c.channel, &c.lastActivity, &c.team, &c.assignee); err != nil {
			t.Fatal(err)
		}
		if i, ok := byID[id]; ok {
			out[i].conversations = append(out[i].conversations, c)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// words splits s as the list's search does: lower-cased runs of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// everyPrefix reports whether each term is the start of one of ws.
func everyPrefix(terms, ws []string) bool {
	for _, term := range terms {
		if !slices.ContainsFunc(ws, func(w string) bool { return strings.HasPrefix(w, term) }) {
			return false
		}
	}
	return len(terms) > 0
}

// oracle is the list's contract written plainly: which contacts q should give v, newest first.
// address is the address prefix the text stands for (an email as typed, a phone normalized),
// empty when it stands for none.
func oracle(all []listedContact, q inbox.ContactQuery, address string, v inbox.Viewer) []int64 {
	terms := words(q.Text)
	var want []int64
	for _, c := range all {
		if q.Tier != "" && c.tier != q.Tier || q.Tag != "" && !slices.Contains(c.tags, q.Tag) || q.CompanyID != 0 && c.companyID != q.CompanyID {
			continue
		}
		if q.Text != "" && !everyPrefix(terms, words(c.name)) && !everyPrefix(terms, words(c.company)) &&
			!slices.ContainsFunc(c.addresses, func(a string) bool { return address != "" && strings.HasPrefix(a, address) }) {
			continue
		}
		if q.Channel != "" || !q.SeenSince.IsZero() || !v.All {
			if !slices.ContainsFunc(c.conversations, func(cv listedConversation) bool {
				return (q.Channel == "" || cv.channel == string(q.Channel)) && !cv.lastActivity.Before(q.SeenSince) &&
					(v.All || cv.assignee == v.AgentID || slices.Contains(v.TeamIDs, cv.team) || v.DefaultQueue && cv.team == 0)
			}) {
				continue
			}
		}
		want = append(want, c.id)
	}
	return want
}

// pageAll follows q's keyset pages to the end and returns every contact id in page order.
func pageAll(t *testing.T, sc inbox.Scope, q inbox.ContactQuery) []int64 {
	t.Helper()
	var got []int64
	for pages := 0; ; pages++ {
		p, err := sc.ListContacts(context.Background(), q)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		if len(p.Contacts) > max(q.Limit, 1) || pages > 10000 {
			t.Fatalf("%+v: %d rows on a page of %d", q, len(p.Contacts), q.Limit)
		}
		got = append(got, contactIDs(p)...)
		if p.Next == "" {
			return got
		}
		if len(p.Contacts) != q.Limit {
			t.Fatalf("%+v: a page of %d rows, not full, has a next page", q, len(p.Contacts))
		}
		q.Cursor = p.Next
	}
}

// TestListContactsEveryKindPagesCompletely seeds a few hundred contacts in teams, companies,
// tiers and tags (with repeated names and one creation time for all: ties everywhere but the
// id), then walks every search and filter kind, alone and combined, page by page, as the admin
// and as two agents of different teams. Each walk must give exactly what a plain reading of
// the tables gives, newest first, with no contact twice and none missed, and an agent never a
// contact without a conversation they may see.
//
// It runs twice: with contact ids one after another, and with ids 20,001 apart, so that the
// address search's buckets of 65,536 ids (migration 253) hold a few contacts each and a page's
// holders are gathered across many of them.
func TestListContactsEveryKindPagesCompletely(t *testing.T) {
	for _, step := range []int{1, 20001} {
		t.Run(fmt.Sprintf("ids %d apart", step), func(t *testing.T) { everyKindPagesCompletely(t, step) })
	}
}

func everyKindPagesCompletely(t *testing.T, step int) {
	ctx := context.Background()
	e := setup(t)
	if _, err := e.pool.Exec(ctx, fmt.Sprintf("ALTER SEQUENCE contacts_id_seq INCREMENT BY %d", step)); err != nil {
		t.Fatal(err)
	}
	var agents []int64
	for i := 1; i <= 5; i++ {
		agents = append(agents, mustAgent(t, e, fmt.Sprintf("agent%d@example.com", i)).ID)
	}
	if err := e.store.SeedBulk(ctx, 640, agents, nil); err != nil {
		t.Fatal(err)
	}
	// Hand-made: a name with punctuation and an accent, a contact with a second conversation in
	// another team, a merged contact (never listed) and a company matched by a word of its name.
	acme, err := e.store.SaveCompany(ctx, 0, inbox.CompanyPatch{Name: ptr("Acme Industries"), Domains: &[]string{"acme.example"}}, inbox.CLIActor())
	if err != nil {
		t.Fatal(err)
	}
	anne := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "h1", From: emailFrom("anne@acme.example"), Name: "Anne-Marie O'Néil", Text: "hi"})
	e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "h2", From: phoneFrom("+15550100200"), Name: "Maria Lopez", Text: "hi"})
	dup := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "h3", From: emailFrom("dup@example.org"), Name: "Maria Lopez", Text: "hi"})
	if _, err := e.store.Merge(ctx, anne.ContactID, dup.ContactID, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	var agent1, agent5 inbox.Viewer
	for i, v := range []*inbox.Viewer{&agent1, &agent5} {
		a, err := e.store.AgentByEmail(ctx, fmt.Sprintf("agent%d@example.com", 1+4*i))
		if err != nil {
			t.Fatal(err)
		}
		if *v, err = e.store.ViewerOf(ctx, a); err != nil {
			t.Fatal(err)
		}
		if len(v.TeamIDs) != 1 {
			t.Fatalf("agent %d in teams %v", a.ID, v.TeamIDs)
		}
	}
	all := loadListed(t, e)
	var phone, company string
	var companyID int64
	for _, c := range all {
		for _, a := range c.addresses {
			if phone == "" && strings.HasPrefix(a, "+1555") && a != "+15550100200" {
				phone = a
			}
		}
		if companyID == 0 && strings.HasPrefix(c.company, "Bulk Company") {
			companyID, company = c.companyID, c.company
		}
	}
	if phone == "" || companyID == 0 || len(all) < 600 {
		t.Fatalf("seed: phone %q, company %d, %d contacts", phone, companyID, len(all))
	}
	typed := "(" + phone[2:5] + ") " + phone[5:8] + "-" + phone[8:] // +15550000124 as (555) 000-0124
	week := e.now.Add(-7 * 24 * time.Hour)
	month := e.now.Add(-30 * 24 * time.Hour)
	cases := []struct {
		q       inbox.ContactQuery
		address string // the address prefix the text stands for
	}{
		{q: inbox.ContactQuery{}},
		{q: inbox.ContactQuery{Text: "maria"}, address: "maria"},
		{q: inbox.ContactQuery{Text: "MARIA LOPEZ"}},
		{q: inbox.ContactQuery{Text: "mar lop"}},
		{q: inbox.ContactQuery{Text: "lop"}, address: "lop"},
		{q: inbox.ContactQuery{Text: "m"}, address: "m"},
		{q: inbox.ContactQuery{Text: "aria"}, address: "aria"}, // inside a word: no match
		{q: inbox.ContactQuery{Text: "o'néil"}},
		{q: inbox.ContactQuery{Text: "marie"}, address: "marie"},
		{q: inbox.ContactQuery{Text: "customer1"}, address: "customer1"},
		{q: inbox.ContactQuery{Text: "Customer12@Bulk.example"}, address: "customer12@bulk.example"},
		{q: inbox.ContactQuery{Text: phone}, address: phone},
		{q: inbox.ContactQuery{Text: strings.ToLower(company)}},
		{q: inbox.ContactQuery{Text: "bulk"}, address: "bulk"},
		{q: inbox.ContactQuery{Text: "acme"}, address: "acme"},
		{q: inbox.ContactQuery{Text: "nobody"}, address: "nobody"},
		{q: inbox.ContactQuery{Tier: "gold"}},
		{q: inbox.ContactQuery{Tag: "vip"}},
		{q: inbox.ContactQuery{CompanyID: companyID}},
		{q: inbox.ContactQuery{CompanyID: acme.ID}},
		{q: inbox.ContactQuery{Channel: inbox.ChannelSMS}},
		{q: inbox.ContactQuery{SeenSince: week}},
		{q: inbox.ContactQuery{Channel: inbox.ChannelEmail, SeenSince: month}},
		{q: inbox.ContactQuery{Tier: "silver", Tag: "reseller"}},
		{q: inbox.ContactQuery{Tier: "silver", CompanyID: companyID, Channel: inbox.ChannelChat}},
		{q: inbox.ContactQuery{Text: "maria", Tier: "gold"}, address: "maria"},
		{q: inbox.ContactQuery{Text: "lopez", Tag: "vip", SeenSince: month}, address: "lopez"},
		{q: inbox.ContactQuery{Text: "sam", Channel: inbox.ChannelSMS, CompanyID: companyID}, address: "sam"},
		{q: inbox.ContactQuery{Text: "customer2", Tier: "silver"}, address: "customer2"},
		// An address prefix every bulk contact shares fills the window of its newest holders: with a rare
		// filter (or an agent's sight) the older holders below it are read too.
		{q: inbox.ContactQuery{Text: "customer"}, address: "customer"},
		{q: inbox.ContactQuery{Text: "customer", Tier: "gold"}, address: "customer"},
	}
	if step == 1 {
		// The seed's numbers are +1555 and 2,000,000 plus the contact id: ten digits, a North
		// American number, only while the ids are small.
		cases = append(cases, struct {
			q       inbox.ContactQuery
			address string
		}{q: inbox.ContactQuery{Text: typed}, address: phone})
	}
	for _, who := range []struct {
		name string
		v    inbox.Viewer
	}{{"admin", inbox.Everyone()}, {"agent of team 1", agent1}, {"agent of team 5", agent5}} {
		sc := e.store.As(who.v)
		for _, c := range cases {
			want := oracle(all, c.q, c.address, who.v)
			// Pages of 5 read windows of 600 contacts, fewer than the seed holds, so rare
			// matches are found below the window as well; pages of 100 walk it all.
			limits := []int{5, 100}
			if c.q.Text != "" && !strings.ContainsAny(c.q.Text, "@+(0123456789") {
				// Pages of 1 read windows of 200: a name rarer than 1% of them is found by the
				// step just below the window (walkIn's near), then below that.
				limits = append(limits, 1)
			}
			for _, limit := range limits {
				q := c.q
				q.Limit = limit
				got := pageAll(t, sc, q)
				if !slices.Equal(got, want) {
					t.Errorf("%s, %+v, pages of %d: %d contacts %v\nwant %d %v", who.name, c.q, limit, len(got), head(got), len(want), head(want))
				}
			}
		}
	}
	// The seed makes some of each so that the cases above are not vacuous.
	for _, c := range []struct {
		q       inbox.ContactQuery
		address string
		v       inbox.Viewer
		atLeast int
	}{
		{inbox.ContactQuery{Text: "maria"}, "maria", inbox.Everyone(), 30},
		{inbox.ContactQuery{Text: "m"}, "m", inbox.Everyone(), 100},
		{inbox.ContactQuery{Text: "marie"}, "marie", inbox.Everyone(), 1},
		{inbox.ContactQuery{Text: phone}, phone, inbox.Everyone(), 1},
		{inbox.ContactQuery{Text: "customer1"}, "customer1", inbox.Everyone(), 100},
		{inbox.ContactQuery{Text: strings.ToLower(company)}, "", inbox.Everyone(), 10},
		{inbox.ContactQuery{Tier: "silver", Tag: "reseller"}, "", inbox.Everyone(), 10},
		{inbox.ContactQuery{}, "", agent1, 100},
		{inbox.ContactQuery{}, "", agent5, 1},
		{inbox.ContactQuery{Tag: "vip", SeenSince: month}, "", agent1, 5},
	} {
		if n := len(oracle(all, c.q, c.address, c.v)); n < c.atLeast {
			t.Errorf("%+v: only %d in the seed", c.q, n)
		}
	}
}

// head is the first few of ids, for messages.
func head(ids []int64) []int64 { return ids[:min(len(ids), 12)] }
