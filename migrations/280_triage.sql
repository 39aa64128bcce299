-- The triage job (workflow/triage.go) takes, besides its own conversation, the other new
-- conversations not yet routed, oldest first: this index holds only those, so finding them
-- costs as little as the handful waiting, however many conversations the table holds.
CREATE INDEX conversations_unrouted_idx ON conversations (id) WHERE routed_at IS NULL;
