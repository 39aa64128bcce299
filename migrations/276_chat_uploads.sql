-- chat_uploads names the files a website visitor attached in the widget until the message
-- that carries them is sent over the visitor's socket (its "files" name them by id): each file
-- waits in the file store as a staged upload (store_key, an uploads row of no agent), which
-- that message's ingest takes as its attachment. An upload belongs to one visitor of one inbox;
-- the periodic chat_upload_prune job deletes those older than a day, used or not (a resent
-- message finds its files until then). created_at also counts a visitor's uploads of the last
-- hour against their limit.
CREATE TABLE chat_uploads (
    id           text        PRIMARY KEY,
    inbox_id     bigint      NOT NULL REFERENCES inboxes ON DELETE CASCADE,
    visitor_id   text        NOT NULL,
    filename     text        NOT NULL,
    content_type text        NOT NULL,
    size         integer     NOT NULL CHECK (size > 0),
    store_key    text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX chat_uploads_visitor_idx ON chat_uploads (visitor_id, created_at);
CREATE INDEX chat_uploads_created_idx ON chat_uploads (created_at);
