// Package sla is the time arithmetic of service-level targets: pure functions of plain data
// that need no database and never read the wall clock (every instant is passed in).
//
// A Calendar says when a team is open: weekly shifts (a Week, which ParseHours reads from
// "mon-fri 09:00-17:00") in the team's own Zone, minus holiday Dates. It measures business
// time across weekends, holidays and daylight-saving changes (Add, Between, IsOpen,
// NextOpen). Calendars are stored as JSON; decoding refuses unknown keys.
//
// A Clock applies a Calendar to one Target of one conversation (FirstResponse, NextResponse
// or Resolution): it runs from its start while the calendar is open, stands still during
// Pauses, and yields the due instant, the warning instant, and the time elapsed and
// remaining at any instant (a Status).
//
// PlanClocks puts both together for a whole conversation: from the Terms of the policy that
// covers it (targets, calendar, whether pending pauses the clocks, the warning share) and
// the Facts of the conversation (its start, replies, resolution and status history, turned
// into pauses by PausesFrom), it says what each target's clock should be now: Running with
// its due and warning instants, Paused, Met or Stopped. Package workflow stores the plans,
// schedules the jobs that fire at those instants and records breaches.
package sla
