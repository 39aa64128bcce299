-- Snooze: an agent puts a conversation aside until an instant (snoozed_until); a River job
-- scheduled at that instant wakes it (back to open), and a customer message wakes it early.
-- A snoozed conversation has its instant, and only a snoozed one. The inbox lists snoozed
-- conversations through conversations_status_idx (status, last_activity_at DESC, id DESC).
ALTER TABLE conversations DROP CONSTRAINT conversations_status_check;
ALTER TABLE conversations ADD CONSTRAINT conversations_status_check
    CHECK (status IN ('new', 'open', 'pending', 'snoozed', 'resolved', 'closed'));
ALTER TABLE conversations ADD COLUMN snoozed_until timestamptz;
ALTER TABLE conversations ADD CONSTRAINT conversations_snoozed_until_check
    CHECK ((status = 'snoozed') = (snoozed_until IS NOT NULL));
