-- OAuth2 sign-in of email inboxes (channels/email owns this table): per inbox that signs in to
-- IMAP and SMTP with XOAUTH2, the access token last obtained and when it expires, and a refresh
-- token the provider handed back in place of the configured one, both sealed with
-- PARLEY_SECRET_KEY in tokens_sealed (JSON). grant names the configured grant (a SHA-256 of the
-- token URL, client id and refresh token): a row of another grant is stale and starts afresh.
-- refused_at and refusal record a refresh the provider refused (invalid_grant): no refresh of
-- that grant is tried again, and the Problems page shows it, until an admin gives a new one.
CREATE TABLE email_oauth_tokens (
    inbox_id      bigint      PRIMARY KEY REFERENCES inboxes ON DELETE CASCADE,
    grant_hash    bytea       NOT NULL,
    tokens_sealed bytea,
    expires_at    timestamptz,
    refreshes     bigint      NOT NULL DEFAULT 0,
    refreshed_at  timestamptz,
    refused_at    timestamptz,
    refusal       text,
    CHECK ((refused_at IS NULL) = (refusal IS NULL))
);
