-- Agent lifecycle and API tokens as a resource.
--
-- A deactivated agent (deactivated_at set) keeps their row, name and history but cannot sign in,
-- use a token or be assigned; activating clears it.
ALTER TABLE agents ADD COLUMN deactivated_at timestamptz;

-- An API token acts as its agent (kind 'agent') or only feeds the inbound API (kind
-- 'integration'); it stops working at expires_at when that is set. last_used_at (001) is kept at
-- most a minute stale.
ALTER TABLE api_tokens
    ADD COLUMN kind       text NOT NULL DEFAULT 'agent' CHECK (kind IN ('agent', 'integration')),
    ADD COLUMN expires_at timestamptz;
