-- Mailboxes that cannot be read (channels/email owns this table): one row per email inbox whose
-- last poll failed, with the error and whether the server refused the credentials; the next
-- poll that succeeds deletes it. The Problems page shows them to admins.
CREATE TABLE email_poll_errors (
    inbox_id        bigint      PRIMARY KEY REFERENCES inboxes ON DELETE CASCADE,
    error           text        NOT NULL,
    auth_refused    boolean     NOT NULL DEFAULT false,
    failures        integer     NOT NULL DEFAULT 1 CHECK (failures > 0),
    first_failed_at timestamptz NOT NULL,
    last_failed_at  timestamptz NOT NULL
);
