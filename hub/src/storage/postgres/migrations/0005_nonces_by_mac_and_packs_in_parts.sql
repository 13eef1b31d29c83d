-- Nonces are checked by their MAC under a secret every instance shares (hub/src/nonce.rs):
-- issuing one writes nothing, and only nonces that signed requests used are kept, until
-- they expire (milliseconds since the Unix epoch, by the hub's clock). The table is logged:
-- a crash must not let a used nonce be used again while the secret lives on.
DROP TABLE nonces;
CREATE TABLE hub_secrets (name TEXT PRIMARY KEY, secret BYTEA NOT NULL);
CREATE TABLE used_nonces (id BYTEA PRIMARY KEY, expires_at BIGINT NOT NULL);
CREATE INDEX used_nonces_by_expiry ON used_nonces (expires_at);

-- A pack's bytes in parts of at most 1 MiB, so the hub stores and serves a pack of any size
-- without holding it whole. A pack stored before is one part; EXTERNAL storage lets a range
-- of a part be read without reading the rest.
CREATE TABLE pack_parts (
    pack_hash BYTEA NOT NULL REFERENCES packs(hash),
    start     BIGINT NOT NULL,
    bytes     BYTEA NOT NULL,
    PRIMARY KEY (pack_hash, start)
);
ALTER TABLE pack_parts ALTER COLUMN bytes SET STORAGE EXTERNAL;
INSERT INTO pack_parts (pack_hash, start, bytes) SELECT hash, 0, bytes FROM packs;
ALTER TABLE packs DROP COLUMN bytes;
