-- Outgoing webhooks. An endpoint receives the change events it names (events) as signed JSON
-- POSTs; its secret is sealed like the inboxes' credentials. disabled_at is set by hand or when a
-- delivery kept failing for its whole retry window (disabled_reason says which); the Problems page
-- lists the disabled ones.
CREATE TABLE webhook_endpoints (
    id               bigserial PRIMARY KEY,
    url              text        NOT NULL CHECK (url <> ''),
    events           text[]      NOT NULL CHECK (cardinality(events) > 0),
    secret_sealed    bytea       NOT NULL,
    description      text        NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    disabled_at      timestamptz,
    disabled_reason  text        NOT NULL DEFAULT ''
);

-- One row per event and endpoint: inserted with the change that caused the event, in its
-- transaction, beside the River job that sends it. body is fixed at the first attempt, so retries
-- and redeliveries send the same bytes; the response columns describe the latest attempt.
-- message_id is set for message.created, which is how an API channel reply is marked sent.
CREATE TABLE webhook_deliveries (
    id               bigserial PRIMARY KEY,
    endpoint_id      bigint      NOT NULL REFERENCES webhook_endpoints ON DELETE CASCADE,
    event_type       text        NOT NULL,
    event            jsonb       NOT NULL,
    message_id       bigint,
    body             text,
    status           text        NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'retrying', 'succeeded', 'failed', 'skipped')),
    attempts         integer     NOT NULL DEFAULT 0,
    response_code    integer,
    response_excerpt text        NOT NULL DEFAULT '',
    error            text        NOT NULL DEFAULT '',
    duration_ms      integer,
    created_at       timestamptz NOT NULL,
    attempted_at     timestamptz,
    redelivery_of    bigint      REFERENCES webhook_deliveries ON DELETE SET NULL
);
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id DESC);
CREATE INDEX webhook_deliveries_message_idx ON webhook_deliveries (message_id) WHERE message_id IS NOT NULL;
