-- Learners have names: the one a learner chose to show the trainers of their group (sent by
-- their device), and a label a trainer wrote. Views show the label, else the chosen name,
-- else the learner's key.
CREATE TABLE learner_names (
    learner    TEXT PRIMARY KEY,
    name       TEXT,        -- chosen by the learner; NULL: none
    label      TEXT,        -- written by a trainer; NULL: none
    updated_at timestamptz NOT NULL
);
