-- Exchanges through which a learner's wallet takes one of their credentials (W3C VCALM): each
-- for one credential, short-lived and used once. The id is the key in the exchange's URLs, so
-- only its SHA-256 is kept, as for sign-in links.
CREATE TABLE exchanges (
    id_hash    BYTEA PRIMARY KEY,
    credential BIGINT NOT NULL REFERENCES credentials(number),
    challenge  TEXT NOT NULL,
    hub_url    TEXT NOT NULL,
    asked_by   TEXT NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at BIGINT NOT NULL,
    wallet     TEXT,
    issued     BIGINT REFERENCES credentials(number),
    done_at    timestamptz
);
CREATE INDEX exchanges_by_expiry ON exchanges(expires_at);

-- A credential issued to a learner's wallet: the same achievement and evidence as the
-- learner's credential it copies, its subject the wallet's DID, a status bit of its own.
-- `learner` stays the learner's, so their pages list it and revoking theirs revokes it.
ALTER TABLE credentials ADD COLUMN copy_of BIGINT REFERENCES credentials(number),
    ADD COLUMN wallet TEXT;
CREATE INDEX credentials_by_original ON credentials(copy_of) WHERE copy_of IS NOT NULL;
