-- Signatures appended to email replies: an inbox's (the team's sign-off) and an agent's own, each
-- in plain text and in HTML (sanitized when saved). Empty means none. Owned by inbox.
ALTER TABLE inboxes
    ADD COLUMN signature_text text NOT NULL DEFAULT '' CHECK (length(signature_text) <= 4000),
    ADD COLUMN signature_html text NOT NULL DEFAULT '' CHECK (length(signature_html) <= 16000);
ALTER TABLE agents
    ADD COLUMN signature_text text NOT NULL DEFAULT '' CHECK (length(signature_text) <= 4000),
    ADD COLUMN signature_html text NOT NULL DEFAULT '' CHECK (length(signature_html) <= 16000);
