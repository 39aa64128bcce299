-- Website chat: what the chat channel remembers of each visitor beyond their contact. A visitor
-- is one browser of one chat inbox, named by the random visitor id their token carries (the
-- address of their "chat" contact identity). email is the address they typed in the widget
-- (for the email fallback of replies they miss); last_seen_message_id is the highest message
-- id a socket pushed or replayed to them, so a reply they have seen is never also emailed.
CREATE TABLE chat_visitors (
    visitor_id           text        PRIMARY KEY CHECK (visitor_id <> ''),
    inbox_id             bigint      NOT NULL REFERENCES inboxes ON DELETE CASCADE,
    name                 text        NOT NULL DEFAULT '',
    email                text        NOT NULL DEFAULT '',
    last_seen_message_id bigint      NOT NULL DEFAULT 0,
    last_seen_at         timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
