package sla

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"
)

// ErrInvalidCalendar is wrapped by the errors of Calendar.Validate, LoadZone, ParseDate,
// ParseShift and of decoding a calendar.
var ErrInvalidCalendar = errors.New("invalid calendar")

const (
	calDay     = 24 * time.Hour
	calDaySecs = 86400
	// calNever is an unlimited budget of business time.
	calNever = time.Duration(math.MaxInt64)
	// calMaxDay is a day number later than any instant a time.Time holds.
	calMaxDay = math.MaxInt64 / 8
)

// Calendar is a business-hours calendar: weekly shifts in a time zone, minus whole-day
// holidays. It is plain data, stored as JSON, for example
//
//	{"zone": "Europe/Berlin",
//	 "week": {"mon": ["09:00-12:00", "13:00-17:30"], "tue": ["09:00-17:30"]},
//	 "holidays": ["2026-12-25"]}
//
// The calendar is open whenever the zone's wall clock shows a time inside one of that
// weekday's shifts, on a date that is not a holiday. Business time is real time elapsed while
// open, so shifts keep their local hours across daylight-saving changes: a 09:00-17:00 shift
// lasts eight hours on the day clocks go forward, while a 01:00-04:00 shift lasts two hours
// that day (02:00-03:00 never shows on the wall) and four on the day clocks go back (the
// repeated hour is open twice). A Week without any shift means open around the clock (24x7),
// still closed on holidays: the zero Calendar is 24x7 in UTC.
//
// Validate a calendar before use. The methods never loop forever, even on an invalid
// calendar; on one that never opens, Add and NextOpen return the zero Time.
type Calendar struct {
	// Zone is the time zone the shifts and holidays are read in.
	Zone Zone `json:"zone,omitzero"`
	// Week holds the shifts of each weekday.
	Week Week `json:"week,omitzero"`
	// Holidays are dates on which the calendar stays closed all day.
	Holidays []Date `json:"holidays,omitempty"`
}

// UnmarshalJSON decodes a calendar. An unknown key is an error, so that a misspelt "zone"
// cannot silently mean UTC.
func (c *Calendar) UnmarshalJSON(b []byte) error {
	type plain Calendar // the same fields without this method
	var v plain
	if err := calDecodeStrict(b, &v); err != nil {
		return fmt.Errorf("sla: calendar: %w", err)
	}
	*c = Calendar(v)
	return nil
}

// calDecodeStrict decodes JSON into v, refusing keys v has no field for.
func calDecodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// Validate reports whether every shift lies within its day (00:00-24:00, whole minutes),
// is not empty, does not cross midnight and follows the previous shift of its day without
// overlapping it. The zone and the holidays are checked when they are parsed. A valid
// calendar always has open time. The error wraps ErrInvalidCalendar.
func (c Calendar) Validate() error {
	for wd, shifts := range c.Week {
		var prevEnd time.Duration
		for i, s := range shifts {
			var problem string
			switch {
			case s.Start < 0 || s.End > calDay || s.Start%time.Minute != 0 || s.End%time.Minute != 0:
				problem = "must lie within 00:00-24:00 in whole minutes"
			case s.End < s.Start:
				problem = "crosses midnight: end it at 24:00 and open the next day at 00:00"
			case s.End == s.Start:
				problem = "is empty"
			case i > 0 && s.Start < prevEnd:
				problem = "overlaps or comes before the shift listed ahead of it"
			}
			if problem != "" {
				return fmt.Errorf("sla: calendar: %w: %s shift %s %s",
					ErrInvalidCalendar, time.Weekday(wd), s, problem)
			}
			prevEnd = s.End
		}
	}
	return nil
}

// Add returns the instant at which d of business time has elapsed after start: the earliest
// instant t with Between(start, t) == d. A start outside business hours waits for the next
// opening, and a target used up at closing time is due at closing time, not at the next
// opening. A d of zero or less returns start. The result is in start's location.
func (c Calendar) Add(start time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return start
	}
	p := c.plan()
	if p.weekly == 0 {
		return time.Time{}
	}
	loc := c.Zone.Location()
	for t := start; ; {
		off, end := calZoneAt(t, loc)
		lim := calPos{day: calMaxDay}
		if !end.IsZero() {
			lim = calPosOf(end, off)
		}
		stop, used := p.walk(calPosOf(t, off), lim, d)
		if used == d {
			return stop.instant(off).In(start.Location())
		}
		if end.IsZero() {
			return time.Time{} // unreachable while weekly > 0; never loop on a bug
		}
		d -= used
		t = end
	}
}

// Between returns the business time from a to b; it is negative when b is before a.
func (c Calendar) Between(a, b time.Time) time.Duration {
	if b.Before(a) {
		return -c.Between(b, a)
	}
	p := c.plan()
	loc := c.Zone.Location()
	var total time.Duration
	for t := a; t.Before(b); {
		off, end := calZoneAt(t, loc)
		if end.IsZero() || end.After(b) {
			end = b
		}
		_, used := p.walk(calPosOf(t, off), calPosOf(end, off), calNever)
		total += used
		t = end
	}
	return total
}

// IsOpen reports whether the calendar is open at t.
func (c Calendar) IsOpen(t time.Time) bool {
	p := c.plan()
	off, _ := calZoneAt(t, c.Zone.Location())
	pos := calPosOf(t, off)
	if p.isHoliday(pos.day) {
		return false
	}
	_, used, _ := p.span(calWeekday(pos.day), pos.tod, pos.tod+1, calNever)
	return used > 0
}

// NextOpen returns the earliest instant at or after t at which the calendar is open: t
// itself when it is open then.
func (c Calendar) NextOpen(t time.Time) time.Time {
	next := c.Add(t, time.Nanosecond)
	if next.IsZero() {
		return next
	}
	return next.Add(-time.Nanosecond)
}

// calPlan is what one computation needs from a calendar.
type calPlan struct {
	week     Week
	holidays []Date
	weekly   time.Duration // open time of a week without holidays
}

func (c Calendar) plan() calPlan {
	p := calPlan{week: c.Week, holidays: c.Holidays}
	always := true
	for _, shifts := range c.Week {
		always = always && len(shifts) == 0
	}
	if always {
		allDay := []Shift{{Start: 0, End: calDay}}
		for wd := range p.week {
			p.week[wd] = allDay
		}
	}
	for wd := range p.week {
		_, open, _ := p.span(time.Weekday(wd), 0, calDay, calNever)
		p.weekly += open
	}
	return p
}

// span walks weekday wd's shifts from time of day from to time of day to, using up at most
// budget of open time (budget > 0). It returns where it stopped, the open time used and
// whether the budget ran out; if it did, stop is the earliest time of day that uses it up.
func (p *calPlan) span(wd time.Weekday, from, to, budget time.Duration) (time.Duration, time.Duration, bool) {
	var used time.Duration
	cursor := from
	for _, s := range p.week[wd] {
		a, b := max(s.Start, cursor), min(s.End, to)
		if a >= b {
			continue
		}
		if budget-used <= b-a {
			return a + budget - used, budget, true
		}
		used += b - a
		cursor = b
	}
	return to, used, false
}

// walk moves from wall-clock position from towards lim, using up at most budget of open
// time. It returns where it stopped (lim unless the budget ran out first) and the open time
// used. Whole weeks without a holiday are skipped arithmetically.
func (p *calPlan) walk(from, lim calPos, budget time.Duration) (calPos, time.Duration) {
	if budget <= 0 || p.weekly == 0 {
		return from, 0
	}
	pos, used := from, time.Duration(0)
	for pos.before(lim) {
		if pos.tod == 0 {
			weeks := min((lim.day-pos.day)/7, (p.nextHoliday(pos.day)-pos.day)/7,
				int64((budget-used-1)/p.weekly))
			if weeks > 0 {
				pos.day += 7 * weeks
				used += time.Duration(weeks) * p.weekly
				continue
			}
		}
		to := calDay
		if pos.day == lim.day {
			to = lim.tod
		}
		if !p.isHoliday(pos.day) {
			stop, u, done := p.span(calWeekday(pos.day), pos.tod, to, budget-used)
			used += u
			if done {
				return calPos{day: pos.day, tod: stop}, used
			}
		}
		pos = calPos{day: pos.day + 1}
	}
	return lim, used
}

func (p *calPlan) isHoliday(day int64) bool {
	for _, h := range p.holidays {
		if h.n == day {
			return true
		}
	}
	return false
}

// nextHoliday returns the first holiday on or after day, or calMaxDay.
func (p *calPlan) nextHoliday(day int64) int64 {
	next := int64(calMaxDay)
	for _, h := range p.holidays {
		if h.n >= day && h.n < next {
			next = h.n
		}
	}
	return next
}

// calPos is a position on a zone's wall clock: a day number (days since 1970-01-01) and the
// time of day.
type calPos struct {
	day int64
	tod time.Duration
}

func (a calPos) before(b calPos) bool {
	return a.day < b.day || a.day == b.day && a.tod < b.tod
}

// instant returns the instant at which a clock at UTC offset off (seconds east) shows a.
func (a calPos) instant(off int) time.Time {
	return time.Unix(a.day*calDaySecs-int64(off), int64(a.tod))
}

// calPosOf returns what a clock at UTC offset off (seconds east) shows at t.
func calPosOf(t time.Time, off int) calPos {
	secs := t.Unix() + int64(off)
	day := secs / calDaySecs
	if secs%calDaySecs < 0 {
		day--
	}
	tod := time.Duration(secs-day*calDaySecs)*time.Second + time.Duration(t.Nanosecond())
	return calPos{day: day, tod: tod}
}

// calZoneAt returns the UTC offset of loc at t and the end of the period during which that
// offset holds (zero if it holds forever). Between two changes the wall clock runs evenly.
func calZoneAt(t time.Time, loc *time.Location) (int, time.Time) {
	t = t.In(loc)
	_, off := t.Zone()
	_, end := t.ZoneBounds()
	return off, end
}

func calWeekday(day int64) time.Weekday {
	return time.Weekday(((day+4)%7 + 7) % 7) // 1970-01-01 was a Thursday
}
