-- Step 5: issuer keys that trusted publishers endorsed. A hub issues credentials with a key
-- of its own for each training provider; the provider's signed statement that the key
-- issues for it is kept here, so the device trusts what that key signs while it trusts the
-- provider.
CREATE TABLE issuer_endorsements (
    issuer    TEXT PRIMARY KEY,  -- the issuer key's did:key
    publisher BLOB NOT NULL,     -- the endorsing publisher's key
    body      BLOB NOT NULL      -- the endorsement as received (JSON)
) STRICT;
