-- Automatic away. agents.auto_away is true while an agent's "away" was set by the system, after
-- their last open tab had been closed for PARLEY_AWAY_AFTER (workflow's agent_away job), rather
-- than by the agent: opening a tab again makes them available only then. Any change the agent
-- (or an admin) makes clears it, so a manual away or offline is never overridden.
ALTER TABLE agents ADD COLUMN auto_away boolean NOT NULL DEFAULT false;
