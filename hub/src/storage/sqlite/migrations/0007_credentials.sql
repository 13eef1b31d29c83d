-- Credentials the hub issues when it takes a passing result.

-- Each module of each stored pack, as compiled (module.json): what a credential states.
CREATE TABLE pack_modules (
    pack_hash BLOB NOT NULL REFERENCES packs(hash),
    module_id TEXT NOT NULL,
    body      TEXT NOT NULL,
    PRIMARY KEY (pack_hash, module_id)
) STRICT;

-- One issuer key per training provider (a publisher), held by the hub, never the key that
-- signs the provider's packs; the provider's signed endorsement of it; its status list.
CREATE TABLE issuers (
    id          INTEGER PRIMARY KEY,
    publisher   BLOB NOT NULL UNIQUE REFERENCES publishers(public_key),
    secret_key  BLOB NOT NULL,
    profile     TEXT NOT NULL,   -- JSON: name, url, country code and name, region
    endorsement TEXT NOT NULL,   -- JSON, signed by the publisher's key
    status_list TEXT NOT NULL,   -- the URL of its Bitstring Status List credential
    created_at  TEXT NOT NULL
) STRICT;

-- Every credential issued, numbered in the order issued; at most one per record.
CREATE TABLE credentials (
    number       INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    record_id    TEXT UNIQUE REFERENCES records(id),
    learner      TEXT NOT NULL,
    issuer       INTEGER NOT NULL REFERENCES issuers(id),
    status_index INTEGER NOT NULL,
    body         TEXT NOT NULL,
    issued_at    TEXT NOT NULL,
    revoked_at   TEXT,
    revoked_why  TEXT,
    UNIQUE (issuer, status_index)
) STRICT;
CREATE INDEX credentials_by_learner ON credentials(learner, number);

-- A learner's passing records, found without reading the others (each push looks for
-- passes that have no credential yet).
CREATE INDEX records_passed_by_learner ON records(learner) WHERE passed = 1;
