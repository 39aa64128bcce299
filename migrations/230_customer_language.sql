-- Customer texts in the customer's language (internal/custtext). An inbox has a language, one
-- of the shipped ones, and may let the chat widget follow the visitor's browser language.
-- A conversation remembers the language its customer was first spoken to in (NULL: the
-- inbox's), so that later texts (a survey by email, SMS, Slack or chat) use the same.
-- inbox_texts are an inbox's own wording of any catalogue text in any language.
ALTER TABLE inboxes
	ADD COLUMN language text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'de', 'fr', 'es', 'pt')),
	ADD COLUMN follow_browser_language boolean NOT NULL DEFAULT false;

ALTER TABLE conversations ADD COLUMN language text CHECK (language IN ('en', 'de', 'fr', 'es', 'pt'));

CREATE TABLE inbox_texts (
	inbox_id bigint NOT NULL REFERENCES inboxes (id) ON DELETE CASCADE,
	lang text NOT NULL CHECK (lang IN ('en', 'de', 'fr', 'es', 'pt')),
	key text NOT NULL CHECK (key ~ '^[a-z_]+\.[a-z_]+$'),
	body text NOT NULL CHECK (body <> '' AND octet_length(body) <= 2000),
	updated_at timestamptz NOT NULL,
	PRIMARY KEY (inbox_id, lang, key)
);
