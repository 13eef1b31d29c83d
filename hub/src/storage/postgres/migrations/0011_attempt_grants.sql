-- More attempts trainers granted learners, signed for the learner's devices to take at their
-- next push. Numbered so that a device asks only for those after the newest it took.
CREATE TABLE attempt_grants (
    number     bigserial PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,   -- the grant's random id
    learner    TEXT NOT NULL,
    module_id  TEXT NOT NULL,
    attempts   INTEGER NOT NULL,
    granted_by TEXT NOT NULL,
    granted_at timestamptz NOT NULL,
    body       TEXT NOT NULL            -- the signed grant (JSON)
);
CREATE INDEX attempt_grants_by_learner ON attempt_grants(learner, number);
