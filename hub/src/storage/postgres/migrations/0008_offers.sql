-- A pack is stored once and offered to any number of groups: an offer names the pack and a
-- group. Packs published before carry their one group over as their one offer. Withdrawing a
-- pack from a group ends its offer; the pack stays stored for the other groups.
CREATE TABLE offers (
    pack_hash  BYTEA NOT NULL REFERENCES packs(hash),
    grp        TEXT NOT NULL,
    offered_at timestamptz NOT NULL,
    PRIMARY KEY (grp, pack_hash)
);
INSERT INTO offers (pack_hash, grp, offered_at) SELECT hash, grp, published_at FROM packs;
DROP INDEX IF EXISTS packs_by_group;
ALTER TABLE packs DROP COLUMN grp;
CREATE INDEX packs_by_id ON packs(id, version, variant);

-- Enrolment codes a trainer revoked stay listed, marked.
ALTER TABLE enrolments ADD COLUMN revoked_at timestamptz;
