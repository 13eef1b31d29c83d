-- A learner's records in order of id, for the history a restored or second phone takes
-- (`POST /v1/history`), and counted in each push's answer.
CREATE INDEX records_by_learner ON records(learner, id);
