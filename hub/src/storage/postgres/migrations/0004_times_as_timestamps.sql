-- Times become timestamptz (they were ISO 8601 text); the hub reads them out as ISO 8601 UTC
-- with milliseconds, the same string SQLite stores, so rows compare equal across engines.
-- Nonces expire on a timestamp too, so a nonce's life is as precise as on SQLite.
ALTER TABLE publishers ALTER COLUMN added_at TYPE timestamptz USING added_at::timestamptz;
ALTER TABLE packs ALTER COLUMN published_at TYPE timestamptz USING published_at::timestamptz;
ALTER TABLE enrolments ALTER COLUMN created_at TYPE timestamptz USING created_at::timestamptz;
ALTER TABLE devices ALTER COLUMN registered_at TYPE timestamptz USING registered_at::timestamptz;
ALTER TABLE records ALTER COLUMN received_at TYPE timestamptz USING received_at::timestamptz;
ALTER TABLE flags ALTER COLUMN flagged_at TYPE timestamptz USING flagged_at::timestamptz;
ALTER TABLE nonces ALTER COLUMN expires_at TYPE timestamptz USING to_timestamp(expires_at);
