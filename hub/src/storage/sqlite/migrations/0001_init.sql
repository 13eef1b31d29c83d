-- The hub's first schema. Append new steps as new files; never edit this one.

CREATE TABLE publishers (
    public_key BLOB PRIMARY KEY,
    name       TEXT NOT NULL,
    added_at   TEXT NOT NULL
) STRICT;

-- Single-use values for signed requests; expiry in hub time (Unix seconds).
CREATE TABLE nonces (
    nonce      TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
) STRICT;

-- Published packs, immutable, named by the hash of their signed part.
CREATE TABLE packs (
    hash         BLOB PRIMARY KEY,
    id           TEXT NOT NULL,
    version      TEXT NOT NULL,
    grp          TEXT NOT NULL,
    publisher    BLOB NOT NULL REFERENCES publishers(public_key),
    variant      TEXT NOT NULL,
    modules      TEXT NOT NULL,   -- JSON list of module ids
    size         INTEGER NOT NULL,
    bytes        BLOB NOT NULL,
    published_at TEXT NOT NULL
) STRICT;
CREATE INDEX packs_by_group ON packs(grp, id);

-- Where each chunk lives, so a device can fetch one by its hash.
CREATE TABLE chunks (
    hash      BLOB PRIMARY KEY,
    pack_hash BLOB NOT NULL REFERENCES packs(hash),
    offset    INTEGER NOT NULL,
    len       INTEGER NOT NULL
) STRICT;
