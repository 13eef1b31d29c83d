//! Enrolment codes and registered devices on PostgreSQL: a code is used up in the same
//! transaction that registers the device, so two devices never share its last use.

use skillpack_core::keys::PublicKey;

use super::PgHub;
use crate::error::HubError;
use crate::storage::rows::{
    DeviceJoin, DeviceRetirement, HistoryRow, KnownDevice, RegisterRefusal, Retired,
};
use crate::storage::rules::{held, known_device, normalize_code, HeldRecords};

impl PgHub {
    pub(crate) async fn learner_history(
        &self,
        learner: String,
        except: PublicKey,
        after: Option<String>,
        limit: u32,
    ) -> Result<Vec<HistoryRow>, HubError> {
        let client = self.pool.get().await?;
        // Byte order, as SQLite compares: the device pages by the last id it took.
        let rows = client
            .query(
                "SELECT r.id, r.body, d.binding FROM records r
                 JOIN devices d ON d.device_key = r.device_key
                 WHERE r.learner = $1 AND r.device_key != $2 AND r.id COLLATE \"C\" > $3
                 ORDER BY r.id COLLATE \"C\" LIMIT $4",
                &[
                    &learner,
                    &except.to_bytes().as_slice(),
                    &after.unwrap_or_default(),
                    &i64::from(limit),
                ],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| HistoryRow {
                id: r.get(0),
                body: r.get(1),
                binding: r.get(2),
            })
            .collect())
    }

    pub(crate) async fn history_count(
        &self,
        learner: String,
        except: PublicKey,
    ) -> Result<u64, HubError> {
        let client = self.pool.get().await?;
        let row = client
            .query_one(
                "SELECT count(*) FROM records WHERE learner = $1 AND device_key != $2",
                &[&learner, &except.to_bytes().as_slice()],
            )
            .await?;
        Ok(u64::try_from(row.get::<_, i64>(0)).unwrap_or(0))
    }

    pub(crate) async fn retire_device(
        &self,
        retirement: DeviceRetirement,
    ) -> Result<Retired, HubError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let key = retirement.device.to_bytes();
        let known = tx
            .query_opt(
                "SELECT learner, retired_at IS NOT NULL FROM devices WHERE device_key = $1
                 FOR UPDATE",
                &[&key.as_slice()],
            )
            .await?;
        let learner: String = match known {
            None => return Ok(Retired::Unknown),
            Some(row) if row.get::<_, bool>(1) => return Ok(Retired::Already),
            Some(row) => row.get(0),
        };
        tx.execute(
            "UPDATE devices SET retired_at = now(), retired_why = $2 WHERE device_key = $1",
            &[&key.as_slice(), &retirement.reason],
        )
        .await?;
        tx.execute(
            "INSERT INTO audit (at, actor, action, detail)
             VALUES (now(), $1, 'retire_device', $2)",
            &[&retirement.by, &retirement.audit_detail(&learner)],
        )
        .await?;
        tx.commit().await?;
        Ok(Retired::Now(learner))
    }

    pub(crate) async fn create_enrolment(
        &self,
        code: String,
        group: String,
        uses: Option<u32>,
        expires_at: Option<i64>,
    ) -> Result<(), HubError> {
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO enrolments (code, grp, uses_left, expires_at, created_at)
                 VALUES ($1, $2, $3, $4, now())",
                &[
                    &normalize_code(&code),
                    &group,
                    &uses.map(i64::from),
                    &expires_at,
                ],
            )
            .await?;
        Ok(())
    }

    pub(crate) async fn register_device(
        &self,
        join: DeviceJoin,
    ) -> Result<Result<String, RegisterRefusal>, HubError> {
        let key = join.device.to_bytes();
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        if let Some(row) = tx
            .query_opt(
                "SELECT learner, grp FROM devices WHERE device_key = $1 FOR UPDATE",
                &[&key.as_slice()],
            )
            .await?
        {
            let known: String = row.get(0);
            let answer = known_device(&known, row.get(1), &join.learner);
            if answer.is_ok() {
                tx.execute(
                    "UPDATE devices SET binding = $2 WHERE device_key = $1 AND binding IS NULL",
                    &[&key.as_slice(), &join.binding],
                )
                .await?;
                tx.commit().await?;
            }
            return Ok(answer);
        }
        let Some(code) = join.code else {
            return Ok(Err(RegisterRefusal::UnknownDevice));
        };
        let row = tx
            .query_opt(
                "UPDATE enrolments SET uses_left = uses_left - 1
                 WHERE code = $1 AND (uses_left IS NULL OR uses_left > 0)
                   AND (expires_at IS NULL OR expires_at >= extract(epoch from now())::bigint)
                   AND revoked_at IS NULL
                 RETURNING grp",
                &[&normalize_code(&code)],
            )
            .await?;
        let Some(row) = row else {
            return Ok(Err(RegisterRefusal::BadCode));
        };
        let group: String = row.get(0);
        tx.execute(
            "INSERT INTO devices (device_key, learner, grp, binding, registered_at)
             VALUES ($1, $2, $3, $4, now())",
            &[&key.as_slice(), &join.learner, &group, &join.binding],
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(group))
    }

    pub(crate) async fn device(&self, device: PublicKey) -> Result<Option<KnownDevice>, HubError> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                "SELECT learner, grp, binding IS NOT NULL, retired_why FROM devices WHERE device_key = $1",
                &[&device.to_bytes().as_slice()],
            )
            .await?;
        Ok(row.map(|r| KnownDevice {
            learner: r.get(0),
            group: r.get(1),
            bound: r.get(2),
            retired: r.get(3),
        }))
    }

    pub(crate) async fn held_records(&self, device: PublicKey) -> Result<HeldRecords, HubError> {
        let client = self.pool.get().await?;
        let row = client
            .query_one(
                "SELECT count(*), max(seq) FROM records WHERE device_key = $1",
                &[&device.to_bytes().as_slice()],
            )
            .await?;
        Ok(held(row.get(0), row.get(1)))
    }
}
