-- Credentials the hub issues when it takes a passing result.

-- Each module of each stored pack, as compiled (module.json): what a credential states.
CREATE TABLE pack_modules (
    pack_hash BYTEA NOT NULL REFERENCES packs(hash),
    module_id TEXT NOT NULL,
    body      TEXT NOT NULL,
    PRIMARY KEY (pack_hash, module_id)
);

-- One issuer key per training provider (a publisher), held by the hub, never the key that
-- signs the provider's packs; the provider's signed endorsement of it; its status list.
CREATE TABLE issuers (
    id          BIGSERIAL PRIMARY KEY,
    publisher   BYTEA NOT NULL UNIQUE REFERENCES publishers(public_key),
    secret_key  BYTEA NOT NULL,
    profile     TEXT NOT NULL,
    endorsement TEXT NOT NULL,
    status_list TEXT NOT NULL,
    created_at  timestamptz NOT NULL
);

-- Every credential issued, numbered in the order issued; at most one per record.
CREATE TABLE credentials (
    number       BIGSERIAL PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    record_id    TEXT UNIQUE REFERENCES records(id),
    learner      TEXT NOT NULL,
    issuer       BIGINT NOT NULL REFERENCES issuers(id),
    status_index BIGINT NOT NULL,
    body         TEXT NOT NULL,
    issued_at    timestamptz NOT NULL,
    revoked_at   timestamptz,
    revoked_why  TEXT,
    UNIQUE (issuer, status_index)
);
CREATE INDEX credentials_by_learner ON credentials(learner, number);

-- A learner's passing records, found without reading the others (each push looks for
-- passes that have no credential yet).
CREATE INDEX records_passed_by_learner ON records(learner) WHERE passed;
