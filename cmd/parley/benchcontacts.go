package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"

	"github.com/parleyhq/parley/inbox"
)

// benchContactsCmd is `parley bench contacts`: after VACUUM ANALYZE, it measures every kind of
// request the contact list makes (first and later keyset pages; search by name, email, phone
// and company; each filter and combinations of them), for the admin and for two agents who see
// only their teams' contacts, then the API list and the contact page, at whatever size
// DATABASE_URL holds (seed one with `parley demo --conversations N`: one contact each), on an
// in-process server, and prints latency percentiles.
func benchContactsCmd(ctx context.Context, c *cli) error {
	b, err := startPageBench(ctx, c, "bench contacts")
	if err != nil {
		return err
	}
	defer b.close()
	if err := b.analyze(ctx, c.stdout); err != nil {
		return err
	}
	// Bulk agents 01 and 20 see Bulk Team 1 (a quarter of the contacts) and Bulk Team 5 (a few).
	team, err := b.session(ctx, "agent01@bulk.example")
	if err != nil {
		return err
	}
	few, err := b.session(ctx, "agent20@bulk.example")
	if err != nil {
		return err
	}
	newest, err := b.app.store.ListContacts(ctx, inbox.ContactQuery{Limit: 1})
	if err != nil || len(newest.Contacts) == 0 {
		return fmt.Errorf("bench contacts: no contacts; seed with `parley demo --conversations N` (%v)", err)
	}
	last := newest.Contacts[0].ID
	companies, err := b.app.store.Companies(ctx, "bulk company 1")
	if err != nil || len(companies) == 0 {
		return fmt.Errorf("bench contacts: no bulk companies; seed with this build's `parley demo --conversations N` (%v)", err)
	}
	company := strconv.FormatInt(companies[0].ID, 10)
	upTo := func(n int64) int64 { return 1 + rand.Int64N(max(n, 1)) }
	random := func() string { return strconv.FormatInt(upTo(last), 10) }
	list := func(query string) func() string { return fixed("/contacts?" + query) }
	// deeper continues query below a random contact, as a later page does.
	deeper := func(query string) func() string {
		return func() string { return "/contacts?" + query + "&cursor=" + random() }
	}
	search := func(text func() string) func() string {
		return func() string { return "/contacts?q=" + url.QueryEscape(text()) }
	}
	text := func(s string) func() string { return fixed(s) }
	admin := b.admin
	pages := []benchPage{
		{"first page", admin, list("")},
		{"a later page (random cursor)", admin, deeper("")},
		{"search a full name", admin, search(text("maria lopez"))},
		{"search a first name (1 in 20)", admin, search(text("maria"))},
		{"search a word prefix", admin, search(text("lop"))},
		{"search one letter", admin, search(text("m"))},
		{"search a name, later page", admin, deeper("q=maria+lopez")},
		{"search a name nobody has", admin, search(text("nobody"))},
		{"search an email", admin, search(func() string { return "customer" + random() + "@bulk.example" })},
		{"search an email prefix (11 match)", admin, search(func() string { return "customer" + strconv.FormatInt(9999+upTo(last/10-10000), 10) })},
		{"search an email prefix (111,111 match)", admin, search(text("customer1"))},
		{"search a phone as typed", admin, search(func() string { return fmt.Sprintf("+1 555 %d", 2000000+2*(1+upTo(last/2-2))) })},
		{"search a company", admin, search(text("bulk company 7"))},
		{"filter tier gold", admin, list("tier=gold")},
		{"filter tag vip", admin, list("tag=vip")},
		{"filter tag vip, later page", admin, deeper("tag=vip")},
		{"filter company", admin, list("company=" + company)},
		{"filter channel sms", admin, list("channel=sms")},
		{"filter seen in 7 days", admin, list("seen=7")},
		{"filter sms, seen in 7 days", admin, list("channel=sms&seen=7")},
		{"filter gold and vip (none match)", admin, list("tier=gold&tag=vip")},
		{"filter silver, company, email", admin, list("tier=silver&company=" + company + "&channel=email")},
		{"search a name, tier gold", admin, list("q=maria+lopez&tier=gold")},
		{"search a name, tag vip, sms, 30 days", admin, list("q=maria&tag=vip&channel=sms&seen=30")},
		{"agent (a quarter): first page", team, list("")},
		{"agent (a quarter): a later page", team, deeper("")},
		{"agent (a quarter): search a name", team, search(text("maria lopez"))},
		{"agent (a quarter): search an email", team, search(func() string { return "customer" + random() + "@bulk.example" })},
		{"agent (a quarter): tag vip, sms, 7 days", team, list("tag=vip&channel=sms&seen=7")},
		{"agent (a few): first page", few, list("")},
		{"agent (a few): a later page", few, deeper("")},
		{"agent (a few): search a name", few, search(text("maria lopez"))},
		{"agent (a few): tier gold", few, list("tier=gold")},
		{"API list, tier silver", admin, fixed("/api/v1/contacts?tier=silver")},
		{"contact page (random)", admin, func() string { return "/contacts/" + random() }},
	}
	fmt.Fprintf(c.stdout, "contact pages over %d contacts: %d requests each, %d concurrent\n", last, b.requests, b.conc)
	return b.run(ctx, c.stdout, pages)
}
