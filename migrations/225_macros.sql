-- Macros: named lists of actions (a reply or a note with placeholders, a status, a priority,
-- tags, a category, a team) an agent runs on a conversation in one step. owner_id NULL is a
-- shared macro (managed by admins); otherwise the macro is its owner's alone. actions is checked
-- by the inbox layer when saved (inbox.Macro).
CREATE TABLE macros (
    id         bigserial PRIMARY KEY,
    name       text        NOT NULL CHECK (name <> ''),
    owner_id   bigint      REFERENCES agents ON DELETE CASCADE,
    actions    jsonb       NOT NULL CHECK (jsonb_typeof(actions) = 'array'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- A name is unique among the shared macros and among each agent's own.
CREATE UNIQUE INDEX macros_name_idx ON macros (coalesce(owner_id, 0), lower(name));
