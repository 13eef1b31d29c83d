//! Enrolment codes and registered devices on SQLite: a code is used up in the same
//! transaction that registers the device, so two devices never share its last use.

use rusqlite::{params, OptionalExtension, TransactionBehavior};
use skillpack_core::keys::PublicKey;

use super::{SqliteHub, NOW};
use crate::error::HubError;
use crate::storage::rows::{
    DeviceJoin, DeviceRetirement, HistoryRow, KnownDevice, RegisterRefusal, Retired,
};
use crate::storage::rules::{held, known_device, normalize_code, HeldRecords};

impl SqliteHub {
    pub(crate) async fn learner_history(
        &self,
        learner: String,
        except: PublicKey,
        after: Option<String>,
        limit: u32,
    ) -> Result<Vec<HistoryRow>, HubError> {
        self.run(move |db| {
            let conn = db.read();
            let mut stmt = conn.prepare_cached(
                "SELECT r.id, r.body, d.binding FROM records r
                 JOIN devices d ON d.device_key = r.device_key
                 WHERE r.learner = ?1 AND r.device_key != ?2 AND r.id > ?3
                 ORDER BY r.id LIMIT ?4",
            )?;
            let rows = stmt.query_map(
                params![
                    learner,
                    except.to_bytes().as_slice(),
                    after.unwrap_or_default(),
                    limit
                ],
                |r| {
                    Ok(HistoryRow {
                        id: r.get(0)?,
                        body: r.get(1)?,
                        binding: r.get(2)?,
                    })
                },
            )?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    pub(crate) async fn history_count(
        &self,
        learner: String,
        except: PublicKey,
    ) -> Result<u64, HubError> {
        self.run(move |db| {
            let n: i64 = db.read().query_row(
                "SELECT count(*) FROM records WHERE learner = ?1 AND device_key != ?2",
                params![learner, except.to_bytes().as_slice()],
                |r| r.get(0),
            )?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
        .await
    }

    pub(crate) async fn retire_device(
        &self,
        retirement: DeviceRetirement,
    ) -> Result<Retired, HubError> {
        self.run(move |db| {
            let mut conn = db.lock();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let key = retirement.device.to_bytes();
            let known: Option<(String, Option<String>)> = tx
                .query_row(
                    "SELECT learner, retired_at FROM devices WHERE device_key = ?1",
                    [key.as_slice()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let learner = match known {
                None => return Ok(Retired::Unknown),
                Some((_, Some(_))) => return Ok(Retired::Already),
                Some((learner, None)) => learner,
            };
            tx.execute(
                &format!(
                    "UPDATE devices SET retired_at = {NOW}, retired_why = ?2 WHERE device_key = ?1"
                ),
                params![key.as_slice(), retirement.reason],
            )?;
            tx.execute(
                &format!(
                    "INSERT INTO audit (at, actor, action, detail)
                     VALUES ({NOW}, ?1, 'retire_device', ?2)"
                ),
                params![retirement.by, retirement.audit_detail(&learner)],
            )?;
            tx.commit()?;
            Ok(Retired::Now(learner))
        })
        .await
    }

    pub(crate) async fn create_enrolment(
        &self,
        code: String,
        group: String,
        uses: Option<u32>,
        expires_at: Option<i64>,
    ) -> Result<(), HubError> {
        self.run(move |db| {
            db.lock().execute(
                &format!(
                    "INSERT INTO enrolments (code, grp, uses_left, expires_at, created_at)
                     VALUES (?1, ?2, ?3, ?4, {NOW})"
                ),
                params![normalize_code(&code), group, uses, expires_at],
            )?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn register_device(
        &self,
        join: DeviceJoin,
    ) -> Result<Result<String, RegisterRefusal>, HubError> {
        self.run(move |db| {
            let key = join.device.to_bytes();
            let mut conn = db.lock();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let existing: Option<(String, String)> = tx
                .query_row(
                    "SELECT learner, grp FROM devices WHERE device_key = ?1",
                    [key.as_slice()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((known, group)) = existing {
                let answer = known_device(&known, group, &join.learner);
                if answer.is_ok() {
                    tx.execute(
                        "UPDATE devices SET binding = ?2 WHERE device_key = ?1 AND binding IS NULL",
                        params![key.as_slice(), join.binding],
                    )?;
                    tx.commit()?;
                }
                return Ok(answer);
            }
            let Some(code) = join.code else {
                return Ok(Err(RegisterRefusal::UnknownDevice));
            };
            let group: Option<String> = tx
                .query_row(
                    "UPDATE enrolments SET uses_left = uses_left - 1
                     WHERE code = ?1 AND (uses_left IS NULL OR uses_left > 0)
                       AND (expires_at IS NULL OR expires_at >= unixepoch())
                       AND revoked_at IS NULL
                     RETURNING grp",
                    [normalize_code(&code)],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(group) = group else {
                return Ok(Err(RegisterRefusal::BadCode));
            };
            tx.execute(
                &format!(
                    "INSERT INTO devices (device_key, learner, grp, binding, registered_at)
                     VALUES (?1, ?2, ?3, ?4, {NOW})"
                ),
                params![key.as_slice(), join.learner, group, join.binding],
            )?;
            tx.commit()?;
            Ok(Ok(group))
        })
        .await
    }

    pub(crate) async fn device(&self, device: PublicKey) -> Result<Option<KnownDevice>, HubError> {
        self.run(move |db| {
            Ok(db
                .read()
                .query_row(
                    "SELECT learner, grp, binding IS NOT NULL, retired_why FROM devices WHERE device_key = ?1",
                    [device.to_bytes().as_slice()],
                    |r| {
                        Ok(KnownDevice {
                            learner: r.get(0)?,
                            group: r.get(1)?,
                            bound: r.get(2)?,
                            retired: r.get(3)?,
                        })
                    },
                )
                .optional()?)
        })
        .await
    }

    pub(crate) async fn held_records(&self, device: PublicKey) -> Result<HeldRecords, HubError> {
        self.run(move |db| {
            let (count, last): (i64, Option<i64>) = db.read().query_row(
                "SELECT count(*), max(seq) FROM records WHERE device_key = ?1",
                [device.to_bytes().as_slice()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            Ok(held(count, last))
        })
        .await
    }
}
