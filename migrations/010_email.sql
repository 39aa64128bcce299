-- Email channel state (channels/email owns these tables): where each mailbox's sync stands,
-- the messages that could not be ingested, and the source of every fetched email.

-- One row per email inbox: the UIDVALIDITY of the mailbox it reads and the highest UID it has
-- finished (ingested, or recorded as skipped), written in the same transaction as that
-- message's ingest so that a restart resumes at the next UID. A different UIDVALIDITY means the
-- server renumbered the mailbox: the sync starts again from UID 1, and the Message-IDs (the
-- messages' external ids) make every message already stored a no-op.
CREATE TABLE email_mailbox_state (
    inbox_id     bigint      PRIMARY KEY REFERENCES inboxes ON DELETE CASCADE,
    mailbox      text        NOT NULL,
    uid_validity bigint      NOT NULL CHECK (uid_validity >= 0),
    last_uid     bigint      NOT NULL DEFAULT 0 CHECK (last_uid >= 0),
    synced_at    timestamptz,
    updated_at   timestamptz NOT NULL
);

-- Messages of a mailbox that failed to ingest. A failure is retried on the next sync (the sync
-- stops there so that order is kept); after the inbox's attempt limit, or at once when the
-- message can never be stored (no sender address), it is skipped: the sync moves past it and
-- the row stays as the record. The message itself stays on the server, unread.
CREATE TABLE email_failures (
    inbox_id        bigint      NOT NULL REFERENCES inboxes ON DELETE CASCADE,
    uid_validity    bigint      NOT NULL,
    uid             bigint      NOT NULL,
    message_id      text        NOT NULL DEFAULT '',
    attempts        integer     NOT NULL CHECK (attempts > 0),
    last_error      text        NOT NULL,
    skipped         boolean     NOT NULL DEFAULT false,
    first_failed_at timestamptz NOT NULL,
    last_failed_at  timestamptz NOT NULL,
    PRIMARY KEY (inbox_id, uid_validity, uid)
);
CREATE INDEX email_failures_skipped_idx ON email_failures (inbox_id, last_failed_at DESC) WHERE skipped;

-- The source of each inbound email, kept beside the message: where it sits in the mailbox, its
-- raw bytes (NULL when larger than the channel's cap; the server keeps the original), and the
-- full text and sanitized HTML before the quoted history was stripped for the timeline.
CREATE TABLE email_sources (
    message_id   bigint      PRIMARY KEY REFERENCES messages ON DELETE CASCADE,
    inbox_id     bigint      REFERENCES inboxes ON DELETE SET NULL,
    mailbox      text        NOT NULL,
    uid_validity bigint      NOT NULL,
    uid          bigint      NOT NULL,
    size         bigint      NOT NULL CHECK (size >= 0),
    raw          bytea,
    full_text    text        NOT NULL DEFAULT '',
    full_html    text        NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL
);
CREATE INDEX email_sources_uid_idx ON email_sources (inbox_id, uid_validity, uid);
