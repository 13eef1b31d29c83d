-- The hub's first schema, PostgreSQL dialect (keep in step with ../0001_init.sql).
CREATE TABLE publishers (public_key BYTEA PRIMARY KEY, name TEXT NOT NULL, added_at TEXT NOT NULL);
CREATE TABLE nonces (nonce TEXT PRIMARY KEY, expires_at BIGINT NOT NULL);
CREATE TABLE packs (
    hash BYTEA PRIMARY KEY, id TEXT NOT NULL, version TEXT NOT NULL, grp TEXT NOT NULL,
    publisher BYTEA NOT NULL REFERENCES publishers(public_key), variant TEXT NOT NULL,
    modules TEXT NOT NULL, size BIGINT NOT NULL, bytes BYTEA NOT NULL, published_at TEXT NOT NULL
);
CREATE INDEX packs_by_group ON packs(grp, id);
CREATE TABLE chunks (hash BYTEA PRIMARY KEY, pack_hash BYTEA NOT NULL REFERENCES packs(hash), "offset" BIGINT NOT NULL, len BIGINT NOT NULL);
