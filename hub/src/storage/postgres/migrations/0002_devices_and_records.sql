-- Devices, their enrolment and their results, PostgreSQL dialect (keep in step with ../0002).
CREATE TABLE enrolments (code TEXT PRIMARY KEY, grp TEXT NOT NULL, uses_left BIGINT, expires_at BIGINT, created_at TEXT NOT NULL);
CREATE TABLE devices (device_key BYTEA PRIMARY KEY, learner TEXT NOT NULL, grp TEXT NOT NULL, registered_at TEXT NOT NULL);
CREATE TABLE records (
    id TEXT PRIMARY KEY, device_key BYTEA NOT NULL REFERENCES devices(device_key), seq BIGINT NOT NULL,
    hash BYTEA NOT NULL, prev BYTEA, learner TEXT NOT NULL, module TEXT NOT NULL, passed BOOLEAN NOT NULL,
    score BIGINT NOT NULL, max_score BIGINT NOT NULL, body TEXT NOT NULL, received_at TEXT NOT NULL
);
CREATE INDEX records_by_device ON records(device_key, seq);
CREATE TABLE flags (
    id BIGSERIAL PRIMARY KEY, device_key BYTEA NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL,
    record_id TEXT NOT NULL, detail TEXT NOT NULL, flagged_at TEXT NOT NULL
);
