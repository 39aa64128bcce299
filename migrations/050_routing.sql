-- Routing: ordered rules, grouped in rule sets, that file a new conversation under a team, a
-- priority, tags and a category from its first message.
--
-- Evaluation: rule sets run one after another (position, then id); within a set the rules run
-- in position order. A set in mode 'first' applies only its first matching rule; a set in mode
-- 'all' applies every matching rule. Later matches override the team, priority and category of
-- earlier ones and add to their tags. Every condition a rule names must hold (an empty list
-- means "any"); within one list any value may match.
CREATE TABLE rule_sets (
    id         bigserial PRIMARY KEY,
    name       text        NOT NULL UNIQUE CHECK (name <> ''),
    mode       text        NOT NULL DEFAULT 'first' CHECK (mode IN ('first', 'all')),
    position   integer     NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO rule_sets (name, mode, position) VALUES ('default', 'first', 1);

CREATE TABLE routing_rules (
    id           bigserial PRIMARY KEY,
    rule_set_id  bigint      NOT NULL REFERENCES rule_sets ON DELETE CASCADE,
    name         text        NOT NULL CHECK (name <> ''),
    position     integer     NOT NULL CHECK (position > 0),
    -- Conditions.
    inbox_ids    bigint[]    NOT NULL DEFAULT '{}',
    channels     text[]      NOT NULL DEFAULT '{}',
    keywords     text[]      NOT NULL DEFAULT '{}', -- whole words or phrases, case-insensitive, in subject or text
    contact_tags text[]      NOT NULL DEFAULT '{}',
    tiers        text[]      NOT NULL DEFAULT '{}',
    priorities   text[]      NOT NULL DEFAULT '{}',
    -- Actions.
    set_team_id  bigint      REFERENCES teams, -- a team that rules route to cannot be deleted
    set_priority text        NOT NULL DEFAULT '' CHECK (set_priority IN ('', 'low', 'normal', 'high', 'urgent')),
    set_category text        NOT NULL DEFAULT '',
    set_tags     text[]      NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now(),
    -- Deferred, so that inserting or deleting a rule may shift its neighbours in one statement.
    UNIQUE (rule_set_id, position) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX routing_rules_team_idx ON routing_rules (set_team_id) WHERE set_team_id IS NOT NULL;

-- When the route job filed the conversation: its idempotency key, and the mark that lets the
-- assigner take it (a conversation not yet routed might still change team). Conversations
-- that exist before routing does count as routed.
ALTER TABLE conversations ADD COLUMN routed_at timestamptz;
UPDATE conversations SET routed_at = created_at;
