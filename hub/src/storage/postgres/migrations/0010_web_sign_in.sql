-- Signing in to the trainer's web pages, with no password database: an operator's command
-- makes a one-time link; opening it starts a session. Only hashes of the secrets are kept.
CREATE TABLE web_links (
    token_hash BYTEA PRIMARY KEY,   -- SHA-256 of the link's secret
    role       TEXT NOT NULL,     -- 'operator' (every group) or 'trainer' (the groups named)
    groups     TEXT NOT NULL,     -- JSON list of group names a trainer sees
    label      TEXT NOT NULL,     -- who it is for, for the audit trail
    expires_at BIGINT NOT NULL,   -- Unix seconds
    used_at    timestamptz
);

CREATE TABLE web_sessions (
    id_hash    BYTEA PRIMARY KEY,   -- SHA-256 of the cookie's secret
    role       TEXT NOT NULL,
    groups     TEXT NOT NULL,
    label      TEXT NOT NULL,
    csrf       TEXT NOT NULL,     -- the token every form of the session carries
    expires_at BIGINT NOT NULL    -- Unix seconds
);
