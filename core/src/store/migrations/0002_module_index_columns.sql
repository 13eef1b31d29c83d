-- Step 2, first part: each module gets the index of where its files live (what reading a
-- lesson looks up, so its cost does not grow with the catalogue) and the few fields the
-- catalog lists. The code of step 2 fills them from the manifests and module.json copies
-- that stores of step 1 kept, then the second part drops those copies.
ALTER TABLE modules ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE modules ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE modules ADD COLUMN minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE modules ADD COLUMN lessons INTEGER NOT NULL DEFAULT 0;
ALTER TABLE modules ADD COLUMN contents BLOB NOT NULL DEFAULT x'';  -- the module's index, zstd JSON
