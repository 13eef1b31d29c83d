-- A trainer's label for a learner belongs to the trainer's group: a learner in two groups
-- has a label from each group's trainer, and neither changes the other's. Labels written
-- before hold in every group the learner had a device in.
CREATE TABLE learner_labels (
    learner TEXT NOT NULL,
    grp TEXT NOT NULL,
    label TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (learner, grp)
);
INSERT INTO learner_labels (learner, grp, label, updated_at)
    SELECT DISTINCT n.learner, d.grp, n.label, n.updated_at
    FROM learner_names n JOIN devices d ON d.learner = n.learner
    WHERE n.label IS NOT NULL;
UPDATE learner_names SET label = NULL;
