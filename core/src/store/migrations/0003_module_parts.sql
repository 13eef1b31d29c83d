-- Step 3: a module of a format 2 pack is found through the part of its pack's manifest that
-- lists it (kept with the chunks, since an update takes unchanged parts from the device)
-- instead of an index of its own, which said the same again. Modules of format 1 packs keep
-- their index in `contents` and leave `part` empty.
ALTER TABLE modules ADD COLUMN part BLOB;      -- the part: SHA-256 of its stored bytes, then its inflated size (u64 LE)
ALTER TABLE packs ADD COLUMN dictionary BLOB;  -- the pack's dictionary chunk, if any: SHA-256, then its size (u64 LE)
