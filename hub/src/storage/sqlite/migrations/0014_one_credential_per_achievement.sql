-- A learner holds at most one credential for each achievement (a module version of one
-- issuer), however many times they pass it, from however many devices, under concurrent
-- pushes: the unique index decides. A wallet's copy (copy_of) is the same award again and is
-- not counted. Credentials issued twice before this step keep their first as the one that
-- counts; the later ones stay valid, with no achievement here, for the operator to revoke.
ALTER TABLE credentials ADD COLUMN achievement TEXT;
UPDATE credentials
   SET achievement = json_extract(body, '$.credentialSubject.achievement.id')
 WHERE copy_of IS NULL;
UPDATE credentials
   SET achievement = NULL
 WHERE achievement IS NOT NULL
   AND number NOT IN (SELECT MIN(number) FROM credentials
                       WHERE achievement IS NOT NULL GROUP BY learner, achievement);
CREATE UNIQUE INDEX credentials_one_per_achievement ON credentials(learner, achievement)
    WHERE achievement IS NOT NULL;

-- A passing record that earns no credential of its own, because its learner already holds
-- the one for that achievement: `credential` is that one. Such a pass is not tried again.
CREATE TABLE covered_passes (
    record_id  TEXT PRIMARY KEY REFERENCES records(id),
    credential INTEGER NOT NULL REFERENCES credentials(number),
    covered_at TEXT NOT NULL
) STRICT;
