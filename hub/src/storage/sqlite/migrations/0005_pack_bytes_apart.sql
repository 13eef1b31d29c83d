-- Nonces are checked by their MAC (hub/src/nonce.rs); SQLite keeps the used ones and the
-- secret in memory (sqlite/nonces.rs), so this step has nothing for them.
--
-- A pack's bytes move to a table of their own, as its last column: SQLite writes a trailing
-- zeroblob without making it, then the hub fills it a piece at a time (incremental blob
-- I/O). Followed by another column, as in `packs`, the zeroblob was made whole in memory:
-- 120 MiB for one 60 MB upload (measured by tests/memory.rs).
CREATE TABLE pack_bytes (
    hash  BLOB PRIMARY KEY REFERENCES packs(hash),
    bytes BLOB NOT NULL
) STRICT;
INSERT INTO pack_bytes (hash, bytes) SELECT hash, bytes FROM packs;
ALTER TABLE packs DROP COLUMN bytes;
