package inbox_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// auditFixture records a small log and returns each record's id by a short name.
func auditFixture(t *testing.T, e *env) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	base := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	recs := []struct {
		name string
		r    inbox.AuditRecord
	}{
		{"signin", inbox.AuditRecord{At: base, Kind: inbox.AuditSignIn, ActorID: 1, Actor: "ana@example.com", Target: "agent:1", SourceIP: "192.0.2.1"}},
		{"failed", inbox.AuditRecord{At: base.Add(time.Hour), Kind: inbox.AuditSignInFailed, Actor: "eve@example.com", SourceIP: "198.51.100.7"}},
		{"enrolled", inbox.AuditRecord{At: base.Add(2 * time.Hour), Kind: inbox.AuditTOTPEnrolled, ActorID: 1, Actor: "ana@example.com", Target: "agent:1", SourceIP: "192.0.2.1"}},
		{"2fafail", inbox.AuditRecord{At: base.Add(2 * time.Hour), Kind: inbox.AuditTOTPFailed, ActorID: 2, Actor: "bo@example.com", Target: "agent:2", SourceIP: "192.0.2.9"}},
		{"rule", inbox.AuditRecord{At: base.Add(3 * time.Hour), Kind: inbox.AuditRuleChanged, Actor: "cli", Target: "rule:9"}},
		{"reqreset", inbox.AuditRecord{At: base.Add(4 * time.Hour), Kind: inbox.AuditResetRequested, Actor: "bo@example.com", Target: "agent:2"}},
		// A kind whose letters fall where a prefix has _ : a LIKE that took _ as a wildcard
		// would match it.
		{"lookalike", inbox.AuditRecord{At: base.Add(5 * time.Hour), Kind: "password.resetXrequested", Actor: "system", Target: "agent:22"}},
	}
	ids := map[string]int64{}
	for _, rec := range recs {
		if err := e.store.RecordAudit(ctx, rec.r); err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := e.pool.QueryRow(ctx, `SELECT max(id) FROM audit_log`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids[rec.name] = id
	}
	return ids
}

// TestAuditLogFilters runs each filter against a small log and checks exactly which events it
// keeps, newest first.
func TestAuditLogFilters(t *testing.T) {
	ctx := context.Background()
	e := setup(t)
	ids := auditFixture(t, e)
	base := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		q    inbox.AuditQuery
		want []string
	}{
		{"everything, newest first, ties by id", inbox.AuditQuery{},
			[]string{"lookalike", "reqreset", "rule", "2fafail", "enrolled", "failed", "signin"}},
		{"one kind", inbox.AuditQuery{Kind: inbox.AuditSignIn}, []string{"signin"}},
		{"a kind prefix", inbox.AuditQuery{Kind: "2fa.*"}, []string{"2fafail", "enrolled"}},
		{"a prefix with _ taken literally", inbox.AuditQuery{Kind: "password.reset_*"}, []string{"reqreset"}},
		{"a % in a prefix is literal", inbox.AuditQuery{Kind: "%*"}, nil},
		{"an actor", inbox.AuditQuery{Actor: "ana@example.com"}, []string{"enrolled", "signin"}},
		{"an actor in another case", inbox.AuditQuery{Actor: " Ana@Example.com "}, []string{"enrolled", "signin"}},
		{"a target", inbox.AuditQuery{Target: "agent:2"}, []string{"reqreset", "2fafail"}},
		{"a target prefix", inbox.AuditQuery{Target: "agent:2*"}, []string{"lookalike", "reqreset", "2fafail"}},
		{"a source address", inbox.AuditQuery{SourceIP: "192.0.2.1"}, []string{"enrolled", "signin"}},
		{"a time range: from inclusive, to exclusive",
			inbox.AuditQuery{From: base.Add(time.Hour), To: base.Add(3 * time.Hour)}, []string{"2fafail", "enrolled", "failed"}},
		{"filters together", inbox.AuditQuery{Kind: "2fa.*", Actor: "bo@example.com", From: base}, []string{"2fafail"}},
	}
	for _, c := range cases {
		page, err := e.store.AuditLog(ctx, c.q)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		var got []int64
		for _, r := range page.Records {
			got = append(got, r.ID)
		}
		var want []int64
		for _, n := range c.want {
			want = append(want, ids[n])
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: ids %v, want %v (%v)", c.name, got, want, c.want)
		}
		if page.Next != "" {
			t.Errorf("%s: a next cursor on the only page", c.name)
		}
	}
	kinds, err := e.store.AuditKinds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{inbox.AuditTOTPEnrolled, inbox.AuditTOTPFailed, "password.resetXrequested", inbox.AuditResetRequested,
		inbox.AuditRuleChanged, inbox.AuditSignIn, inbox.AuditSignInFailed}
	slices.Sort(kinds) // the database's collation may order punctuation otherwise
	slices.Sort(want)
	if !slices.Equal(kinds, want) {
		t.Fatalf("kinds %v, want %v", kinds, want)
	}
	page, err := e.store.AuditLog(ctx, inbox.AuditQuery{Kind: inbox.AuditSignIn})
	if err != nil || len(page.Records) != 1 {
		t.Fatalf("sign-in: %v %v", page, err)
	}
	r := page.Records[0]
	if r.ActorID != 1 || r.Actor != "ana@example.com" || r.Target != "agent:1" || r.SourceIP != "192.0.2.1" || !r.At.Equal(base) {
		t.Fatalf("sign-in read back as %+v", r)
	}
}

// TestAuditLogPages walks the log two at a time, across equal timestamps, and checks every event
// comes exactly once, in order, with no cursor after the last page.
func TestAuditLogPages(t *testing.T) {
	ctx := context.Background()
	e := setup(t)
	ids := auditFixture(t, e)
	all, err := e.store.AuditLog(ctx, inbox.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var walked []int64
	q := inbox.AuditQuery{Limit: 2}
	for pages := 0; ; pages++ {
		if pages > len(ids) {
			t.Fatal("the pages do not end")
		}
		page, err := e.store.AuditLog(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Records) > 2 {
			t.Fatalf("page of %d, want at most 2", len(page.Records))
		}
		for _, r := range page.Records {
			walked = append(walked, r.ID)
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	var want []int64
	for _, r := range all.Records {
		want = append(want, r.ID)
	}
	if !slices.Equal(walked, want) || len(want) != len(ids) {
		t.Fatalf("walked %v, want %v", walked, want)
	}
}

// TestAuditLogBadQuery refuses a malformed cursor, a page too large and an empty time range,
// each as a validation error.
func TestAuditLogBadQuery(t *testing.T) {
	ctx := context.Background()
	e := setup(t)
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	for _, q := range []inbox.AuditQuery{
		{Cursor: "not a cursor!"},
		{Cursor: "MTIz"}, // base64 of "123": no id
		{Limit: inbox.MaxAuditPage + 1},
		{Limit: -1},
		{From: now, To: now},
		{From: now, To: now.Add(-time.Hour)},
	} {
		if _, err := e.store.AuditLog(ctx, q); !errors.Is(err, inbox.ErrInvalid) {
			t.Errorf("%+v: err %v, want ErrInvalid", q, err)
		}
	}
}
