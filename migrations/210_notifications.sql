-- The in-app notification centre: one row per agent and thing that needs them (assigned to them,
-- a customer answered in their conversation, a mention, an SLA warning or breach, a low-score
-- follow-up), written in the transaction of the change that causes it (inbox.Store.NotifyTx).
-- actor_id is the agent who caused it (NULL: the system or the customer). mailed_at marks the
-- rows an email (immediate or the daily digest) already told the agent about.
CREATE TABLE notifications (
    id              bigserial   PRIMARY KEY,
    agent_id        bigint      NOT NULL REFERENCES agents ON DELETE CASCADE,
    kind            text        NOT NULL CHECK (kind IN ('assigned', 'customer_replied', 'mentioned',
                                    'sla_warning', 'sla_breach', 'followup', 'snooze_woke')),
    conversation_id bigint      NOT NULL REFERENCES conversations ON DELETE CASCADE,
    actor_id        bigint      REFERENCES agents ON DELETE SET NULL,
    actor           text        NOT NULL DEFAULT '',
    text            text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    read_at         timestamptz,
    mailed_at       timestamptz
);
-- The centre's list (newest first, keyset on id) and the bell's unread count.
CREATE INDEX notifications_agent_idx ON notifications (agent_id, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (agent_id, id) WHERE read_at IS NULL;
-- A customer writing five times in a row is one unread notice, not five.
CREATE UNIQUE INDEX notifications_replied_once_idx ON notifications (agent_id, conversation_id)
    WHERE read_at IS NULL AND kind = 'customer_replied';
-- The daily digest's sweep: unread rows not mailed yet.
CREATE INDEX notifications_unmailed_idx ON notifications (created_at) WHERE mailed_at IS NULL AND read_at IS NULL;
CREATE INDEX notifications_conversation_idx ON notifications (conversation_id);

-- How an agent is told by email: never, at once, or in one mail a day.
ALTER TABLE agents ADD COLUMN notify_email text NOT NULL DEFAULT 'off'
    CHECK (notify_email IN ('off', 'immediate', 'daily'));
