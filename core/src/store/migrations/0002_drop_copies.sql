-- Step 2, second part: the manifest JSON and module.json copies took more room than many
-- packs' text; the module's description is read from its pack's chunks, where it is checked.
ALTER TABLE modules DROP COLUMN module;
ALTER TABLE packs DROP COLUMN manifest;

-- Which chunks a pack holds, without a second copy of the key in a rowid table.
CREATE TABLE pack_chunks_by_pack (
    pack_id    TEXT NOT NULL REFERENCES packs(id) ON DELETE CASCADE,
    chunk_hash BLOB NOT NULL REFERENCES chunks(hash),
    PRIMARY KEY (pack_id, chunk_hash)
) STRICT, WITHOUT ROWID;
INSERT INTO pack_chunks_by_pack (pack_id, chunk_hash) SELECT pack_id, chunk_hash FROM pack_chunks;
DROP TABLE pack_chunks;
ALTER TABLE pack_chunks_by_pack RENAME TO pack_chunks;
CREATE INDEX pack_chunks_by_chunk ON pack_chunks(chunk_hash);
