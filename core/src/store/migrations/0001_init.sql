-- The device store's first schema. Append new steps as new files; never edit this one.

-- Device settings (media variant, data budget…), as text.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- The public halves of the device and learner keys (the secrets live in the KeyStore).
CREATE TABLE identity (
    name TEXT PRIMARY KEY,   -- 'device' or 'learner'
    did  TEXT NOT NULL
) STRICT;

-- Publishers whose packs this device installs.
CREATE TABLE trusted_publishers (
    public_key BLOB PRIMARY KEY,
    label      TEXT NOT NULL DEFAULT ''
) STRICT;

-- Chunks as stored in packs (compressed), one copy however many packs hold them.
CREATE TABLE chunks (
    hash   BLOB PRIMARY KEY,  -- SHA-256 of `stored`
    stored BLOB NOT NULL
) STRICT;

CREATE TABLE packs (
    id           TEXT PRIMARY KEY,
    version      TEXT NOT NULL,
    hash         BLOB NOT NULL,   -- SHA-256 of header and stored manifest
    publisher    BLOB NOT NULL,
    manifest     TEXT NOT NULL,   -- the manifest JSON
    installed_at TEXT NOT NULL
) STRICT;

CREATE TABLE pack_chunks (
    pack_id    TEXT NOT NULL REFERENCES packs(id) ON DELETE CASCADE,
    chunk_hash BLOB NOT NULL REFERENCES chunks(hash),
    PRIMARY KEY (pack_id, chunk_hash)
) STRICT;
CREATE INDEX pack_chunks_by_chunk ON pack_chunks(chunk_hash);

CREATE TABLE modules (
    id      TEXT PRIMARY KEY,
    pack_id TEXT NOT NULL REFERENCES packs(id) ON DELETE CASCADE,
    module  TEXT NOT NULL     -- module.json
) STRICT;

-- The learner's own state: kept across reinstalls and updates, so no foreign keys to packs.
CREATE TABLE progress (
    module_id TEXT NOT NULL,
    lesson    INTEGER NOT NULL,
    opened    INTEGER NOT NULL DEFAULT 0,
    time_ms   INTEGER NOT NULL DEFAULT 0,
    position  TEXT,
    PRIMARY KEY (module_id, lesson)
) STRICT;

CREATE TABLE attempts (
    module_id TEXT NOT NULL,
    number    INTEGER NOT NULL,
    state     TEXT NOT NULL,      -- the Attempt as JSON
    ended_at  TEXT,               -- device time, once submitted
    passed    INTEGER,
    PRIMARY KEY (module_id, number)
) STRICT;

-- Signed result records: the learner's history, and the outbox (acked = 0).
CREATE TABLE records (
    seq       INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    module_id TEXT NOT NULL,
    attempt   INTEGER NOT NULL,
    hash      BLOB NOT NULL,      -- SHA-256 of `body`
    body      TEXT NOT NULL,      -- the signed record, canonical JSON
    acked     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (module_id, attempt)
) STRICT;
