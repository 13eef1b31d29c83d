-- A device the learner lost, or that someone else holds, retired by a trainer or operator
-- with a reason: its later pushes, registrations and relay bundles are refused
-- (`device_retired`); the records it sent before stay.
ALTER TABLE devices ADD COLUMN retired_at TEXT;
ALTER TABLE devices ADD COLUMN retired_why TEXT;
