package workflow

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// reportDaysEvery is how often the dashboard's daily rollups are brought up to date. Until they
// are, the reports read the days changed since from the base tables (inbox.Scope.Report), so
// they are never stale, only slower.
const reportDaysEvery = time.Minute

// reportDaysBudget is how long one run builds days before it snoozes to go on: well inside
// channels.JobTimeout, since a day of ten thousand conversations takes one to two seconds.
const reportDaysBudget = 8 * time.Second

// ReportDaysArgs is the periodic job that rebuilds the days of report_days that changed, were
// never built (the backfill after migration 240) or were built long ago
// (inbox.Store.BuildReportDays).
type ReportDaysArgs struct{}

// Kind implements river.JobArgs.
func (ReportDaysArgs) Kind() string { return "report_days" }

// InsertOpts makes one run per interval.
func (ReportDaysArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByPeriod: reportDaysEvery}}
}

// ReportDaysPeriodically schedules the rollups' build every reportDaysEvery, and once on start.
func ReportDaysPeriodically() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(reportDaysEvery),
		func() (river.JobArgs, *river.InsertOpts) { return ReportDaysArgs{}, nil },
		&river.PeriodicJobOpts{ID: "report_days", RunOnStart: true})
}

type reportDaysWorker struct {
	river.WorkerDefaults[ReportDaysArgs]
	store *inbox.Store
}

// Work builds days for reportDaysBudget and, when more remain (the backfill of a large
// database), snoozes for a second to go on without using up an attempt.
func (w *reportDaysWorker) Work(ctx context.Context, _ *river.Job[ReportDaysArgs]) error {
	_, more, err := w.store.BuildReportDays(ctx, reportDaysBudget)
	if err != nil {
		return fmt.Errorf("workflow: report days: %w", err)
	}
	if more {
		return river.JobSnooze(time.Second)
	}
	return nil
}
