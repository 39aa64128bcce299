package workflow

import (
	"context"
	"errors"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// TestReportDaysBuildsThePastAndSnoozesToGoOn runs the rollup job over seventy days of
// conversations: a run builds what its batch holds and snoozes, the next finishes, and then every
// past day since the first conversation is built and today is not.
func TestReportDaysBuildsThePastAndSnoozesToGoOn(t *testing.T) {
	t.Parallel()
	env := newSLAEnv(t)
	ctx := context.Background()
	if _, err := env.pool.Exec(ctx, `WITH k AS (INSERT INTO contacts (name) VALUES ('Rolled') RETURNING id)
		INSERT INTO conversations (contact_id, channel, created_at, last_activity_at)
		SELECT k.id, 'sms', $1::timestamptz - g * interval '1 day', $1::timestamptz - g * interval '1 day'
		FROM k, generate_series(0, 69) g`, env.now); err != nil {
		t.Fatal(err)
	}
	work := func() error {
		return (&reportDaysWorker{store: env.store}).Work(ctx, &river.Job[ReportDaysArgs]{JobRow: &rivertype.JobRow{}})
	}
	var snooze *river.JobSnoozeError
	if err := work(); !errors.As(err, &snooze) {
		t.Fatalf("the first run = %v, want a snooze to go on", err)
	}
	if err := work(); err != nil {
		t.Fatalf("the second run = %v, want done", err)
	}
	today := env.now.Unix() / 86400
	var built, first, last int64
	if err := env.pool.QueryRow(ctx, `SELECT count(*), min(day), max(day) FROM report_built`).Scan(&built, &first, &last); err != nil {
		t.Fatal(err)
	}
	if built != 69 || first != today-69 || last != today-1 {
		t.Errorf("built %d days, %d to %d; want the 69 days %d to %d", built, first, last, today-69, today-1)
	}
	var created int64
	if err := env.pool.QueryRow(ctx, `SELECT coalesce(sum(created), 0) FROM report_days WHERE level = 0 AND agent_id = 0`).
		Scan(&created); err != nil {
		t.Fatal(err)
	}
	if created != 69 {
		t.Errorf("the rollups hold %d conversations, want the 69 of the past days", created)
	}
}
