-- The security and admin audit log: sign-ins, two-factor, passwords, tokens, agents, inboxes,
-- rules, SLA policies and merges. Append-only: a trigger refuses UPDATE and DELETE, so a row, once
-- committed, stays as written (conversation_events keeps each conversation's own trail).
CREATE TABLE audit_log (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL,
    kind         text        NOT NULL CHECK (kind <> ''),
    -- actor_id is the agent who acted (NULL for the command line, the system, or a failed
    -- sign-in by someone unknown); actor is what the log shows for them (email, "cli", "system").
    -- No foreign key: the log outlives the rows it names and is never rewritten.
    actor_id     bigint,
    actor        text        NOT NULL DEFAULT '',
    -- target names what the event is about ("agent:12", "token:4", "inbox:3", "rule:9").
    target       text        NOT NULL DEFAULT '',
    source_ip    text        NOT NULL DEFAULT '',
    data         jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_kind_idx ON audit_log (kind, at DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
