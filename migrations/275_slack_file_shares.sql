-- slack_file_shares records that the files of a reply were shared into its Slack thread
-- (files.completeUploadExternal answered ok): Slack has no idempotency key for uploads, so a
-- delivery retried after that point (its text's post failed) must not share them again. The
-- row is written right after Slack's answer; only a process dying between the two could share
-- the files twice.
CREATE TABLE slack_file_shares (
    message_id bigint      PRIMARY KEY REFERENCES messages ON DELETE CASCADE,
    file_ids   text[]      NOT NULL,
    shared_at  timestamptz NOT NULL DEFAULT now()
);
