-- The snapshot with which the latest assignment pass of a team read that team's queue
-- (inbox.LockTeamQueuesTx): a pass asked for by a change whose transaction that snapshot
-- already saw committed has nothing left to serve and ends before it counts the agents' loads.
-- A burst of new conversations enqueues a pass per triage; while one runs, the others wait for
-- its agents and, but for this, would each count every agent's conversations again.
CREATE TABLE assign_queue_reads (
    team_id bigint      PRIMARY KEY REFERENCES teams (id) ON DELETE CASCADE,
    snap    pg_snapshot NOT NULL
);
