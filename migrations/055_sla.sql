-- SLA (workflow): policies chosen by team and priority, one clock per conversation and target,
-- the pauses those clocks honour, and the breaches they record.

-- A policy applies to conversations of its team (NULL: any team) and priority (NULL: any);
-- the most specific one wins. Targets are business time in seconds, measured on calendar.
-- levels is the escalation ladder: [{"after_secs": 0, "notify": true, ...}, ...].
CREATE TABLE sla_policies (
    id                  bigserial PRIMARY KEY,
    name                text             NOT NULL UNIQUE CHECK (name <> ''),
    team_id             bigint           REFERENCES teams ON DELETE CASCADE,
    priority            text             CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    first_response_secs integer          NOT NULL CHECK (first_response_secs > 0),
    next_response_secs  integer          CHECK (next_response_secs > 0),
    resolution_secs     integer          CHECK (resolution_secs > 0),
    calendar            jsonb            NOT NULL DEFAULT '{}',
    pause_pending       boolean          NOT NULL DEFAULT true,
    warn_at             double precision NOT NULL DEFAULT 0.8 CHECK (warn_at > 0 AND warn_at < 1),
    escalate_team_id    bigint           REFERENCES teams ON DELETE SET NULL,
    levels              jsonb            NOT NULL DEFAULT '[]',
    created_at          timestamptz      NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (team_id, priority)
);

-- One clock per conversation and target. generation grows whenever the due or warning instant
-- changes; a deadline job carrying an older generation does nothing. A next-response clock
-- starts a new cycle (started_at) with each customer message after an agent's reply.
CREATE TABLE sla_clocks (
    conversation_id bigint      NOT NULL REFERENCES conversations ON DELETE CASCADE,
    target          text        NOT NULL CHECK (target IN ('first_response', 'next_response', 'resolution')),
    policy_id       bigint      REFERENCES sla_policies ON DELETE SET NULL,
    state           text        NOT NULL CHECK (state IN ('running', 'paused', 'met', 'stopped')),
    generation      integer     NOT NULL DEFAULT 1,
    started_at      timestamptz NOT NULL,
    due_at          timestamptz,
    warn_at         timestamptz,
    met_at          timestamptz,
    warned_at       timestamptz,
    breached_at     timestamptz,
    level           integer     NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (conversation_id, target)
);
-- The supervisor board: running and paused clocks by due instant.
CREATE INDEX sla_clocks_open_idx ON sla_clocks (due_at, conversation_id) WHERE state IN ('running', 'paused');

-- The stretches during which a conversation's clocks stood still: pending (waiting on the
-- customer, honoured when the policy says so) and resolved (until a customer reopens it).
-- Rebuilt from the conversation's status history; ended_at NULL means still paused.
CREATE TABLE sla_pauses (
    conversation_id bigint      NOT NULL REFERENCES conversations ON DELETE CASCADE,
    started_at      timestamptz NOT NULL,
    reason          text        NOT NULL CHECK (reason IN ('pending', 'resolved')),
    ended_at        timestamptz,
    PRIMARY KEY (conversation_id, started_at)
);

-- A missed target: one row per clock cycle. assignee_id and team_id are who held the
-- conversation when it breached; overdue_ms is set once the target is finally met.
CREATE TABLE sla_breaches (
    id              bigserial PRIMARY KEY,
    conversation_id bigint      NOT NULL REFERENCES conversations ON DELETE CASCADE,
    target          text        NOT NULL,
    policy_id       bigint      REFERENCES sla_policies ON DELETE SET NULL,
    started_at      timestamptz NOT NULL,
    due_at          timestamptz NOT NULL,
    breached_at     timestamptz NOT NULL,
    met_at          timestamptz,
    overdue_ms      bigint,
    assignee_id     bigint      REFERENCES agents ON DELETE SET NULL,
    team_id         bigint      REFERENCES teams ON DELETE SET NULL,
    level           integer     NOT NULL DEFAULT 1,
    UNIQUE (conversation_id, target, started_at)
);
CREATE INDEX sla_breaches_time_idx ON sla_breaches (breached_at DESC, id DESC);
