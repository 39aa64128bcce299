-- Two-factor sign-in. agent_totp holds an agent's TOTP secret sealed with PARLEY_SECRET_KEY
-- (never in the clear); enabled_at is NULL while enrolment waits for its first code. last_step
-- is the time step of the last code accepted, so a code is never accepted twice.
CREATE TABLE agent_totp (
    agent_id      bigint PRIMARY KEY REFERENCES agents ON DELETE CASCADE,
    secret_sealed bytea       NOT NULL,
    created_at    timestamptz NOT NULL,
    enabled_at    timestamptz,
    last_step     bigint      NOT NULL DEFAULT 0
);

-- Single-use recovery codes: only their SHA-256 is kept; used_at marks one spent.
CREATE TABLE agent_recovery_codes (
    id         bigserial PRIMARY KEY,
    agent_id   bigint      NOT NULL REFERENCES agents ON DELETE CASCADE,
    code_hash  bytea       NOT NULL,
    created_at timestamptz NOT NULL,
    used_at    timestamptz,
    UNIQUE (agent_id, code_hash)
);

-- The half-signed-in state between the first factor (password or SSO) and the second (a code,
-- or enrolment when the role requires two-factor). The browser holds a random token; only its
-- SHA-256 is stored. A challenge is short-lived, counts wrong codes, and is deleted when used.
CREATE TABLE signin_challenges (
    id         bigserial PRIMARY KEY,
    token_hash bytea       NOT NULL UNIQUE,
    agent_id   bigint      NOT NULL REFERENCES agents ON DELETE CASCADE,
    purpose    text        NOT NULL CHECK (purpose IN ('code', 'enrol')),
    next_path  text        NOT NULL DEFAULT '/inbox',
    method     text        NOT NULL DEFAULT 'password',
    failures   int         NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX signin_challenges_expires_idx ON signin_challenges (expires_at);

-- The roles whose agents must use two-factor (an admin setting).
CREATE TABLE two_factor_required (
    role       text PRIMARY KEY CHECK (role IN ('agent', 'supervisor', 'admin')),
    changed_at timestamptz NOT NULL
);

-- Single sign-on logins in flight: the state (hashed), nonce and PKCE verifier of an
-- authorization request, used once by its callback.
CREATE TABLE oidc_logins (
    state_hash bytea PRIMARY KEY,
    nonce      text        NOT NULL,
    verifier   text        NOT NULL,
    next_path  text        NOT NULL DEFAULT '/inbox',
    expires_at timestamptz NOT NULL
);
CREATE INDEX oidc_logins_expires_idx ON oidc_logins (expires_at);
