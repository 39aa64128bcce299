-- Satisfaction surveys (workflow): one per resolution of a conversation, sent through the
-- customer's channel; the answer (score 1-5 and a comment) is the conversation's feedback,
-- kept with what it is judged against: category, resolving agent, whether the SLA was met.
-- token_hash is the SHA-256 of the secret in the survey link; the secret is never stored.
CREATE TABLE surveys (
    id              bigserial PRIMARY KEY,
    conversation_id bigint      NOT NULL REFERENCES conversations ON DELETE CASCADE,
    resolved_at     timestamptz NOT NULL,
    channel         text        NOT NULL,
    message_id      bigint      REFERENCES messages ON DELETE SET NULL,
    token_hash      bytea       NOT NULL UNIQUE,
    sent_at         timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    category        text        NOT NULL DEFAULT '',
    resolved_by     bigint      REFERENCES agents ON DELETE SET NULL,
    sla_met         boolean     NOT NULL DEFAULT true,
    score           smallint    CHECK (score BETWEEN 1 AND 5),
    comment         text        NOT NULL DEFAULT '',
    answered_at     timestamptz,
    answered_via    text        NOT NULL DEFAULT '',
    UNIQUE (conversation_id, resolved_at)
);
CREATE INDEX surveys_conversation_idx ON surveys (conversation_id, id DESC);
CREATE INDEX surveys_answered_idx ON surveys (answered_at DESC, id DESC) WHERE answered_at IS NOT NULL;
