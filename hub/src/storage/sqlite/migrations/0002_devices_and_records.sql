-- Devices, their enrolment and their results.

-- Codes a trainer hands out; a device registers with one.
CREATE TABLE enrolments (
    code       TEXT PRIMARY KEY,
    grp        TEXT NOT NULL,
    uses_left  INTEGER,          -- NULL: unlimited
    expires_at INTEGER,          -- Unix seconds, hub time; NULL: never
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE devices (
    device_key    BLOB PRIMARY KEY,
    learner       TEXT NOT NULL,
    grp           TEXT NOT NULL,
    registered_at TEXT NOT NULL
) STRICT;

-- Every signed record, once, with the hub's receipt time.
CREATE TABLE records (
    id          TEXT PRIMARY KEY,
    device_key  BLOB NOT NULL REFERENCES devices(device_key),
    seq         INTEGER NOT NULL,
    hash        BLOB NOT NULL,
    prev        BLOB,
    learner     TEXT NOT NULL,
    module      TEXT NOT NULL,
    passed      INTEGER NOT NULL,
    score       INTEGER NOT NULL,
    max_score   INTEGER NOT NULL,
    body        TEXT NOT NULL,
    received_at TEXT NOT NULL
) STRICT;
CREATE INDEX records_by_device ON records(device_key, seq);

-- Gaps and forks in a device's chain, for the trainer to look at.
CREATE TABLE flags (
    id         INTEGER PRIMARY KEY,
    device_key BLOB NOT NULL,
    seq        INTEGER NOT NULL,
    kind       TEXT NOT NULL,    -- 'gap' or 'fork'
    record_id  TEXT NOT NULL,
    detail     TEXT NOT NULL,
    flagged_at TEXT NOT NULL
) STRICT;
