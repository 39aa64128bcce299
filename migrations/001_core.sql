-- Parley core schema: agents, teams, inboxes, contacts and their identities, conversations,
-- messages, attachments, API tokens and the conversation audit trail.

CREATE TABLE agents (
    id            bigserial PRIMARY KEY,
    email         text        NOT NULL UNIQUE CHECK (email = lower(email) AND email <> ''),
    name          text        NOT NULL,
    role          text        NOT NULL DEFAULT 'agent' CHECK (role IN ('agent', 'supervisor', 'admin')),
    password_hash text        NOT NULL DEFAULT '',
    capacity      integer     NOT NULL DEFAULT 10 CHECK (capacity >= 0),
    availability  text        NOT NULL DEFAULT 'available' CHECK (availability IN ('available', 'away', 'offline')),
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
    id           bigserial PRIMARY KEY,
    agent_id     bigint      NOT NULL REFERENCES agents ON DELETE CASCADE,
    token_hash   bytea       NOT NULL UNIQUE,
    name         text        NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz
);
CREATE INDEX api_tokens_agent_idx ON api_tokens (agent_id);

CREATE TABLE teams (
    id         bigserial PRIMARY KEY,
    name       text        NOT NULL UNIQUE CHECK (name <> ''),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE team_members (
    team_id  bigint NOT NULL REFERENCES teams ON DELETE CASCADE,
    agent_id bigint NOT NULL REFERENCES agents ON DELETE CASCADE,
    PRIMARY KEY (team_id, agent_id)
);
CREATE INDEX team_members_agent_idx ON team_members (agent_id);

-- One row per connected channel account. settings holds what may be shown; secrets holds the
-- AES-GCM sealed JSON of credentials (PARLEY_SECRET_KEY).
CREATE TABLE inboxes (
    id         bigserial PRIMARY KEY,
    kind       text        NOT NULL CHECK (kind IN ('api', 'email', 'sms', 'chat', 'slack')),
    name       text        NOT NULL CHECK (name <> ''),
    settings   jsonb       NOT NULL DEFAULT '{}',
    secrets    bytea,
    team_id    bigint      REFERENCES teams ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, name)
);

CREATE TABLE contacts (
    id          bigserial PRIMARY KEY,
    name        text        NOT NULL DEFAULT '',
    tier        text        NOT NULL DEFAULT '',
    tags        text[]      NOT NULL DEFAULT '{}',
    merged_into bigint      REFERENCES contacts,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- How a customer is reached. address is normalized: emails lower-cased, phones E.164, chat
-- visitor ids, Slack "TEAM:USER". verified: proven by the channel; otherwise only claimed.
CREATE TABLE contact_identities (
    id         bigserial PRIMARY KEY,
    contact_id bigint      NOT NULL REFERENCES contacts ON DELETE CASCADE,
    kind       text        NOT NULL CHECK (kind IN ('email', 'phone', 'chat', 'slack')),
    address    text        NOT NULL CHECK (address <> ''),
    verified   boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, address)
);
CREATE INDEX contact_identities_contact_idx ON contact_identities (contact_id);

CREATE TABLE conversations (
    id                bigserial PRIMARY KEY,
    contact_id        bigint      NOT NULL REFERENCES contacts,
    inbox_id          bigint      REFERENCES inboxes ON DELETE SET NULL,
    channel           text        NOT NULL,
    status            text        NOT NULL DEFAULT 'new'
                                  CHECK (status IN ('new', 'open', 'pending', 'resolved', 'closed')),
    priority          text        NOT NULL DEFAULT 'normal'
                                  CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    subject           text        NOT NULL DEFAULT '',
    team_id           bigint      REFERENCES teams ON DELETE SET NULL,
    assignee_id       bigint      REFERENCES agents ON DELETE SET NULL,
    tags              text[]      NOT NULL DEFAULT '{}',
    category          text        NOT NULL DEFAULT '',
    previous_id       bigint      REFERENCES conversations,
    created_at        timestamptz NOT NULL DEFAULT now(),
    first_response_at timestamptz,
    resolved_at       timestamptz,
    closed_at         timestamptz,
    last_activity_at  timestamptz NOT NULL DEFAULT now()
);
-- Keyset pages of the inbox list: newest activity first, filtered by status, assignee or team.
CREATE INDEX conversations_activity_idx ON conversations (last_activity_at DESC, id DESC);
CREATE INDEX conversations_status_idx ON conversations (status, last_activity_at DESC, id DESC);
CREATE INDEX conversations_assignee_idx ON conversations (assignee_id, status, last_activity_at DESC, id DESC);
CREATE INDEX conversations_team_idx ON conversations (team_id, status, last_activity_at DESC, id DESC);
CREATE INDEX conversations_channel_idx ON conversations (channel, status, last_activity_at DESC, id DESC);
-- Threading: a contact's latest conversation.
CREATE INDEX conversations_contact_idx ON conversations (contact_id, id DESC);

CREATE TABLE messages (
    id                bigserial PRIMARY KEY,
    conversation_id   bigint      NOT NULL REFERENCES conversations,
    direction         text        NOT NULL CHECK (direction IN ('inbound', 'outbound', 'note')),
    channel           text        NOT NULL,
    inbox_id          bigint      REFERENCES inboxes ON DELETE SET NULL,
    external_id       text,
    contact_id        bigint      REFERENCES contacts,
    author_agent_id   bigint      REFERENCES agents ON DELETE SET NULL,
    text              text        NOT NULL DEFAULT '',
    html              text        NOT NULL DEFAULT '',
    email_message_id  text,
    email_in_reply_to text,
    email_references  text[]      NOT NULL DEFAULT '{}',
    delivery_status   text        NOT NULL DEFAULT ''
                                  CHECK (delivery_status IN ('', 'received', 'queued', 'sending', 'sent',
                                                             'delivered', 'undelivered', 'failed')),
    delivery_error    text        NOT NULL DEFAULT '',
    threaded_by       text        NOT NULL DEFAULT '',
    auto              text        NOT NULL DEFAULT '',
    metadata          jsonb       NOT NULL DEFAULT '{}',
    created_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (channel, external_id)
);
CREATE INDEX messages_conversation_idx ON messages (conversation_id, id);
CREATE INDEX messages_email_id_idx ON messages (email_message_id) WHERE email_message_id IS NOT NULL;

CREATE TABLE attachments (
    id           bigserial PRIMARY KEY,
    message_id   bigint      NOT NULL REFERENCES messages ON DELETE CASCADE,
    filename     text        NOT NULL DEFAULT '',
    content_type text        NOT NULL DEFAULT 'application/octet-stream',
    content_id   text        NOT NULL DEFAULT '',
    size         integer     NOT NULL CHECK (size >= 0),
    content      bytea       CHECK (content IS NULL OR octet_length(content) <= 26214400),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_message_idx ON attachments (message_id);

-- The audit trail: who did what to a conversation (or a contact), and when.
CREATE TABLE conversation_events (
    id              bigserial PRIMARY KEY,
    conversation_id bigint      REFERENCES conversations,
    contact_id      bigint      REFERENCES contacts,
    agent_id        bigint      REFERENCES agents ON DELETE SET NULL,
    actor           text        NOT NULL CHECK (actor IN ('agent', 'customer', 'system')),
    kind            text        NOT NULL,
    data            jsonb       NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversation_events_conversation_idx ON conversation_events (conversation_id, id)
    WHERE conversation_id IS NOT NULL;
CREATE INDEX conversation_events_contact_idx ON conversation_events (contact_id, id)
    WHERE contact_id IS NOT NULL;
