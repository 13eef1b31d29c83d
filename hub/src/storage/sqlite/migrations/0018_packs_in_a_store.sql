-- Packs' bytes move to the pack store (a folder or a bucket): new packs keep only their
-- description here. Packs stored before keep their bytes in pack_bytes, and say so, until
-- `skillpack hub move-packs` moves them; the hub serves them from here meanwhile.
ALTER TABLE packs ADD COLUMN bytes_in_db INTEGER NOT NULL DEFAULT 1;
