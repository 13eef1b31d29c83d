-- A record's attempt number in a column of its own, and found by learner, module and attempt:
-- each stored record asks whether another device of the learner made the same attempt at the
-- module (two phones used offline at once), and parsing every one of the learner's record
-- bodies made that question grow with the learner's history.
ALTER TABLE records ADD COLUMN attempt bigint;
UPDATE records SET attempt = (body::jsonb #>> '{record,attempt}')::bigint;
CREATE INDEX records_by_attempt ON records(learner, module, attempt);
