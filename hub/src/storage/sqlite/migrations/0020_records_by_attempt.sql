-- A record's attempt number in a column of its own, and found by learner, module and attempt:
-- each stored record asks whether another device of the learner made the same attempt at the
-- module (two phones used offline at once), and reading the number out of every one of the
-- learner's record bodies made that question grow with the learner's history (a push of 100
-- records re-read the learner's whole history 100 times).
ALTER TABLE records ADD COLUMN attempt INTEGER;
UPDATE records SET attempt = json_extract(body, '$.record.attempt');
CREATE INDEX records_by_attempt ON records(learner, module, attempt);
