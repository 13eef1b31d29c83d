-- Every time the hub writes reads the same on both engines: ISO 8601 UTC with milliseconds
-- (2026-11-24T10:00:00.000Z), as records.received_at always was. Rows written before this
-- step used datetime('now') ("2026-11-24 10:00:00"); they are rewritten in place.
UPDATE publishers SET added_at = strftime('%Y-%m-%dT%H:%M:%fZ', added_at) WHERE added_at NOT LIKE '%T%';
UPDATE packs SET published_at = strftime('%Y-%m-%dT%H:%M:%fZ', published_at) WHERE published_at NOT LIKE '%T%';
UPDATE enrolments SET created_at = strftime('%Y-%m-%dT%H:%M:%fZ', created_at) WHERE created_at NOT LIKE '%T%';
UPDATE devices SET registered_at = strftime('%Y-%m-%dT%H:%M:%fZ', registered_at) WHERE registered_at NOT LIKE '%T%';
UPDATE flags SET flagged_at = strftime('%Y-%m-%dT%H:%M:%fZ', flagged_at) WHERE flagged_at NOT LIKE '%T%';
