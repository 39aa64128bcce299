-- Inbox search: full-text over message text (a stored tsvector with a GIN index), contact names
-- (an expression GIN index) and address prefixes (emails and phones). The 'simple' configuration
-- neither stems nor drops stop words, so names, order numbers and any language match as typed.
ALTER TABLE messages ADD COLUMN search tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', left(text, 65536))) STORED;
CREATE INDEX messages_search_idx ON messages USING gin (search);
CREATE INDEX contacts_name_search_idx ON contacts USING gin (to_tsvector('simple', name));
CREATE INDEX contact_identities_address_idx ON contact_identities (address text_pattern_ops);
