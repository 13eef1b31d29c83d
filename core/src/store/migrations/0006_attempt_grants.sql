-- Step 6: more attempts a trainer granted the learner, taken from the hub at sync. Each is
-- kept as received, after its signature checked out and its publisher was one the device
-- trusts; a module allows its own attempts plus those granted for it by its publisher.
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
