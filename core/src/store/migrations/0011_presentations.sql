-- Step 11: what a worker's presentation needs. The newest status list accepted from each
-- address is kept whole, so a presentation can carry the issuer's signed word on revocation
-- to a client's phone offline; and the challenges this device gave as a client, so that each
-- is answered once (a presentation answering one already used is a replay).
ALTER TABLE status_lists ADD COLUMN body TEXT;  -- the list as read, canonical JSON

CREATE TABLE presentation_challenges (
    challenge TEXT PRIMARY KEY,  -- random, as given to the worker
    domain    TEXT,              -- the domain asked for with it, if any
    given_at  TEXT NOT NULL,     -- when it was given (RFC 3339, UTC)
    used_at   TEXT               -- when a presentation answered it, if one did
) STRICT;
