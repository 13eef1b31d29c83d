-- Step 4: the learner's credentials, kept on the device as received (each verified before
-- it is kept), so they can be shown and handed out offline.
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
) STRICT;
