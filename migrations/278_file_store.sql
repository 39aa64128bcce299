-- Files live in a file store chosen by configuration (internal/filestore, PARLEY_FILE_STORE):
-- PostgreSQL, a local directory or S3-compatible object storage. An attachment names its file
-- by store_key; rows written before the store keep their bytes in attachments.content (store_key
-- NULL) and are read from there.
ALTER TABLE attachments ADD COLUMN store_key text;

-- file_chunks is the PostgreSQL backend's storage: a file is its chunks in seq order, each at
-- most 1 MiB, so that a file is written and read a chunk at a time. Owned by internal/filestore.
CREATE TABLE file_chunks (
    store_key text    NOT NULL,
    seq       integer NOT NULL CHECK (seq >= 0),
    data      bytea   NOT NULL,
    PRIMARY KEY (store_key, seq)
);

-- uploads are stored files no message has taken yet: an agent's upload (agent_id, used only by
-- that agent, POST /api/v1/uploads) or a file staged by an ingest before its transaction
-- (agent_id NULL). A message that takes one deletes its row in the same transaction; the
-- prune_uploads job deletes the files of rows a day old, and of the files an erasure released
-- (created_at -infinity). Owned by inbox.
CREATE TABLE uploads (
    id           bigserial   PRIMARY KEY,
    store_key    text        NOT NULL UNIQUE,
    agent_id     bigint      REFERENCES agents ON DELETE SET NULL,
    filename     text        NOT NULL,
    content_type text        NOT NULL,
    size         bigint      NOT NULL CHECK (size >= 0),
    created_at   timestamptz NOT NULL
);
CREATE INDEX uploads_created_idx ON uploads (created_at);
