-- Step 2: where each entry of an installed pack lives, so that reading a lesson is one
-- lookup whose cost does not grow with the catalogue, and the manifest JSON (which took more
-- room than many packs' text) is no longer kept.

CREATE TABLE entries (
    pack_id    TEXT NOT NULL REFERENCES packs(id) ON DELETE CASCADE,
    path       TEXT NOT NULL,
    kind       TEXT NOT NULL,     -- module, lesson, image or audio
    chunk_hash BLOB NOT NULL,
    offset     INTEGER NOT NULL,  -- where the entry starts in its chunk's inflated bytes
    size       INTEGER NOT NULL,
    hash       BLOB NOT NULL,     -- SHA-256 of the entry's bytes
    media_type TEXT,
    rendition  TEXT,              -- full or low, for media
    low_of     TEXT,              -- for a low rendition: the path of its full one
    PRIMARY KEY (pack_id, path),
    FOREIGN KEY (pack_id, chunk_hash) REFERENCES pack_chunks(pack_id, chunk_hash)
) STRICT, WITHOUT ROWID;
CREATE INDEX entries_by_low_of ON entries(pack_id, low_of) WHERE low_of IS NOT NULL;

-- How each pack stores a chunk: its codec and inflated size (a chunk's bytes are the same
-- in every pack that holds it; how to open them is the pack's word).
ALTER TABLE pack_chunks ADD COLUMN codec TEXT NOT NULL DEFAULT 'zstd';
ALTER TABLE pack_chunks ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
-- The chunk holding the dictionary a pack's `zstd-dict` chunks need, if any.
ALTER TABLE packs ADD COLUMN dictionary BLOB;

-- What stores of step 1 hold, moved out of their manifests.
INSERT INTO entries (pack_id, path, kind, chunk_hash, offset, size, hash, media_type, rendition, low_of)
SELECT p.id,
       json_extract(e.value, '$.path'),
       json_extract(e.value, '$.kind'),
       unhex(json_extract(p.manifest, '$.chunks[' || json_extract(e.value, '$.chunk') || '].hash')),
       json_extract(e.value, '$.offset'),
       json_extract(e.value, '$.size'),
       unhex(json_extract(e.value, '$.hash')),
       json_extract(e.value, '$.media_type'),
       json_extract(e.value, '$.rendition'),
       json_extract(e.value, '$.low_of')
FROM packs p, json_each(p.manifest, '$.entries') e;

UPDATE pack_chunks
SET codec = c.codec, size = c.size
FROM (SELECT p.id AS pack_id,
             unhex(json_extract(c.value, '$.hash')) AS hash,
             json_extract(c.value, '$.codec') AS codec,
             json_extract(c.value, '$.size') AS size
      FROM packs p, json_each(p.manifest, '$.chunks') c) AS c
WHERE pack_chunks.pack_id = c.pack_id AND pack_chunks.chunk_hash = c.hash;

UPDATE packs
SET dictionary = unhex(json_extract(manifest, '$.chunks[' || json_extract(manifest, '$.dictionary') || '].hash'))
WHERE json_extract(manifest, '$.dictionary') IS NOT NULL;

ALTER TABLE packs DROP COLUMN manifest;

-- A module's description is read from its pack's chunks when needed (it is there, checked);
-- the catalog keeps what it lists. The copy of module.json took more room than the text.
ALTER TABLE modules ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE modules ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE modules ADD COLUMN minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE modules ADD COLUMN lessons INTEGER NOT NULL DEFAULT 0;
UPDATE modules
SET title = json_extract(module, '$.title'),
    language = json_extract(module, '$.language'),
    minutes = json_extract(module, '$.minutes'),
    lessons = json_array_length(module, '$.lessons');
ALTER TABLE modules DROP COLUMN module;
