-- Password reset links. The emailed link carries a random token; only its SHA-256 is stored, so a
-- leaked table opens nothing. A link works once (used_at) and until expires_at (30 minutes after
-- it was issued); issuing a new one for an agent removes the agent's unused ones.
CREATE TABLE password_resets (
    id          bigserial PRIMARY KEY,
    token_hash  bytea       NOT NULL UNIQUE,
    agent_id    bigint      NOT NULL REFERENCES agents ON DELETE CASCADE,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX password_resets_agent_idx ON password_resets (agent_id);
CREATE INDEX password_resets_expires_idx ON password_resets (expires_at);
