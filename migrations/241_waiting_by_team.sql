-- The dashboard's longest wait for a viewer who sees some teams (and what is assigned to them):
-- the oldest waiting conversation of each of their teams, and of their own, each the first
-- entry of an index, rather than a walk of every waiting conversation from the oldest until one
-- of theirs turns up (seconds at a million conversations for a supervisor of a small team).
CREATE INDEX conversations_waiting_team_idx ON conversations (team_id, waiting_since, id)
    WHERE waiting_since IS NOT NULL AND status IN ('new', 'open', 'pending');
CREATE INDEX conversations_waiting_assignee_idx ON conversations (assignee_id, waiting_since, id)
    WHERE waiting_since IS NOT NULL AND status IN ('new', 'open', 'pending') AND assignee_id IS NOT NULL;
