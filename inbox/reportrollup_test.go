package inbox_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// rollupWorld is ten days of random work over two teams, three agents, a supervisor and a
// category tree, for comparing the rollup-based reports with the same reports read wholly from
// the base tables.
type rollupWorld struct {
	e                        *env
	ana, bob, cy, sue, admin int64
	teamA, teamB             int64
	delivery, damaged, bill  int64
	start                    time.Time
	convs                    []int64
	phones                   map[int64]string
	rnd                      *rand.Rand
	n                        int
}

func newRollupWorld(t *testing.T, seed uint64) *rollupWorld {
	t.Helper()
	e := setup(t)
	w := &rollupWorld{e: e, start: e.now, phones: map[int64]string{}, rnd: rand.New(rand.NewPCG(seed, 7))}
	w.ana = addAgent(t, e, "ana", inbox.RoleAgent, 50, "available")
	w.bob = addAgent(t, e, "bob", inbox.RoleAgent, 50, "available")
	w.cy = addAgent(t, e, "cy", inbox.RoleAgent, 50, "available")
	w.sue = addAgent(t, e, "sue", inbox.RoleSupervisor, 50, "available")
	w.admin = addAgent(t, e, "root", inbox.RoleAdmin, 50, "available")
	w.teamA = addTeam(t, e, "A", "ana", "cy", "sue")
	w.teamB = addTeam(t, e, "B", "bob")
	cat := func(parent int64, name string, complaint bool) int64 {
		var c inbox.Category
		inTx(t, e, func(ctx context.Context, tx pgx.Tx) error {
			var err error
			c, err = e.store.SaveCategoryTx(ctx, tx, inbox.CategoryInput{ParentID: parent, Name: name, Complaint: complaint})
			return err
		})
		return c.ID
	}
	w.delivery = cat(0, "Parcels", true)
	w.damaged = cat(w.delivery, "Broken", true)
	w.bill = cat(0, "Payments", false)
	return w
}

// step does one random thing at a random later instant: a new customer, a returning one (whose
// message may reopen a resolved conversation), an assignment, a reply, a resolution, a closing,
// a move to the other team or to no team, a change of category. Refusals (a complaint resolved
// without its code, a reply to a closed conversation) are part of the game and change nothing.
func (w *rollupWorld) step(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	w.e.now = w.e.now.Add(time.Duration(1+w.rnd.IntN(180)) * time.Minute)
	agents := []int64{w.ana, w.bob, w.cy}
	pick := func() int64 { return w.convs[w.rnd.IntN(len(w.convs))] }
	switch k := w.rnd.IntN(10); {
	case k < 3 || len(w.convs) == 0:
		w.n++
		phone := fmt.Sprintf("+1555020%04d", w.n)
		if len(w.convs) > 0 && w.rnd.IntN(3) == 0 {
			phone = w.phones[pick()] // a customer who wrote before
		}
		res := w.e.ingest(t, inbox.Inbound{Channel: []inbox.Channel{inbox.ChannelSMS, inbox.ChannelEmail, inbox.ChannelChat}[w.rnd.IntN(3)],
			ExternalID: fmt.Sprint("RU", w.n), From: phoneFrom(phone), Text: "hello"})
		if w.phones[res.ConversationID] == "" {
			w.convs = append(w.convs, res.ConversationID)
			w.phones[res.ConversationID] = phone
			if w.rnd.IntN(4) > 0 {
				queued(t, w.e, res.ConversationID, []int64{w.teamA, w.teamB}[w.rnd.IntN(2)])
			}
		}
	case k < 4:
		a := agents[w.rnd.IntN(3)]
		_, _ = w.e.store.Assign(ctx, pick(), a, inbox.Actor{AgentID: a})
	case k < 6:
		c := pick()
		conv, err := w.e.store.GetConversation(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		a := agents[w.rnd.IntN(3)]
		if conv.AssigneeID != nil && w.rnd.IntN(4) > 0 {
			a = *conv.AssigneeID
		}
		_, _ = w.e.store.Send(ctx, inbox.Reply{ConversationID: c, Author: inbox.Actor{AgentID: a}, Text: "on it"})
	case k < 8:
		a := agents[w.rnd.IntN(3)]
		by := inbox.Actor{AgentID: a}
		if w.rnd.IntN(5) == 0 {
			by = inbox.Actor{} // the system's auto-resolve
		}
		status := inbox.StatusResolved
		if w.rnd.IntN(6) == 0 {
			status = inbox.StatusClosed
		}
		_, _ = w.e.store.SetStatus(ctx, pick(), status, by)
	case k < 9:
		team := []int64{w.teamA, w.teamB, 0}[w.rnd.IntN(3)]
		c := pick()
		_ = w.e.store.InTx(ctx, func(tx pgx.Tx) error { return w.e.store.SetTeamTx(ctx, tx, c, team, inbox.Actor{}) })
	default:
		id := []int64{w.delivery, w.damaged, w.bill, 0}[w.rnd.IntN(4)]
		_, _ = w.e.store.Categorize(ctx, pick(), inbox.CategoryChange{CategoryID: &id}, inbox.Actor{AgentID: w.ana})
	}
}

// build runs the rollup job as the periodic job would, until it has nothing left.
func (w *rollupWorld) build(t *testing.T) {
	t.Helper()
	for {
		_, more, err := w.e.store.BuildReportDays(context.Background(), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if !more {
			return
		}
	}
}

// compare checks every report of several periods, filters and viewers against the same report
// read without rollups: counts equal, medians and 90th percentiles within a bucket's precision.
func (w *rollupWorld) compare(t *testing.T, when string) {
	t.Helper()
	ctx := context.Background()
	day := time.Date(w.start.Year(), w.start.Month(), w.start.Day(), 0, 0, 0, 0, time.UTC)
	periods := [][2]time.Time{
		{day, day.Add(12 * 24 * time.Hour)},
		{w.e.now.Add(-7 * 24 * time.Hour), w.e.now},
		{day.Add(36 * time.Hour), day.Add(4 * 24 * time.Hour)},
	}
	filters := []inbox.ReportFilter{{}, {TeamID: w.teamA}, {TeamID: w.teamB}, {Channel: inbox.ChannelSMS},
		{AgentID: w.ana}, {CategoryID: w.delivery}, {CategoryID: w.bill, Channel: inbox.ChannelEmail},
		{TeamID: w.teamA, AgentID: w.cy}}
	viewers := map[string]inbox.Agent{"admin": {ID: w.admin, Role: inbox.RoleAdmin},
		"supervisor": {ID: w.sue, Role: inbox.RoleSupervisor}, "agent bob": {ID: w.bob, Role: inbox.RoleAgent}}
	for name, who := range viewers {
		v, err := w.e.store.ReportViewerOf(ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		// The longest wait, against a walk of every waiting conversation.
		l, err := w.e.store.As(v).Live(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var a inbox.ReportArgs
		var want int64
		err = w.e.pool.QueryRow(ctx, `SELECT c.id FROM conversations c WHERE c.waiting_since IS NOT NULL
			AND c.status IN ('new', 'open', 'pending') AND `+v.Where("c", a.Arg)+` ORDER BY c.waiting_since, c.id LIMIT 1`, a.List...).Scan(&want)
		if err != nil && err != pgx.ErrNoRows {
			t.Fatal(err)
		}
		if got := l.Longest; got == nil && want != 0 || got != nil && got.ConversationID != want {
			t.Errorf("%s: %s: longest wait %+v, want conversation %d", when, name, got, want)
		}
		for _, p := range periods {
			for _, f := range filters {
				f.From, f.To = p[0], p[1]
				got, err := w.e.store.As(v).Report(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				want, err := w.e.store.As(v).LiveOnly().Report(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				label := fmt.Sprintf("%s: %s, %s to %s, %+v", when, name, f.From.Format(time.DateTime), f.To.Format(time.DateTime),
					inbox.ReportFilter{TeamID: f.TeamID, Channel: f.Channel, AgentID: f.AgentID, CategoryID: f.CategoryID})
				sameReport(t, label, got, want)
				gotO, err := w.e.store.As(v).Outcomes(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				wantO, err := w.e.store.As(v).LiveOnly().Outcomes(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if gotO != wantO {
					t.Errorf("%s: outcomes %+v, want %+v", label, gotO, wantO)
				}
				// Each day's backlog, against a plain count of the conversations open at its end.
				for _, d := range got.Backlog {
					end := d.Day.Add(24 * time.Hour)
					if end.After(w.e.now) {
						end = w.e.now.Add(time.Hour) // today: now
					}
					var a inbox.ReportArgs
					var want int64
					if err := w.e.pool.QueryRow(ctx, `SELECT count(*) FROM conversations c WHERE c.created_at < `+a.Arg(end)+`
						AND NOT (c.status IN ('resolved', 'closed') AND coalesce(c.resolved_at, c.closed_at) < `+a.Arg(end)+`)
						AND `+f.Narrow(v, "c", &a), a.List...).Scan(&want); err != nil {
						t.Fatal(err)
					}
					if d.Open != want {
						t.Errorf("%s: backlog on %s %d, want %d", label, d.Day.Format(time.DateOnly), d.Open, want)
					}
				}
				// Open now, against a plain count of the conversations.
				open, unassigned, err := w.e.store.As(v).OpenNow(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				var a inbox.ReportArgs
				var wantOpen, wantUnassigned int64
				if err := w.e.pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE c.assignee_id IS NULL) FROM conversations c
					WHERE c.status IN ('new', 'open', 'pending') AND `+f.Narrow(v, "c", &a), a.List...).Scan(&wantOpen, &wantUnassigned); err != nil {
					t.Fatal(err)
				}
				if open != wantOpen || unassigned != wantUnassigned {
					t.Errorf("%s: open now %d, unassigned %d; want %d, %d", label, open, unassigned, wantOpen, wantUnassigned)
				}
			}
		}
	}
}

func sameReport(t *testing.T, label string, got, want inbox.Report) {
	t.Helper()
	if fmt.Sprint(got.Channels, got.Categories) != fmt.Sprint(want.Channels, want.Categories) {
		t.Errorf("%s: channels and categories %v %v, want %v %v", label, got.Channels, got.Categories, want.Channels, want.Categories)
	}
	if fmt.Sprint(got.Daily) != fmt.Sprint(want.Daily) {
		t.Errorf("%s: daily %v, want %v", label, got.Daily, want.Daily)
	}
	if got.FirstContact != want.FirstContact || got.Repeat != want.Repeat {
		t.Errorf("%s: first contact %+v repeat %+v, want %+v %+v", label, got.FirstContact, got.Repeat, want.FirstContact, want.Repeat)
	}
	if fmt.Sprint(got.Backlog) != fmt.Sprint(want.Backlog) {
		t.Errorf("%s: backlog %v, want %v", label, got.Backlog, want.Backlog)
	}
	sameSpread(t, label+": first response", got.FirstResponse, want.FirstResponse)
	sameSpread(t, label+": resolution", got.Resolution, want.Resolution)
	if len(got.Agents) != len(want.Agents) {
		t.Fatalf("%s: agents %+v, want %+v", label, got.Agents, want.Agents)
	}
	for i, g := range got.Agents {
		x := want.Agents[i]
		if g.AgentID != x.AgentID || g.Name != x.Name || g.Assigned != x.Assigned || g.Resolved != x.Resolved || g.Replies != x.Replies {
			t.Errorf("%s: agent %+v, want %+v", label, g, x)
		}
		sameSpread(t, label+": agent first response", g.FirstResponse, x.FirstResponse)
		sameSpread(t, label+": agent resolution", g.Resolution, x.Resolution)
		sameSpread(t, label+": agent handle", g.Handle, x.Handle)
	}
}

// sameSpread checks the counts equal and the percentiles within the rollup's precision: 2.2%
// of the duration, and a second of rounding.
func sameSpread(t *testing.T, label string, got, want inbox.Spread) {
	t.Helper()
	near := func(a, b time.Duration) bool {
		return math.Abs(float64(a-b)) <= 0.022*float64(b)+float64(time.Second)
	}
	if got.N != want.N || !near(got.Median, want.Median) || !near(got.P90, want.P90) {
		t.Errorf("%s: %+v, want %+v", label, got, want)
	}
}

// TestReportRollupsMatchTheBaseTables runs random work over ten days, with the rollup job run at
// random moments, and compares every report with the same report read without rollups: just
// after the job ran (days read from report_days), after more changes the job has not seen yet
// (the changed days read live) and once it has caught up again.
func TestReportRollupsMatchTheBaseTables(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			t.Parallel()
			w := newRollupWorld(t, seed)
			ctx := context.Background()
			end := w.start.Add(10 * 24 * time.Hour)
			for w.e.now.Before(end) {
				w.step(t)
				if w.rnd.IntN(60) == 0 {
					w.build(t)
				}
			}
			w.build(t)
			var built, news int
			if err := w.e.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM report_built), (SELECT count(*) FROM report_news)`).
				Scan(&built, &news); err != nil {
				t.Fatal(err)
			}
			if built < 10 || news != 0 {
				t.Fatalf("after the job: %d days built, %d news; want every past day built and no news", built, news)
			}
			w.compare(t, "job run")
			// Changes the job has not seen: reopenings, replies and moves of old conversations.
			for range 40 {
				w.step(t)
			}
			if err := w.e.pool.QueryRow(ctx, `SELECT count(DISTINCT day) FROM report_news`).Scan(&news); err != nil || news == 0 {
				t.Fatalf("no day marked changed (%v)", err)
			}
			w.compare(t, "job not run")
			w.build(t)
			w.compare(t, "job run again")
		})
	}
}

// TestReportBucketsHoldTheirDurations checks that report_bucket (SQL) and bucketSeconds (Go)
// agree: every duration's bucket stands for it within the documented precision.
func TestReportBucketsHoldTheirDurations(t *testing.T) {
	t.Parallel()
	e := setup(t)
	for _, secs := range []float64{0, 1, 5, 63, 64, 65, 100, 599, 3600, 86399, 7 * 86400, 400 * 86400} {
		var b int16
		if err := e.pool.QueryRow(context.Background(), `SELECT report_bucket($1)`, secs).Scan(&b); err != nil {
			t.Fatal(err)
		}
		got := inbox.BucketSeconds(b)
		if secs < 64 && got != math.Floor(secs) || secs >= 64 && math.Abs(got-secs) > 0.022*secs {
			t.Errorf("%v s falls in bucket %d, which stands for %v s", secs, b, got)
		}
	}
}
