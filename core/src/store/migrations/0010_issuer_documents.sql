-- Step 10: the controller documents of issuers that are not a did:key (a did:web), read while
-- online, so that their credentials verify offline later; each with when it was read.
CREATE TABLE issuer_documents (
    id         TEXT PRIMARY KEY,  -- the issuer's DID
    body       TEXT NOT NULL,     -- the document as read, canonical JSON
    fetched_at TEXT NOT NULL      -- when it was read (RFC 3339, UTC)
) STRICT;
