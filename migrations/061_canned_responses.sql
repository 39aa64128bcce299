-- Canned responses: snippets agents insert into a reply by typing "/" and the shortcut.
CREATE TABLE canned_responses (
    id         bigserial PRIMARY KEY,
    shortcut   text        NOT NULL UNIQUE CHECK (shortcut ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
    title      text        NOT NULL CHECK (title <> ''),
    body       text        NOT NULL CHECK (body <> ''),
    created_by bigint      REFERENCES agents ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
