-- Step 7: what the device last learned of each credential's revocation, read at sync from
-- the issuer's signed status list, and the newest list it accepted from each address. The
-- list's bit decides whether a credential is revoked; the hub's reason is only words to show
-- beside it. A revoked credential stays revoked; a list that cannot be read leaves the last
-- known state and says why; a list older than one already accepted is refused as a replay.
ALTER TABLE credentials ADD COLUMN revocation TEXT NOT NULL DEFAULT 'unknown'
    CHECK (revocation IN ('unknown', 'not_revoked', 'revoked'));
ALTER TABLE credentials ADD COLUMN revocation_checked_at TEXT;  -- the last list read for it
ALTER TABLE credentials ADD COLUMN revoked_seen_at TEXT;        -- the first list that said revoked
ALTER TABLE credentials ADD COLUMN revocation_reason TEXT;      -- the hub's words, for display
ALTER TABLE credentials ADD COLUMN revocation_reason_asked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE credentials ADD COLUMN revocation_problem TEXT;     -- why the last try read no list

CREATE TABLE status_lists (
    url        TEXT PRIMARY KEY,  -- the status list credential's address
    valid_from TEXT NOT NULL,     -- the newest validFrom accepted from it
    read_at    TEXT NOT NULL      -- device time it was read
) STRICT;
