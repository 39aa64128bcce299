-- Slack channel state (channels/slack owns these tables).

-- Events API deliveries already handled, by Slack's event_id: a redelivery (X-Slack-Retry-Num)
-- finds its id here and changes nothing. Written in the same transaction as the ingest it causes.
-- Slack redelivers within about an hour, so rows older than a day may be pruned.
CREATE TABLE slack_events (
    event_id    text        PRIMARY KEY CHECK (event_id <> ''),
    inbox_id    bigint      REFERENCES inboxes ON DELETE CASCADE,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX slack_events_received_idx ON slack_events (received_at);

-- The Slack threads conversations live in. root_ts is the ts of the thread's parent message: the
-- customer's first message of the thread, or the parent they replied under; '' for a direct
-- message written outside any thread (answered in the DM itself). A customer's reply in a known
-- thread joins the thread's conversation; an agent's reply goes to the thread the customer
-- wrote in last (last_message_at).
CREATE TABLE slack_threads (
    channel         text        NOT NULL CHECK (channel <> ''),
    root_ts         text        NOT NULL,
    conversation_id bigint      NOT NULL REFERENCES conversations,
    last_message_at timestamptz NOT NULL,
    PRIMARY KEY (channel, root_ts)
);
CREATE INDEX slack_threads_conversation_idx ON slack_threads (conversation_id, last_message_at DESC);
