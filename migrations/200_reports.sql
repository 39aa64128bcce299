-- The dashboard's cross-dimension reports.
--
-- business_secs is the business time, on the policy's calendar, from a clock's start to the
-- instant its target was met (first reply, resolution, next reply): workflow writes it when
-- the clock stops met, so the reports read business-hours durations without replaying
-- calendars. NULL while the clock runs, or when it stopped unmet.
ALTER TABLE sla_clocks ADD COLUMN business_secs bigint;

-- The backlog over time: the conversations resolved or closed since an instant, with their
-- teams, for the day-end open counts (inbox.Scope.Backlog).
CREATE INDEX conversations_done_idx ON conversations ((coalesce(resolved_at, closed_at)))
    WHERE status IN ('resolved', 'closed');
