-- The sandbox (`parley serve --sandbox`): what Twilio, Slack and SMTP would have received, as
-- the in-process fakes took it, for /admin/sandbox. Kept in PostgreSQL so every process shows
-- what any of them sent; bounded: each insert prunes all but the newest entries.
CREATE TABLE sandbox_entries (
    id          bigserial   PRIMARY KEY,
    channel     text        NOT NULL CHECK (channel IN ('email', 'sms', 'slack')),
    request     text        NOT NULL,
    destination text        NOT NULL DEFAULT '',
    summary     text        NOT NULL DEFAULT '',
    payload     text        NOT NULL,
    truncated   boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL
);
