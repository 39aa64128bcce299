-- The agent inbox's views list active conversations (new, open, pending) newest activity first:
-- partial indexes keep those pages as cheap as the first page of the whole table, however many
-- resolved and closed conversations pile up. Reports select conversations by creation time.
CREATE INDEX conversations_active_idx ON conversations (last_activity_at DESC, id DESC)
    WHERE status IN ('new', 'open', 'pending');
CREATE INDEX conversations_active_unassigned_idx ON conversations (last_activity_at DESC, id DESC)
    WHERE status IN ('new', 'open', 'pending') AND assignee_id IS NULL;
CREATE INDEX conversations_active_assignee_idx ON conversations (assignee_id, last_activity_at DESC, id DESC)
    WHERE status IN ('new', 'open', 'pending');
CREATE INDEX conversations_active_team_idx ON conversations (team_id, last_activity_at DESC, id DESC)
    WHERE status IN ('new', 'open', 'pending');
CREATE INDEX conversations_created_idx ON conversations (created_at);
