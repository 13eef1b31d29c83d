-- A device speaks for a learner only under the learner's signed binding (JSON, as the device
-- sent it). Devices registered before bindings have none and must register again.
ALTER TABLE devices ADD COLUMN binding TEXT;

-- A learner who lost a phone without a backup starts again under a new identity; a trainer
-- links it to the old one, so the hub's views show one person.
CREATE TABLE learner_links (
    learner TEXT PRIMARY KEY,
    person TEXT NOT NULL,
    linked_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    linked_at TEXT NOT NULL
);

-- What operators and trainers changed, and why: never updated, never deleted.
CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
