package inbox

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// ContactQuery selects one keyset page of contacts, newest first (by id): the contacts page and
// GET /api/v1/contacts. Merged and erased contacts are left out. Every filter is one conjunct
// served by an index of migrations 001, 062 and 090; the page is continued with a cursor, never
// OFFSET, and never counted.
type ContactQuery struct {
	// Text searches names and company names by word prefix, and emails and phones by prefix.
	Text string
	// Tag keeps contacts carrying this tag.
	Tag string
	// Tier keeps contacts of this tier.
	Tier string
	// CompanyID keeps one company's contacts.
	CompanyID int64
	// Channel keeps contacts with a conversation on this channel.
	Channel Channel
	// SeenSince keeps contacts with a conversation active at or after it.
	SeenSince time.Time
	// VisibleTo keeps the contacts one viewer may see: those with a conversation the viewer sees.
	VisibleTo *Viewer
	// Cursor continues after the previous page's last row (the page's Next).
	Cursor string
	// Limit is the page size: 1 to 100, default 50.
	Limit int
}

// ContactRow is one line of the contact list.
type ContactRow struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	Tier        string     `json:"tier"`
	Tags        []string   `json:"tags"`
	CompanyID   *int64     `json:"company_id,omitempty"`
	CompanyName string     `json:"company_name,omitempty"`
	Email       string     `json:"email,omitempty"`
	Phone       string     `json:"phone,omitempty"`
	LastSeenAt  *time.Time `json:"last_seen_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

// ContactPage is one page of contacts; Next continues it (empty on the last page).
type ContactPage struct {
	Contacts []ContactRow `json:"contacts"`
	Next     string       `json:"next,omitempty"`
}

// contactCols are a ContactRow's columns over contacts k, companies co and the contact's
// addresses ids (contactIdentities), read for the page's rows only. The last activity is
// grouped so that it is read through the contact's own conversations: a bare max() may be
// planned as a walk down the whole activity index until the contact's newest conversation
// turns up (seen: 2.6 s a row on a million conversations whose statistics were stale).
const contactCols = `k.id, k.name, k.tier, k.tags, k.company_id, coalesce(co.name, ''), coalesce(ids.email, ''), coalesce(ids.phone, ''),
	(SELECT max(c.last_activity_at) FROM conversations c WHERE c.contact_id = k.id GROUP BY c.contact_id), k.created_at`

// contactNameMatch is the expression a name is searched by: the words of the name, as
// migration 172 stores them (and indexes them).
const contactNameMatch = "k.name_tsv"

// contactIdentities joins each row's first email and phone through the contact's own
// identities (the contact_id index), never through the (kind, address) index.
const contactIdentities = ` LEFT JOIN companies co ON co.id = k.company_id
	LEFT JOIN LATERAL (SELECT min(i.address) FILTER (WHERE i.kind = 'email') AS email, min(i.address) FILTER (WHERE i.kind = 'phone') AS phone
		FROM contact_identities i WHERE i.contact_id = k.id) ids ON true`

// build turns q into one statement. Without text it is one ordered walk: the newest contacts
// below the cursor that pass every filter. With text, each way a contact can match (its name,
// its company's name, an address prefix) is a branch of its own that applies every filter and
// takes its own newest limit+1 below the cursor; the page is the newest limit+1 of their
// union. The newest n of a union are among the newest n of each branch, so no match is ever
// skipped however common a word is, and each branch is planned alone: through its index when
// its matches are few, along the primary key when they are many.
func (q ContactQuery) build(region string) (sql string, args []any, limit int, none bool, err error) {
	limit = q.Limit
	if limit <= 0 {
		limit = 50
	}
	if limit > 100 {
		return "", nil, 0, false, invalid("limit", "at most 100")
	}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	where := []string{"k.merged_into IS NULL", "k.erased_at IS NULL"}
	below, cursorArg := "true", "" // the cursor's condition, and its placeholder
	if q.Cursor != "" {
		cursor, err := strconv.ParseInt(q.Cursor, 10, 64)
		if err != nil || cursor <= 0 {
			return "", nil, 0, false, invalid("cursor", "malformed")
		}
		cursorArg = arg(cursor)
		below = "k.id < " + cursorArg
	}
	// own are the keys of the contact's own filters in its reach (migration 250): exact, so
	// two or more of them, or one beside a condition on the conversations, are intersected in
	// the reach index rather than by fetching the rows one index finds.
	var own []string
	if q.Tier != "" {
		where = append(where, "k.tier = "+arg(q.Tier))
		own = append(own, "r:"+q.Tier)
	}
	if q.Tag != "" {
		where = append(where, "k.tags @> ARRAY["+arg(q.Tag)+"::text]")
		own = append(own, "g:"+q.Tag)
	}
	if q.CompanyID != 0 {
		where = append(where, "k.company_id = "+arg(q.CompanyID))
		own = append(own, "o:"+strconv.FormatInt(q.CompanyID, 10))
	}
	// Each condition on the contact's conversations is narrowed first by what the contact's
	// row keeps of them (reach, seen_at: migration 174), through that row's indexes.
	var conv, near []string
	reach := append([]string{}, own...)
	if q.Channel != "" {
		if !q.Channel.Valid() {
			return "", nil, 0, false, invalid("channel", "unknown channel %q", q.Channel)
		}
		conv = append(conv, "c.channel = "+arg(q.Channel))
		reach = append(reach, "c:"+string(q.Channel))
	}
	if !q.SeenSince.IsZero() {
		conv = append(conv, "c.last_activity_at >= "+arg(q.SeenSince))
		near = append(near, "k.seen_at >= "+arg(q.SeenSince.Add(-time.Hour)))
	}
	if v := q.VisibleTo; v != nil && !v.All {
		conv = append(conv, v.where("c", arg))
		near = append(near, "k.reach && "+arg(v.reachKeys())+"::text[]")
	}
	switch {
	case len(conv) > 0 && len(reach) > 0:
		near = append(near, "k.reach @> "+arg(reach)+"::text[]")
	case len(conv) == 0 && len(own) > 1:
		where = append(where, "k.reach @> "+arg(own)+"::text[]")
	}
	p := contactPlan{below: below, cursor: cursorArg, n: arg(limit + 1), window: arg(contactWindow * (limit + 1)), limit: limit, own: own}
	if len(conv) > 0 {
		exists := "EXISTS (SELECT 1 FROM conversations c WHERE c.contact_id = k.id AND " + strings.Join(conv, " AND ") + ")"
		base := strings.Join(where, " AND ")
		// Narrowed by reach, or one of the contacts whose reach may lag: as alternatives of
		// their own below the window, so that each is planned through its indexes (an OR of
		// the two keeps the planner from intersecting reach with a tier's or a tag's index).
		p.sources = []string{base + " AND " + strings.Join(near, " AND ") + " AND " + exists,
			base + " AND " + contactReachNews + " AND " + exists}
		where = append(where, "("+strings.Join(near, " AND ")+" OR "+contactReachNews+")", exists)
	}
	p.filters = strings.Join(where, " AND ")
	page := "SELECT k.* FROM contacts k JOIN " + p.walk("true") + " m ON k.id = m.id"
	if text := strings.TrimSpace(q.Text); text != "" {
		branches := p.matches(text, region, arg)
		if len(branches) == 0 {
			return "", nil, limit, true, nil
		}
		page = "SELECT k.* FROM (SELECT id FROM (" + strings.Join(branches, " UNION ") + ") m ORDER BY id DESC LIMIT " + p.n +
			") m JOIN contacts k ON k.id = m.id"
	}
	// Only the page's rows read their company, addresses and last activity.
	sql = "SELECT " + contactCols + " FROM (" + page + ") k" + contactIdentities + " ORDER BY k.id DESC"
	return sql, args, limit, false, nil
}

// contactReachNews holds for the contacts whose reach or seen_at may lag behind their
// conversations: those with rows in contact_reach_news, not yet folded onto them.
const contactReachNews = "k.id = ANY(ARRAY(SELECT n.contact_id FROM contact_reach_news n))"

// contactWindow times a page's size is how many of the newest contacts below the cursor a
// walk reads in id order before it gives up on meeting a page of matches there (about 1%).
const contactWindow = 100

// contactPlan is the SQL a page is made of: the filters over contacts k (without the cursor),
// the cursor's condition, and the placeholders of the page size plus one and of the window.
type contactPlan struct {
	filters, below, cursor, n, window string
	// sources, when set, are alternatives to filters that together select the same contacts,
	// each planned alone where the walk goes below its window.
	sources []string
	limit   int
	// own are the reach keys of the contact's own filters, which a name search adds to its own
	// containment.
	own []string
}

// holderWindow times a page's size is how many of the newest holders of an address prefix an
// address search reads from the address index before it looks further down: an address
// belongs to a live contact, so only the filters (a tier, a team's sight) make it look further.
const holderWindow = 10

// walk is the newest n contact ids below the cursor that pass cond and the filters, found in
// two steps. The first reads the window of newest contacts in id order: when matches are
// common it meets a page of them early and stops. Only if it does not, the second takes the
// matches below the window through the filters' own indexes (GIN for tags and names, the tier
// and company indexes, an address prefix) and sorts them: "id + 0" keeps the planner from
// walking the primary key on down, hoping to meet matches that may not exist (a tier and a tag
// that no contact has together made it read all million contacts: 4.2 s), and from scanning
// the primary key's range below the window, filtering, when it takes a name prefix for common
// (a name nobody has: 450 ms that way, 6 ms through the name index). Its cost is bounded
// by how rare the matches are in the window: fewer than 1% of the newest, so at most about
// 1% overall if they are spread evenly.
func (p contactPlan) walk(cond string) string { return p.walkIn(cond, false) }

// walkIn is walk; near adds a step between the two for a condition found through reach's GIN
// index whose matches are many but rarer than 1% of the newest (a full name: 2,500 of a
// million), without conditions on the conversations (with them, the step was planned as a walk
// of the primary key's range, and found the page slower than going straight below): the matches among the next contactNearSpan times the window's ids below it, found
// by intersecting the GIN index with the primary key's range, so that only those rows are
// fetched rather than every match below the window (seen: 7 ms instead of 27 ms).
func (p contactPlan) walkIn(cond string, near bool) string {
	newest := "SELECT k.* FROM contacts k WHERE " + p.below + " ORDER BY k.id DESC LIMIT " + p.window
	edge := "(SELECT min(e.id) FROM (" + newest + ") e)"
	match := cond + " AND " + p.filters
	sources := p.sources
	if len(sources) == 0 {
		sources = []string{p.filters}
	}
	found, floor := "(SELECT count(*) FROM w)", edge
	var steps []string
	if near {
		floor = "(" + edge + " - " + strconv.Itoa(contactNearSpan) + " * " + p.window + ")"
		mid := make([]string, len(sources))
		for i, src := range sources {
			mid[i] = "(SELECT k.id FROM contacts k WHERE " + cond + " AND " + src + " AND k.id < " + edge + " AND k.id >= " + floor +
				" AND (SELECT count(*) FROM w) < " + p.n + " ORDER BY k.id DESC LIMIT " + p.n + ")"
		}
		steps = append(steps, "near AS MATERIALIZED "+union(mid, p.n))
		found = "(" + found + " + (SELECT count(*) FROM near))"
	}
	below := make([]string, len(sources))
	for i, src := range sources {
		below[i] = "(SELECT k.id FROM contacts k WHERE " + cond + " AND " + src +
			" AND k.id + 0 < " + floor + " AND " + found + " < " + p.n +
			" ORDER BY k.id + 0 DESC LIMIT " + p.n + ")"
	}
	with := "WITH w AS MATERIALIZED (SELECT k.id FROM (" + newest + ") k WHERE " + match + " ORDER BY k.id DESC LIMIT " + p.n + ")"
	out := " SELECT id FROM w"
	for _, s := range steps {
		with += ", " + s
	}
	if near {
		out += " UNION ALL SELECT id FROM near"
	}
	return "(" + with + out + " UNION ALL " + union(below, p.n) + ")"
}

// contactNearSpan times the window is how many ids below it walkIn's near step covers.
const contactNearSpan = 10

// union is the newest n ids of the alternatives, or the one alternative alone.
func union(alternatives []string, n string) string {
	if len(alternatives) == 1 {
		return alternatives[0]
	}
	return "(SELECT id FROM (" + strings.Join(alternatives, " UNION ") + ") b ORDER BY id DESC LIMIT " + n + ")"
}

// matches is one branch per way text can match a contact, each the newest n contact ids
// passing the filters: every word a prefix of a word of the name, or of the company's name, or
// the text the start of an address (an email, a phone as typed). None when the text holds
// nothing to search.
func (p contactPlan) matches(text, region string, arg func(any) string) []string {
	tsq, prefix := searchTerms(text, region)
	t := strings.ToLower(strings.TrimSpace(text))
	if prefix == "" && t != "" && !strings.ContainsAny(t, " %_\\") && len(t) <= 200 {
		prefix = t + "%" // the start of an email address
	}
	var out []string
	if tsq != "" {
		q := "to_tsquery('simple', " + arg(tsq) + ")"
		name := contactNameMatch + " @@ " + q
		keyed := false
		if keys := nameKeys(text); len(keys) > 0 {
			keyed = true
			keys = append(keys, p.own...)
			// Found through reach, only checked against the words: the words' own index would
			// merge the posting lists of every word with the prefix (see migration 250).
			name = "k.reach @> " + arg(keys) + "::text[] AND (" + contactNameMatch + " || ''::tsvector) @@ " + q
		}
		out = append(out, "(SELECT id FROM "+p.walkIn(name, keyed && len(p.sources) == 0)+" m)",
			// Each matching company's newest contacts through the company index, in order.
			"(SELECT kc.id FROM companies co CROSS JOIN LATERAL (SELECT k.id FROM contacts k WHERE k.company_id = co.id AND "+
				p.below+" AND "+p.filters+" ORDER BY k.id DESC LIMIT "+p.n+") kc WHERE to_tsvector('simple', co.name) @@ "+q+
				" ORDER BY kc.id DESC LIMIT "+p.n+")")
	}
	if prefix != "" {
		out = append(out, "(SELECT id FROM "+p.addressWalk(arg(prefix), arg(holderWindow*(p.limit+1)))+" m)")
	}
	return out
}

// nameKeys are the reach keys (migration 250) a contact whose name matches text's word prefixes
// must hold: 'n:' and each word of 3 or more characters, cut at 12 (the contact holds the
// first 3 to 12 characters of each word of its name).
func nameKeys(text string) []string {
	var keys []string
	for _, w := range searchWords(text) {
		r := []rune(w)
		if len(r) >= 3 {
			keys = append(keys, "n:"+string(r[:min(len(r), 12)]))
		}
	}
	return keys
}

// addressBucketShift cuts contact ids into the buckets of migration 253's index: 65,536 ids each.
const addressBucketShift = "16"

// addressWalk is walk for the contacts with an address starting with the pattern like (a
// placeholder): its window is the newest holders of such an address (as many as the
// placeholder window says), rather than the newest contacts of all; so a prefix that many old
// contacts share (customer1: 111,111 of a million) costs a few short index range scans, not a
// fetch and sort of their contacts. The holders come from migration 253's index, which leads
// with the contact's bucket of ids: bk counts, in each bucket from the newest down, its
// holders up to the window's size; cut is the bucket where those counts reach the window; the
// window is the newest holders of the buckets from the newest down to cut, each bucket's read
// newest first (an index range and a sort of at most a window). A contact holding two such
// addresses takes two places in the window. Only when the window is full and too few of it
// pass the filters does the second step look further down.
func (p contactPlan) addressWalk(like, window string) string {
	below, top := "true", "(SELECT max(id) FROM contacts)"
	if p.cursor != "" {
		below, top = "i.contact_id < "+p.cursor, "("+p.cursor+" - 1)"
	}
	bucket := "(i.contact_id >> " + addressBucketShift + ")"
	match := "i.address LIKE " + like + " AND " + below
	holders := "SELECT i.contact_id FROM contact_identities i WHERE i.address LIKE " + like
	return "(WITH bk AS MATERIALIZED (SELECT g.b, (SELECT count(*) FROM (SELECT 1 FROM contact_identities i WHERE " + bucket + " = g.b AND " +
		match + " LIMIT " + window + ") x) AS n FROM generate_series(" + top + " >> " + addressBucketShift + ", 0, -1) g(b))," +
		" cut AS MATERIALIZED (SELECT coalesce(max(s.b), 0) AS b FROM (SELECT bk.b, sum(bk.n) OVER (ORDER BY bk.b DESC) AS upto FROM bk) s" +
		" WHERE s.upto >= " + window + ")," +
		" a AS MATERIALIZED (SELECT x.contact_id FROM cut, generate_series(" + top + " >> " + addressBucketShift + ", cut.b, -1) g(b)" +
		" CROSS JOIN LATERAL (SELECT i.contact_id FROM contact_identities i WHERE " + bucket + " = g.b AND " + match +
		" ORDER BY i.contact_id DESC LIMIT " + window + ") x ORDER BY x.contact_id DESC LIMIT " + window + ")," +
		" w AS MATERIALIZED (SELECT k.id FROM contacts k WHERE k.id IN (SELECT a.contact_id FROM a) AND " + p.filters +
		" ORDER BY k.id DESC LIMIT " + p.n + ")" +
		" SELECT id FROM w UNION ALL (SELECT k.id FROM contacts k WHERE k.id IN (" + holders + ") AND " + p.filters +
		" AND k.id < (SELECT min(a.contact_id) FROM a) AND (SELECT count(*) FROM w) < " + p.n + " AND (SELECT count(*) FROM a) = " + window +
		" ORDER BY k.id + 0 DESC LIMIT " + p.n + "))"
}

// ListContacts returns one page of contacts. A malformed cursor or filter is ErrInvalid.
func (s *Store) ListContacts(ctx context.Context, q ContactQuery) (ContactPage, error) {
	sql, args, limit, none, err := q.build(s.region)
	if err != nil {
		return ContactPage{}, fmt.Errorf("inbox: list contacts: %w", err)
	}
	page := ContactPage{Contacts: []ContactRow{}}
	if none {
		return page, nil
	}
	// Without parallel workers: starting them costs about 7 ms, more than a whole page, and the
	// planner asks for them for the step below the window, which a page seldom runs (seen: the
	// first page 8 ms with them, 0.7 ms without). Planned with its values every time, as
	// conversation search is: a generic plan cannot use the address index for LIKE $n nor tell
	// a rare tier from a common one.
	err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL max_parallel_workers_per_gather = 0"); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, sql, append([]any{pgx.QueryExecModeExec}, args...)...)
		if err != nil {
			return err
		}
		page.Contacts, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (ContactRow, error) {
			var c ContactRow
			err := r.Scan(&c.ID, &c.Name, &c.Tier, &c.Tags, &c.CompanyID, &c.CompanyName, &c.Email, &c.Phone, &c.LastSeenAt, &c.CreatedAt)
			return c, err
		})
		return err
	})
	if err != nil {
		return ContactPage{}, fmt.Errorf("inbox: list contacts: %w", err)
	}
	if len(page.Contacts) > limit {
		page.Contacts = page.Contacts[:limit]
		page.Next = strconv.FormatInt(page.Contacts[limit-1].ID, 10)
	}
	return page, nil
}

// ListContacts is Store.ListContacts of the contacts the viewer may see.
func (sc Scope) ListContacts(ctx context.Context, q ContactQuery) (ContactPage, error) {
	if !sc.v.All {
		v := sc.v
		q.VisibleTo = &v
	}
	return sc.s.ListContacts(ctx, q)
}
