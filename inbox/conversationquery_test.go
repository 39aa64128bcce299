package inbox

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestConversationQueryBuild pins the statement each filter set produces: the API's list and
// the inbox page run exactly these, so a change here is a change of the plans the indexes of
// migrations 001, 062 and 063 were made for.
func TestConversationQueryBuild(t *testing.T) {
	t.Parallel()
	seven, zero := int64(7), int64(0)
	at := time.UnixMicro(1764492400000000)
	cursor := encodeCursor(at, 42)
	const order = " ORDER BY c.last_activity_at DESC, c.id DESC LIMIT "
	const from = "conversations c JOIN contacts k ON k.id = c.contact_id"
	const hits = "((SELECT m.conversation_id AS id FROM messages m WHERE m.search @@ to_tsquery('simple', $1) ORDER BY m.id + 0 DESC LIMIT 1000)" +
		" UNION (SELECT c2.id FROM contacts k2 JOIN conversations c2 ON c2.contact_id = k2.id WHERE k2.name_tsv @@ to_tsquery('simple', $1) ORDER BY c2.id + 0 DESC LIMIT 1000))" +
		" hit JOIN conversations c ON c.id = hit.id JOIN contacts k ON k.id = c.contact_id"
	cases := []struct {
		name   string
		q      ConversationQuery
		from   string // the statement after "SELECT <columns> FROM "
		args   []any
		search bool
		none   bool
	}{
		{"everything, default page size", ConversationQuery{},
			from + order + "$1", []any{26}, false, false},
		{"active, as the inbox opens (partial indexes need the literals)", ConversationQuery{Statuses: ActiveStatuses()},
			from + " WHERE c.status IN ('new', 'open', 'pending')" + order + "$1", []any{26}, false, false},
		{"API: status, assignee, one team, channel, page of 100",
			ConversationQuery{Statuses: []Status{StatusOpen}, AssigneeID: &seven, TeamIDs: []int64{3}, Channel: ChannelSMS, Limit: 100},
			from + " WHERE c.status IN ('open') AND c.assignee_id = $1 AND c.team_id = $2 AND c.channel = $3" + order + "$4",
			[]any{int64(7), int64(3), ChannelSMS, 101}, false, false},
		{"unassigned", ConversationQuery{Statuses: []Status{StatusOpen, StatusPending}, AssigneeID: &zero},
			from + " WHERE c.status IN ('open', 'pending') AND c.assignee_id IS NULL" + order + "$1", []any{26}, false, false},
		{"my teams", ConversationQuery{TeamIDs: []int64{3, 4}},
			from + " WHERE c.team_id = ANY($1::bigint[])" + order + "$2", []any{[]int64{3, 4}, 26}, false, false},
		{"my teams, of which I have none", ConversationQuery{TeamIDs: []int64{}},
			from + " WHERE c.team_id = ANY($1::bigint[])" + order + "$2", []any{[]int64{}, 26}, false, false},
		{"a contact's history", ConversationQuery{ContactID: 9, Limit: 20},
			from + " WHERE c.contact_id = $1" + order + "$2", []any{int64(9), 21}, false, false},
		{"what an agent of no team may see", ConversationQuery{VisibleTo: &Viewer{AgentID: 7}},
			from + " WHERE (c.assignee_id = $1 OR c.team_id = ANY($2::bigint[]))" + order + "$3",
			[]any{int64(7), []int64{}, 26}, false, false},
		{"what an agent of the default queue may see", ConversationQuery{VisibleTo: &Viewer{AgentID: 7, TeamIDs: []int64{2}, DefaultQueue: true}},
			from + " WHERE (c.assignee_id = $1 OR c.team_id = ANY($2::bigint[]) OR c.team_id IS NULL)" + order + "$3",
			[]any{int64(7), []int64{2}, 26}, false, false},
		{"a supervisor sees everything", ConversationQuery{VisibleTo: &Viewer{AgentID: 7, All: true}},
			from + order + "$1", []any{26}, false, false},
		{"next page", ConversationQuery{Statuses: ActiveStatuses(), Cursor: cursor},
			from + " WHERE c.status IN ('new', 'open', 'pending') AND (c.last_activity_at, c.id) < ($1, $2)" + order + "$3",
			[]any{at, int64(42), 26}, false, false},
		{"search words", ConversationQuery{Text: "  Order 977 "},
			hits + order + "$2", []any{"'order':* & '977':*", 26}, true, false},
		{"search an address: words and the address prefix",
			ConversationQuery{Text: "li.wei@exa"},
			strings.Replace(hits, "))", ") UNION (SELECT c3.id FROM contact_identities i JOIN conversations c3 ON c3.contact_id = i.contact_id"+
				" WHERE i.address LIKE $2 ORDER BY c3.id + 0 DESC LIMIT 1000))", 1) + order + "$3",
			[]any{"'li':* & 'wei':* & 'exa':*", "li.wei@exa%", 26}, true, false},
		{"search within filters: the filters' arguments come first",
			ConversationQuery{Statuses: ActiveStatuses(), Channel: ChannelEmail, VisibleTo: &Viewer{AgentID: 7, TeamIDs: []int64{3}}, Text: "refund", Cursor: cursor},
			strings.ReplaceAll(hits, "$1", "$6") + " WHERE c.status IN ('new', 'open', 'pending') AND c.channel = $1" +
				" AND (c.assignee_id = $2 OR c.team_id = ANY($3::bigint[])) AND (c.last_activity_at, c.id) < ($4, $5)" + order + "$7",
			[]any{ChannelEmail, int64(7), []int64{3}, at, int64(42), "'refund':*", 26}, true, false},
		{"search of no word finds nothing without asking", ConversationQuery{Text: "&& !"}, "", nil, true, true},
	}
	for _, c := range cases {
		plain, err := c.q.build(DefaultRegion, false)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if plain.search != c.search || plain.none != c.none {
			t.Errorf("%s: search %v none %v, want %v %v", c.name, plain.search, plain.none, c.search, c.none)
		}
		if c.none {
			if plain.sql != "" || plain.args != nil {
				t.Errorf("%s: a statement for nothing: %q %v", c.name, plain.sql, plain.args)
			}
			continue
		}
		if want := "SELECT " + conversationCols + " FROM " + c.from; plain.sql != want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, plain.sql, want)
		}
		if !reflect.DeepEqual(plain.args, c.args) {
			t.Errorf("%s: args %#v, want %#v", c.name, plain.args, c.args)
		}
		// The inbox page asks the same statement and only adds each row's preview around it.
		rows, err := c.q.build(DefaultRegion, true)
		if err != nil {
			t.Fatalf("%s: with preview: %v", c.name, err)
		}
		want := "SELECT c.*, coalesce(left(p.text, 140), ''), coalesce(p.direction, '')\n\t\tFROM (" + plain.sql +
			") c LEFT JOIN LATERAL (SELECT m.text, m.direction FROM messages m WHERE m.conversation_id = c.id\n\t\t\tORDER BY m.id DESC LIMIT 1) p ON true\n\t\tORDER BY c.last_activity_at DESC, c.id DESC"
		if rows.sql != want || !reflect.DeepEqual(rows.args, plain.args) || rows.limit != plain.limit || rows.search != plain.search {
			t.Errorf("%s: with preview:\n got %s %v\nwant %s %v", c.name, rows.sql, rows.args, want, plain.args)
		}
	}
}

// TestConversationQueryRejects checks that bad filters are refused before any SQL is written.
func TestConversationQueryRejects(t *testing.T) {
	t.Parallel()
	for name, q := range map[string]ConversationQuery{
		"status":  {Statuses: []Status{StatusOpen, "gone"}},
		"channel": {Channel: "fax"},
		"limit":   {Limit: 101},
		"cursor":  {Cursor: "%%"},
	} {
		b, err := q.build(DefaultRegion, false)
		var ve *ValidationError
		if !errors.Is(err, ErrInvalid) || !errors.As(err, &ve) || ve.Field != name {
			t.Errorf("%s: %v (%q), want an invalid %s", name, err, b.sql, name)
		}
	}
}
