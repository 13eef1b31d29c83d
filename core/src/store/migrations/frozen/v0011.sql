CREATE TABLE attempts (
    module_id TEXT NOT NULL,
    number    INTEGER NOT NULL,
    state     TEXT NOT NULL,      -- the Attempt as JSON
    ended_at  TEXT,               -- device time, once submitted
    passed    INTEGER,
    PRIMARY KEY (module_id, number)
) STRICT;
CREATE TABLE chunks (
    hash   BLOB PRIMARY KEY,  -- SHA-256 of `stored`
    stored BLOB NOT NULL
) STRICT;
CREATE TABLE identity (
    name TEXT PRIMARY KEY,   -- 'device' or 'learner'
    did  TEXT NOT NULL
) STRICT;
CREATE TABLE modules (
    id      TEXT PRIMARY KEY,
    pack_id TEXT NOT NULL REFERENCES packs(id) ON DELETE CASCADE,
    title TEXT NOT NULL DEFAULT '', language TEXT NOT NULL DEFAULT '', minutes INTEGER NOT NULL DEFAULT 0, lessons INTEGER NOT NULL DEFAULT 0, contents BLOB NOT NULL DEFAULT x'', part BLOB) STRICT;
CREATE TABLE IF NOT EXISTS "pack_chunks" (
    pack_id    TEXT NOT NULL REFERENCES packs(id) ON DELETE CASCADE,
    chunk_hash BLOB NOT NULL REFERENCES chunks(hash),
    PRIMARY KEY (pack_id, chunk_hash)
) STRICT, WITHOUT ROWID;
CREATE INDEX pack_chunks_by_chunk ON pack_chunks(chunk_hash);
CREATE TABLE packs (
    id           TEXT PRIMARY KEY,
    version      TEXT NOT NULL,
    hash         BLOB NOT NULL,   -- SHA-256 of header and stored manifest
    publisher    BLOB NOT NULL,
    installed_at TEXT NOT NULL
, dictionary BLOB) STRICT;
CREATE TABLE progress (
    module_id TEXT NOT NULL,
    lesson    INTEGER NOT NULL,
    opened    INTEGER NOT NULL DEFAULT 0,
    time_ms   INTEGER NOT NULL DEFAULT 0,
    position  TEXT,
    PRIMARY KEY (module_id, lesson)
) STRICT;
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
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
CREATE TABLE trusted_publishers (
    public_key BLOB PRIMARY KEY,
    label      TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE TABLE credentials (
    id          TEXT PRIMARY KEY,  -- the credential's own id
    achievement TEXT NOT NULL,     -- what it is for (the achievement's name)
    module_id   TEXT,              -- the module it names (its humanCode), if any
    issuer      TEXT NOT NULL,     -- the issuer's did:key
    issuer_name TEXT NOT NULL,
    valid_from  TEXT NOT NULL,
    valid_until TEXT,
    received_at TEXT NOT NULL,
    body        BLOB NOT NULL      -- the credential's canonical JSON (RFC 8785)
, revocation TEXT NOT NULL DEFAULT 'unknown'
    CHECK (revocation IN ('unknown', 'not_revoked', 'revoked')), revocation_checked_at TEXT, revoked_seen_at TEXT, revocation_reason TEXT, revocation_reason_asked INTEGER NOT NULL DEFAULT 0, revocation_problem TEXT) STRICT;
CREATE TABLE issuer_endorsements (
    issuer    TEXT PRIMARY KEY,  -- the issuer key's did:key
    publisher BLOB NOT NULL,     -- the endorsing publisher's key
    body      BLOB NOT NULL      -- the endorsement as received (JSON)
) STRICT;
CREATE TABLE attempt_grants (
    id          TEXT PRIMARY KEY,  -- the grant's random id: taken twice, counted once
    publisher   BLOB NOT NULL,     -- the publisher behind it
    module_id   TEXT NOT NULL,
    attempts    INTEGER NOT NULL,
    granted_by  TEXT NOT NULL,
    granted_at  TEXT NOT NULL,
    received_at TEXT NOT NULL,
    body        BLOB NOT NULL      -- the grant as received (JSON)
) STRICT;
CREATE INDEX attempt_grants_by_module ON attempt_grants(module_id);
CREATE TABLE status_lists (
    url        TEXT PRIMARY KEY,  -- the status list credential's address
    valid_from TEXT NOT NULL,     -- the newest validFrom accepted from it
    read_at    TEXT NOT NULL      -- device time it was read
, body TEXT) STRICT;
CREATE TABLE attempts_elsewhere (
    record_id TEXT PRIMARY KEY,
    device    TEXT NOT NULL,     -- the did:key of the device that signed it
    module_id TEXT NOT NULL,
    number    INTEGER NOT NULL,  -- the attempt's number on that device
    ended_at  TEXT NOT NULL,
    passed    INTEGER NOT NULL,
    score     INTEGER NOT NULL,
    max_score INTEGER NOT NULL,
    body      TEXT NOT NULL      -- the signed record, canonical JSON
) STRICT;
CREATE INDEX attempts_elsewhere_by_module ON attempts_elsewhere(module_id, number);
CREATE TABLE issuer_documents (
    id         TEXT PRIMARY KEY,  -- the issuer's DID
    body       TEXT NOT NULL,     -- the document as read, canonical JSON
    fetched_at TEXT NOT NULL      -- when it was read (RFC 3339, UTC)
) STRICT;
CREATE TABLE presentation_challenges (
    challenge TEXT PRIMARY KEY,  -- random, as given to the worker
    domain    TEXT,              -- the domain asked for with it, if any
    given_at  TEXT NOT NULL,     -- when it was given (RFC 3339, UTC)
    used_at   TEXT               -- when a presentation answered it, if one did
) STRICT;
