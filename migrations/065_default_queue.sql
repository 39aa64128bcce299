-- A conversation of no team (one no routing rule has sent anywhere yet, or one no rule matched)
-- sits in the default queue. Supervisors and admins see it; of the agents, its assignee and the
-- members of the teams marked here as the default queue (inbox.Viewer). No team is marked until
-- an admin marks one, so a conversation nobody routed stays with supervisors until then.
ALTER TABLE teams ADD COLUMN default_queue boolean NOT NULL DEFAULT false;
