-- The Problems page lists the outbound messages that failed for good, newest first: a partial
-- index holds only those, so the list stays one index scan however many messages were sent.
CREATE INDEX messages_delivery_failed_idx ON messages (id DESC)
    WHERE delivery_status IN ('failed', 'undelivered');
