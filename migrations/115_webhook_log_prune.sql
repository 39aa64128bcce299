-- The delivery log keeps settled deliveries for webhook.LogKeep (30 days); the hourly prune job
-- finds the old ones through this index instead of scanning the whole log.
CREATE INDEX webhook_deliveries_settled_idx ON webhook_deliveries (created_at)
    WHERE status IN ('succeeded', 'failed', 'skipped');
