package workflow

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
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
func officeHours(t *testing.T) Calendar {
	t.Helper()
	var c Calendar
	if err := json.Unmarshal([]byte(`{"zone": "America/New_York", "week": {"mon": ["09:00-17:00"], "tue": ["09:00-17:00"],
		"wed": ["09:00-17:00"], "thu": ["09:00-17:00"], "fri": ["09:00-17:00"]}}`), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPlanClocks(t *testing.T) {
	type change struct {
		to inbox.Status
		at string
	}
	tests := []struct {
		name         string
		pausePending bool
		status       inbox.Status
		created      string
		firstReply   string
		resolved     string
		lastReply    string
		waiting      string
		history      []change
		want         map[Target]string // state and due, "running Mon 13:00"
	}{
		{name: "new conversation; used up at closing time", status: inbox.StatusNew, created: "Mon 09:00",
			want: map[Target]string{TargetFirstResponse: "running Mon 13:00", TargetResolution: "running Mon 17:00"}},
		{name: "arrives at night, counts from the opening", status: inbox.StatusNew, created: "Mon 20:00",
			want: map[Target]string{TargetFirstResponse: "running Tue 13:00", TargetResolution: "running Tue 17:00"}},
		{name: "arrives on friday afternoon", status: inbox.StatusOpen, created: "Fri 15:00",
			want: map[Target]string{TargetFirstResponse: "running Mon 11:00"}},
		{name: "first reply meets the target", status: inbox.StatusOpen, created: "Mon 09:00", firstReply: "Mon 10:00",
			lastReply: "Mon 10:00",
			want:      map[Target]string{TargetFirstResponse: "met Mon 10:00", TargetResolution: "running Mon 17:00"}},
		{name: "pending pauses every clock", pausePending: true, status: inbox.StatusPending, created: "Mon 09:00",
			history: []change{{inbox.StatusPending, "Mon 10:00"}},
			want:    map[Target]string{TargetFirstResponse: "paused", TargetResolution: "paused"}},
		{name: "pending does not pause without the flag", status: inbox.StatusPending, created: "Mon 09:00",
			history: []change{{inbox.StatusPending, "Mon 10:00"}},
			want:    map[Target]string{TargetFirstResponse: "running Mon 13:00", TargetResolution: "running Mon 17:00"}},
		{name: "a pending stretch pushes the due instant", pausePending: true, status: inbox.StatusOpen, created: "Mon 09:00",
			history: []change{{inbox.StatusPending, "Mon 10:00"}, {inbox.StatusOpen, "Mon 12:00"}},
			want:    map[Target]string{TargetFirstResponse: "running Mon 15:00", TargetResolution: "running Tue 11:00"}},
		{name: "pending overnight counts only open hours", pausePending: true, status: inbox.StatusOpen, created: "Mon 09:00",
			history: []change{{inbox.StatusPending, "Mon 16:00"}, {inbox.StatusOpen, "Tue 10:00"}},
			want:    map[Target]string{TargetFirstResponse: "running Mon 13:00", TargetResolution: "running Tue 11:00"}},
		{name: "customer writes after a reply: next response runs", status: inbox.StatusOpen, created: "Mon 09:00",
			firstReply: "Mon 09:30", lastReply: "Mon 09:30", waiting: "Mon 16:30",
			want: map[Target]string{TargetFirstResponse: "met Mon 09:30", TargetNextResponse: "running Tue 09:30",
				TargetResolution: "running Mon 17:00"}},
		{name: "resolved unanswered stops the response clock", status: inbox.StatusResolved, created: "Mon 09:00",
			resolved: "Mon 11:00", history: []change{{inbox.StatusResolved, "Mon 11:00"}},
			want: map[Target]string{TargetFirstResponse: "stopped", TargetResolution: "met Mon 11:00"}},
		{name: "reopened: the resolved stretch does not count", status: inbox.StatusOpen, created: "Mon 09:00",
			firstReply: "Mon 09:10", lastReply: "Mon 09:10",
			history: []change{{inbox.StatusResolved, "Mon 11:00"}, {inbox.StatusOpen, "Tue 11:00"}},
			want:    map[Target]string{TargetFirstResponse: "met Mon 09:10", TargetResolution: "running Tue 17:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Policy{ID: 7, FirstResponse: 4 * time.Hour, NextResponse: time.Hour, Resolution: 8 * time.Hour,
				Calendar: officeHours(t), PausePending: tt.pausePending, WarnAt: 0.5}
			f := convFacts{status: tt.status, createdAt: planTime(t, tt.created), firstResponseAt: planTime(t, tt.firstReply),
				resolvedAt: planTime(t, tt.resolved), lastReplyAt: planTime(t, tt.lastReply), waitingSince: planTime(t, tt.waiting)}
			var h []statusChange
			for _, c := range tt.history {
				h = append(h, statusChange{to: c.to, at: planTime(t, c.at)})
			}
			f.pauses = pausesFrom(h)
			plans, err := planClocks(p, f)
			if err != nil {
				t.Fatal(err)
			}
			got := map[Target]string{}
			for _, pl := range plans {
				s := pl.state
				switch pl.state {
				case clockRunning:
					s += " " + pl.due.In(planTime(t, "Mon 09:00").Location()).Format("Mon 15:04")
				case clockMet:
					s += " " + pl.metAt.In(planTime(t, "Mon 09:00").Location()).Format("Mon 15:04")
				}
				got[pl.target] = s
			}
			for target, want := range tt.want {
				if got[target] != want {
					t.Errorf("%s = %q, want %q", target, got[target], want)
				}
			}
			for target, g := range got {
				if _, ok := tt.want[target]; !ok && target != TargetResolution {
					t.Errorf("unexpected %s clock %q", target, g)
				}
			}
		})
	}
}

func TestPlanClocksWarning(t *testing.T) {
	p := Policy{FirstResponse: 4 * time.Hour, Calendar: officeHours(t), WarnAt: 0.75}
	plans, err := planClocks(p, convFacts{status: inbox.StatusNew, createdAt: planTime(t, "Mon 15:00")})
	if err != nil {
		t.Fatal(err)
	}
	// 3 of 4 business hours: two on Monday, one on Tuesday.
	if len(plans) != 1 || !plans[0].warn.Equal(planTime(t, "Tue 10:00")) || !plans[0].due.Equal(planTime(t, "Tue 11:00")) {
		t.Fatalf("plan = %+v, want warning Tue 10:00 and due Tue 11:00", plans)
	}
}

func TestPausesFrom(t *testing.T) {
	m := func(h int) time.Time { return slaEpoch.Add(time.Duration(h) * time.Hour) }
	got := pausesFrom([]statusChange{{inbox.StatusOpen, m(0)}, {inbox.StatusPending, m(1)}, {inbox.StatusOpen, m(2)},
		{inbox.StatusResolved, m(3)}, {inbox.StatusClosed, m(4)}})
	want := []statusPause{{Pause{m(1), m(2)}, pauseForPending}, {Pause{Start: m(3)}, pauseForResolved}}
	if !samePauses(got, want) {
		t.Fatalf("pauses = %+v, want %+v", got, want)
	}
}

func TestParseHours(t *testing.T) {
	w, err := ParseHours([]string{"mon-fri 09:00-12:00,13:00-17:00", "sat 10:00-14:00", "sun-mon 06:00-08:00"})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(w[time.Monday]); got != 3 || w[time.Monday][0].String() != "06:00-08:00" {
		t.Fatalf("monday = %v, want three shifts starting 06:00", w[time.Monday])
	}
	if len(w[time.Saturday]) != 1 || len(w[time.Sunday]) != 1 || len(w[time.Tuesday]) != 2 {
		t.Fatalf("week = %v", w)
	}
	for _, bad := range []string{"weekdays 09:00-17:00", "mon-fri", "mon 9-5"} {
		if _, err := ParseHours([]string{bad}); err == nil {
			t.Errorf("ParseHours(%q) accepted", bad)
		}
	}
}
