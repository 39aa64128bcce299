package sla_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/parleyhq/parley/sla"
)

// planTime reads "Mon 09:00"-style instants in the week of 2031-03-03 (a Monday), New York time.
func planTime(t *testing.T, s string) time.Time {
	t.Helper()
	if s == "" {
		return time.Time{}
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("Mon 15:04", s, ny)
	if err != nil {
		t.Fatalf("planTime %q: %v", s, err)
	}
	day := slices.Index([]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}, s[:3])
	return time.Date(2031, 3, 3+day, v.Hour(), v.Minute(), 0, 0, ny)
}

// officeHours is 09:00-17:00 on weekdays in New York.
func officeHours(t *testing.T) sla.Calendar {
	t.Helper()
	var c sla.Calendar
	if err := json.Unmarshal([]byte(`{"zone": "America/New_York", "week": {"mon": ["09:00-17:00"], "tue": ["09:00-17:00"],
		"wed": ["09:00-17:00"], "thu": ["09:00-17:00"], "fri": ["09:00-17:00"]}}`), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// change is a status history entry of a test table: the reason the clocks stop from at on
// ("" when they run again).
type change struct {
	reason sla.PauseReason
	at     string
}

func planHistory(t *testing.T, history []change) []sla.StatusChange {
	t.Helper()
	var h []sla.StatusChange
	for _, c := range history {
		h = append(h, sla.StatusChange{Reason: c.reason, At: planTime(t, c.at)})
	}
	return h
}

func TestPlanClocks(t *testing.T) {
	const pending, resolved = sla.PendingPause, sla.ResolvedPause
	tests := []struct {
		name         string
		pausePending bool
		resolved     bool
		created      string
		firstReply   string
		resolvedAt   string
		closedAt     string
		lastReply    string
		waiting      string
		cycleStart   string
		cycleReply   string
		history      []change
		want         map[sla.Target]string // state and due, "running Mon 13:00"
	}{
		{name: "new conversation; used up at closing time", created: "Mon 09:00",
			want: map[sla.Target]string{sla.FirstResponse: "running Mon 13:00", sla.Resolution: "running Mon 17:00"}},
		{name: "arrives at night, counts from the opening", created: "Mon 20:00",
			want: map[sla.Target]string{sla.FirstResponse: "running Tue 13:00", sla.Resolution: "running Tue 17:00"}},
		{name: "arrives on friday afternoon", created: "Fri 15:00",
			want: map[sla.Target]string{sla.FirstResponse: "running Mon 11:00"}},
		{name: "first reply meets the target", created: "Mon 09:00", firstReply: "Mon 10:00", lastReply: "Mon 10:00",
			want: map[sla.Target]string{sla.FirstResponse: "met Mon 10:00", sla.Resolution: "running Mon 17:00"}},
		{name: "pending pauses every clock", pausePending: true, created: "Mon 09:00",
			history: []change{{pending, "Mon 10:00"}},
			want:    map[sla.Target]string{sla.FirstResponse: "paused", sla.Resolution: "paused"}},
		{name: "pending does not pause without the flag", created: "Mon 09:00",
			history: []change{{pending, "Mon 10:00"}},
			want:    map[sla.Target]string{sla.FirstResponse: "running Mon 13:00", sla.Resolution: "running Mon 17:00"}},
		{name: "a pending stretch pushes the due instant", pausePending: true, created: "Mon 09:00",
			history: []change{{pending, "Mon 10:00"}, {"", "Mon 12:00"}},
			want:    map[sla.Target]string{sla.FirstResponse: "running Mon 15:00", sla.Resolution: "running Tue 11:00"}},
		{name: "pending overnight counts only open hours", pausePending: true, created: "Mon 09:00",
			history: []change{{pending, "Mon 16:00"}, {"", "Tue 10:00"}},
			want:    map[sla.Target]string{sla.FirstResponse: "running Mon 13:00", sla.Resolution: "running Tue 11:00"}},
		{name: "customer writes after a reply: next response runs", created: "Mon 09:00",
			firstReply: "Mon 09:30", lastReply: "Mon 09:30", waiting: "Mon 16:30",
			want: map[sla.Target]string{sla.FirstResponse: "met Mon 09:30", sla.NextResponse: "running Tue 09:30",
				sla.Resolution: "running Mon 17:00"}},
		{name: "a reply ends the stored next-response cycle", created: "Mon 09:00",
			firstReply: "Mon 09:30", lastReply: "Tue 10:00", cycleStart: "Mon 16:30", cycleReply: "Tue 10:00",
			want: map[sla.Target]string{sla.FirstResponse: "met Mon 09:30", sla.NextResponse: "met Tue 10:00",
				sla.Resolution: "running Mon 17:00"}},
		{name: "a cycle without its reply sets no next-response clock", created: "Mon 09:00",
			firstReply: "Mon 09:30", lastReply: "Mon 09:30", cycleStart: "Mon 16:30",
			want: map[sla.Target]string{sla.FirstResponse: "met Mon 09:30", sla.Resolution: "running Mon 17:00"}},
		{name: "resolved unanswered stops the response clock", resolved: true, created: "Mon 09:00",
			resolvedAt: "Mon 11:00", history: []change{{resolved, "Mon 11:00"}},
			want: map[sla.Target]string{sla.FirstResponse: "stopped", sla.Resolution: "met Mon 11:00"}},
		{name: "closed straight from open: resolution met at closing", resolved: true, created: "Mon 09:00",
			closedAt: "Mon 12:00", history: []change{{resolved, "Mon 12:00"}},
			want: map[sla.Target]string{sla.FirstResponse: "stopped", sla.Resolution: "met Mon 12:00"}},
		{name: "reopened: the resolved stretch does not count", created: "Mon 09:00",
			firstReply: "Mon 09:10", lastReply: "Mon 09:10",
			history: []change{{resolved, "Mon 11:00"}, {"", "Tue 11:00"}},
			want:    map[sla.Target]string{sla.FirstResponse: "met Mon 09:10", sla.Resolution: "running Tue 17:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := sla.Terms{FirstResponse: 4 * time.Hour, NextResponse: time.Hour, Resolution: 8 * time.Hour,
				Calendar: officeHours(t), PausePending: tt.pausePending, WarnAt: 0.5}
			f := sla.Facts{Resolved: tt.resolved, CreatedAt: planTime(t, tt.created),
				FirstResponseAt: planTime(t, tt.firstReply), ResolvedAt: planTime(t, tt.resolvedAt),
				ClosedAt: planTime(t, tt.closedAt), LastReplyAt: planTime(t, tt.lastReply),
				WaitingSince: planTime(t, tt.waiting), CycleStart: planTime(t, tt.cycleStart),
				CycleReplyAt: planTime(t, tt.cycleReply), Pauses: sla.PausesFrom(planHistory(t, tt.history))}
			plans, err := sla.PlanClocks(m, f)
			if err != nil {
				t.Fatal(err)
			}
			loc := planTime(t, "Mon 09:00").Location()
			got := map[sla.Target]string{}
			for _, pl := range plans {
				s := string(pl.State)
				switch pl.State {
				case sla.Running:
					s += " " + pl.Due.In(loc).Format("Mon 15:04")
				case sla.Met:
					s += " " + pl.MetAt.In(loc).Format("Mon 15:04")
				}
				got[pl.Target] = s
			}
			for target, want := range tt.want {
				if got[target] != want {
					t.Errorf("%s = %q, want %q", target, got[target], want)
				}
			}
			for target, g := range got {
				if _, ok := tt.want[target]; !ok && target != sla.Resolution {
					t.Errorf("unexpected %s clock %q", target, g)
				}
			}
		})
	}
}

func TestPlanClocksWarning(t *testing.T) {
	m := sla.Terms{FirstResponse: 4 * time.Hour, Calendar: officeHours(t), WarnAt: 0.75}
	plans, err := sla.PlanClocks(m, sla.Facts{CreatedAt: planTime(t, "Mon 15:00")})
	if err != nil {
		t.Fatal(err)
	}
	// 3 of 4 business hours: two on Monday, one on Tuesday.
	if len(plans) != 1 || !plans[0].Warn.Equal(planTime(t, "Tue 10:00")) || !plans[0].Due.Equal(planTime(t, "Tue 11:00")) {
		t.Fatalf("plan = %+v, want warning Tue 10:00 and due Tue 11:00", plans)
	}
}

func TestPlanClocksTruncatesToMicroseconds(t *testing.T) {
	start := time.Date(2031, 3, 3, 9, 0, 0, 123456789, time.UTC)
	plans, err := sla.PlanClocks(sla.Terms{FirstResponse: time.Hour, WarnAt: 0.5}, sla.Facts{CreatedAt: start})
	if err != nil {
		t.Fatal(err)
	}
	wantDue, wantWarn := start.Add(time.Hour).Truncate(time.Microsecond), start.Add(30*time.Minute).Truncate(time.Microsecond)
	if len(plans) != 1 || !plans[0].Due.Equal(wantDue) || !plans[0].Warn.Equal(wantWarn) {
		t.Fatalf("plan = %+v, want due %s and warning %s", plans, wantDue, wantWarn)
	}
}

func TestPlanClocksRejects(t *testing.T) {
	bad := sla.Calendar{Week: sla.Week{time.Monday: {{Start: 17 * time.Hour, End: 9 * time.Hour}}}}
	tests := []struct {
		name  string
		terms sla.Terms
	}{
		{"invalid calendar", sla.Terms{FirstResponse: time.Hour, WarnAt: 0.8, Calendar: bad}},
		{"no warning share", sla.Terms{FirstResponse: time.Hour}},
		{"warning share above one", sla.Terms{FirstResponse: time.Hour, WarnAt: 1.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sla.PlanClocks(tt.terms, sla.Facts{CreatedAt: planTime(t, "Mon 09:00")})
			if !errors.Is(err, sla.ErrInvalidClock) {
				t.Fatalf("PlanClocks error = %v, want ErrInvalidClock", err)
			}
		})
	}
}

func TestTermsAllowed(t *testing.T) {
	m := sla.Terms{FirstResponse: time.Hour, NextResponse: 2 * time.Hour, Resolution: 3 * time.Hour}
	tests := []struct {
		target sla.Target
		want   time.Duration
	}{
		{sla.FirstResponse, time.Hour},
		{sla.NextResponse, 2 * time.Hour},
		{sla.Resolution, 3 * time.Hour},
		{"unknown", 0},
	}
	for _, tt := range tests {
		if got := m.Allowed(tt.target); got != tt.want {
			t.Errorf("Allowed(%s) = %s, want %s", tt.target, got, tt.want)
		}
	}
}

func TestPausesFrom(t *testing.T) {
	const pending, resolved = sla.PendingPause, sla.ResolvedPause
	type want struct {
		reason     sla.PauseReason
		start, end string // end "": open-ended
	}
	tests := []struct {
		name    string
		history []change
		want    []want
	}{
		{"no history", nil, nil},
		{"open only", []change{{"", "Mon 09:00"}, {"", "Mon 10:00"}}, nil},
		{"pending then open", []change{{"", "Mon 09:00"}, {pending, "Mon 10:00"}, {"", "Mon 11:00"}},
			[]want{{pending, "Mon 10:00", "Mon 11:00"}}},
		{"resolved then closed is one open-ended stretch",
			[]change{{"", "Mon 09:00"}, {pending, "Mon 10:00"}, {"", "Mon 11:00"}, {resolved, "Mon 12:00"}, {resolved, "Mon 13:00"}},
			[]want{{pending, "Mon 10:00", "Mon 11:00"}, {resolved, "Mon 12:00", ""}}},
		{"pending straight to resolved", []change{{pending, "Mon 10:00"}, {resolved, "Mon 11:00"}},
			[]want{{pending, "Mon 10:00", "Mon 11:00"}, {resolved, "Mon 11:00", ""}}},
		{"reopened after resolving", []change{{resolved, "Mon 10:00"}, {"", "Tue 10:00"}},
			[]want{{resolved, "Mon 10:00", "Tue 10:00"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sla.PausesFrom(planHistory(t, tt.history))
			var exp []sla.StatusPause
			for _, w := range tt.want {
				exp = append(exp, sla.StatusPause{Pause: sla.Pause{Start: planTime(t, w.start), End: planTime(t, w.end)},
					Reason: w.reason})
			}
			same := slices.EqualFunc(got, exp, func(a, b sla.StatusPause) bool {
				return a.Reason == b.Reason && a.Start.Equal(b.Start) && a.End.Equal(b.End)
			})
			if !same {
				t.Fatalf("PausesFrom = %+v, want %+v", got, exp)
			}
		})
	}
}
