-- Step 9: the learner's finished attempts made on their other devices (a phone restored from
-- a backup, or a second phone), taken from the hub at sync as the learner's own signed records
-- (each checked: its device's signature, and the learner's binding of that device). They count
-- with this device's own attempts, so a restore gives back no attempt.
CREATE TABLE attempts_elsewhere (
    record_id TEXT PRIMARY KEY,
    device    TEXT NOT NULL,     -- the did:key of the device that signed it
    module_id TEXT NOT NULL,
    number    INTEGER NOT NULL,  -- the attempt's number on that device
    ended_at  TEXT NOT NULL,
    passed    INTEGER NOT NULL,
    score     INTEGER NOT NULL,
    max_score INTEGER NOT NULL,
    body      TEXT NOT NULL      -- the signed record, canonical JSON
) STRICT;
CREATE INDEX attempts_elsewhere_by_module ON attempts_elsewhere(module_id, number);
