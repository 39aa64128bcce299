-- Automatic assignment: round-robin among equally loaded agents and the queue of conversations
-- waiting for one.

-- assign_seq orders agents by how recently they were assigned a conversation (least recent
-- first); a sequence rather than the clock, so that assignments at one instant still rotate.
-- last_assigned_at is the same moment on the clock, for people to read.
CREATE SEQUENCE agent_assign_seq;
ALTER TABLE agents
    ADD COLUMN assign_seq       bigint NOT NULL DEFAULT 0,
    ADD COLUMN last_assigned_at timestamptz;

-- A team's waiting conversations, oldest first: the queue the assigner takes from.
CREATE INDEX conversations_waiting_idx ON conversations (team_id, created_at, id)
    WHERE assignee_id IS NULL AND status IN ('new', 'open', 'pending') AND routed_at IS NOT NULL;
