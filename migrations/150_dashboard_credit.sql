-- The supervisor dashboard's per-agent credit and live figures.
--
-- first_response_by is the agent whose reply stamped first_response_at; resolved_by the agent
-- who last resolved the conversation (NULL when the system did, or it is not resolved): the
-- agents table credits them, not whoever the conversation is assigned to now.
-- waiting_since is when the customer's oldest message not yet answered by an agent arrived
-- (NULL: nobody is waiting); an agent's reply, a resolution or a closing clears it.
-- agents.online_at is the last heartbeat of one of the agent's open tabs (their event socket),
-- written by whichever parley process holds the socket, so every process reads the same
-- "agents online".
ALTER TABLE conversations
    ADD COLUMN first_response_by bigint REFERENCES agents ON DELETE SET NULL,
    ADD COLUMN resolved_by       bigint REFERENCES agents ON DELETE SET NULL,
    ADD COLUMN waiting_since     timestamptz;
ALTER TABLE agents ADD COLUMN online_at timestamptz;

-- The past, from the messages and the audit trail, in one pass over the conversations. A
-- resolution with no trail (imported or seeded rows) is credited to the assignee, as surveys do.
UPDATE conversations c SET
    first_response_by = CASE WHEN c.first_response_at IS NOT NULL THEN
        (SELECT m.author_agent_id FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'outbound'
            AND m.auto = '' AND m.author_agent_id IS NOT NULL ORDER BY m.id LIMIT 1) END,
    resolved_by = CASE WHEN c.resolved_at IS NULL THEN NULL
        WHEN EXISTS (SELECT 1 FROM conversation_events e WHERE e.conversation_id = c.id AND e.kind = 'status'
            AND e.data->>'to' = 'resolved') THEN
        (SELECT e.agent_id FROM conversation_events e WHERE e.conversation_id = c.id AND e.kind = 'status'
            AND e.data->>'to' = 'resolved' ORDER BY e.id DESC LIMIT 1)
        ELSE c.assignee_id END,
    waiting_since = CASE WHEN c.status IN ('new', 'open', 'pending') THEN
        (SELECT min(m.created_at) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'inbound'
            AND m.auto = '' AND m.id > coalesce((SELECT max(o.id) FROM messages o WHERE o.conversation_id = c.id
                AND o.direction = 'outbound' AND o.auto = '' AND o.author_agent_id IS NOT NULL), 0)) END
WHERE c.first_response_at IS NOT NULL OR c.resolved_at IS NOT NULL OR c.status IN ('new', 'open', 'pending');

-- The longest wait: active conversations whose customer awaits a reply, oldest first.
CREATE INDEX conversations_waiting_since_idx ON conversations (waiting_since, id)
    WHERE waiting_since IS NOT NULL AND status IN ('new', 'open', 'pending');
