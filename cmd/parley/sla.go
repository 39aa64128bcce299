package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/sla"
	"github.com/parleyhq/parley/workflow"
)

const slaAddSynopsis = `sla add --name N [--team N] [--priority P] [--tier T] --first-response D [--next-response D]
       [--resolution D] [--timezone Z --hours "mon-fri 09:00-17:00"]... [--holiday 2026-12-25]...
       [--pause-pending=true] [--warn-at 0.8] [--escalate-team N] [--escalate-after D]

Targets are business time: 15m, 8h, 2d (a day is 24 open hours). Without --hours the clocks
run around the clock; --hours may repeat ("mon-fri 09:00-12:00,13:00-17:00", "sat 10:00-14:00").
The most specific policy applies to a conversation: one for the customer's tier (the contact's,
else their company's) first, then team and priority, then team, then priority, then neither. A missed target alerts the assignee and the team; if it is still unmet
--escalate-after later, the priority goes up and the conversation goes to --escalate-team (or
to a supervisor).`

// slaCmd is `parley sla add|list`: the SLA policies.
func slaCmd(ctx context.Context, c *cli) error {
	sub, err := c.sub("sla", "add", "list")
	if err != nil {
		return err
	}
	if sub == "list" {
		return slaList(ctx, c)
	}
	fs := c.flags("sla add", slaAddSynopsis)
	name := fs.String("name", "", "the policy's name")
	team := fs.String("team", "", "the team it applies to (default: any)")
	priority := fs.String("priority", "", "the priority it applies to: low, normal, high or urgent (default: any)")
	tier := fs.String("tier", "", "the customer tier it applies to, such as gold (default: any)")
	var first, next, resolution, escalateAfter span
	escalateAfter = span(30 * time.Minute)
	fs.Var(&first, "first-response", "time to the first public reply (required)")
	fs.Var(&next, "next-response", "time to answer each later customer message")
	fs.Var(&resolution, "resolution", "time to resolution")
	zone := fs.String("timezone", "", "the IANA time zone of --hours and --holiday (default UTC)")
	var hours, holidays repeated
	fs.Var(&hours, "hours", `business hours, such as "mon-fri 09:00-17:00" (repeatable)`)
	fs.Var(&holidays, "holiday", "a closed day, 2026-12-25 (repeatable)")
	pausePending := fs.Bool("pause-pending", true, "stop the clocks while the conversation waits on the customer")
	warnAt := fs.Float64("warn-at", 0.8, "warn when this share of a target is used")
	escalateTeam := fs.String("escalate-team", "", "the team a still-unmet breach goes to (default: a supervisor)")
	fs.Var(&escalateAfter, "escalate-after", "business time after a breach before the second escalation level")
	if err := fs.Parse(c.args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("sla add: unexpected %q", fs.Arg(0))
	}
	cal, err := slaCalendar(*zone, hours, holidays)
	if err != nil {
		return fmt.Errorf("sla add: %w", err)
	}
	a, err := open(ctx, c)
	if err != nil {
		return err
	}
	defer a.close()
	n := workflow.NewPolicy{Name: *name, Priority: inbox.Priority(*priority), Tier: *tier, FirstResponse: time.Duration(first),
		NextResponse: time.Duration(next), Resolution: time.Duration(resolution), Calendar: cal,
		PausePending: pausePending, WarnAt: *warnAt, EscalateAfter: time.Duration(escalateAfter)}
	if n.TeamID, err = teamID(ctx, a, *team); err != nil {
		return fmt.Errorf("sla add: --team: %w", err)
	}
	if n.EscalateTeamID, err = teamID(ctx, a, *escalateTeam); err != nil {
		return fmt.Errorf("sla add: --escalate-team: %w", err)
	}
	p, err := workflow.NewSLA(a.pool, a.store).As(inbox.CLIActor()).CreatePolicy(ctx, n)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "sla policy %d: %s\n", p.ID, slaSummary(p))
	return nil
}

// slaList is `parley sla list`.
func slaList(ctx context.Context, c *cli) error {
	fs := c.flags("sla list", "sla list")
	a, err := openWith(ctx, c, fs)
	if err != nil {
		return err
	}
	defer a.close()
	ps, err := workflow.NewSLA(a.pool, a.store).Policies(ctx)
	if err != nil {
		return err
	}
	for _, p := range ps {
		fmt.Fprintf(c.stdout, "%d\t%s\n", p.ID, slaSummary(p))
	}
	return nil
}

// slaSummary describes a policy on one line.
func slaSummary(p workflow.Policy) string {
	scope := "any team"
	if p.TeamID != nil {
		scope = "team " + strconv.FormatInt(*p.TeamID, 10)
	}
	if p.Priority != "" {
		scope += ", " + string(p.Priority) + " priority"
	}
	if p.Tier != "" {
		scope += ", tier " + p.Tier
	}
	s := fmt.Sprintf("%s (%s): first response %s", p.Name, scope, p.FirstResponse)
	if p.NextResponse > 0 {
		s += fmt.Sprintf(", next response %s", p.NextResponse)
	}
	if p.Resolution > 0 {
		s += fmt.Sprintf(", resolution %s", p.Resolution)
	}
	return s
}

// teamID looks a team up by name; "" is 0.
func teamID(ctx context.Context, a *app, name string) (int64, error) {
	if name == "" {
		return 0, nil
	}
	t, err := a.store.TeamByName(ctx, name)
	if err != nil {
		return 0, err
	}
	return t.ID, nil
}

// slaCalendar builds a business-hours calendar from the flags.
func slaCalendar(zone string, hours, holidays []string) (sla.Calendar, error) {
	var cal sla.Calendar
	var err error
	if cal.Zone, err = sla.LoadZone(zone); err != nil {
		return cal, err
	}
	if cal.Week, err = sla.ParseHours(hours); err != nil {
		return cal, err
	}
	for _, h := range holidays {
		d, err := sla.ParseDate(h)
		if err != nil {
			return cal, err
		}
		cal.Holidays = append(cal.Holidays, d)
	}
	return cal, cal.Validate()
}

// span is a duration flag that also takes days: 15m, 8h, 2d, 1d12h.
type span time.Duration

func (s *span) String() string { return time.Duration(*s).String() }

// Set implements flag.Value.
func (s *span) Set(v string) error {
	var days time.Duration
	if d, rest, ok := strings.Cut(v, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 {
			return errors.New("want a duration such as 15m, 8h or 2d")
		}
		days, v = time.Duration(n)*24*time.Hour, rest
	}
	var d time.Duration
	if v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			return errors.New("want a duration such as 15m, 8h or 2d")
		}
	}
	*s = span(days + d)
	return nil
}

// repeated is a flag that may be given several times; commas are kept.
type repeated []string

func (r *repeated) String() string { return strings.Join(*r, "; ") }

// Set implements flag.Value.
func (r *repeated) Set(v string) error {
	*r = append(*r, v)
	return nil
}
