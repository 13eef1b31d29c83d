-- Exchanges through which a learner's wallet takes one of their credentials (W3C VCALM): each
-- for one credential, short-lived and used once. The id is the key in the exchange's URLs, so
-- only its SHA-256 is kept, as for sign-in links.
CREATE TABLE exchanges (
    id_hash    BLOB PRIMARY KEY,                                 -- SHA-256 of the id
    credential INTEGER NOT NULL REFERENCES credentials(number),  -- the learner's credential
    challenge  TEXT NOT NULL,     -- what the wallet's DID authentication signs
    hub_url    TEXT NOT NULL,     -- the hub's URL as the credential's issuer names it
    asked_by   TEXT NOT NULL,     -- a trainer's name or the learner's device, for the audit trail
    created_at TEXT NOT NULL,
    expires_at INTEGER NOT NULL,  -- Unix seconds
    wallet     TEXT,              -- the wallet's DID, once it took the credential
    issued     INTEGER REFERENCES credentials(number),           -- the credential it took
    done_at    TEXT
) STRICT;
CREATE INDEX exchanges_by_expiry ON exchanges(expires_at);

-- A credential issued to a learner's wallet: the same achievement and evidence as the
-- learner's credential it copies, its subject the wallet's DID, a status bit of its own.
-- `learner` stays the learner's, so their pages list it and revoking theirs revokes it.
ALTER TABLE credentials ADD COLUMN copy_of INTEGER REFERENCES credentials(number);
ALTER TABLE credentials ADD COLUMN wallet TEXT;
CREATE INDEX credentials_by_original ON credentials(copy_of) WHERE copy_of IS NOT NULL;
