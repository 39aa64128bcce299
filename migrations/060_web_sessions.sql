-- Web sign-in sessions. The browser holds a random token in an HttpOnly cookie; only its SHA-256
-- is stored, so a leaked table opens no session. A session ends at expires_at, or earlier when it
-- sits unused (last_seen_at is checked against an idle timeout by the reader).
CREATE TABLE web_sessions (
    id           bigserial PRIMARY KEY,
    token_hash   bytea       NOT NULL UNIQUE,
    agent_id     bigint      NOT NULL REFERENCES agents ON DELETE CASCADE,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    user_agent   text        NOT NULL DEFAULT ''
);
CREATE INDEX web_sessions_agent_idx ON web_sessions (agent_id);
CREATE INDEX web_sessions_expires_idx ON web_sessions (expires_at);
