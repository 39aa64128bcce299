-- conversation_starts keeps the Idempotency-Key of each conversation an agent started with one
-- (POST /api/v1/conversations, inbox.Scope.StartConversation): the same agent sending the same
-- key again, after an answer they lost, gets that conversation back instead of writing to the
-- customer twice. fingerprint is a hash of what was asked, so a key reused for another request
-- is refused. Owned by inbox; a row goes with its conversation or its agent.
CREATE TABLE conversation_starts (
    agent_id        bigint      NOT NULL REFERENCES agents ON DELETE CASCADE,
    key             text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    fingerprint     text        NOT NULL,
    conversation_id bigint      NOT NULL REFERENCES conversations ON DELETE CASCADE,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (agent_id, key)
);
-- The conversation's side of the foreign key (a deleted conversation takes its row).
CREATE INDEX conversation_starts_conversation_idx ON conversation_starts (conversation_id);
