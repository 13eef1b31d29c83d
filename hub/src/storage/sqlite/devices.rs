//! Enrolment codes and registered devices on SQLite: a code is used up in the same
//! transaction that registers the device, so two devices never share its last use.

use rusqlite::{params, OptionalExtension, TransactionBehavior};
use skillpack_core::keys::PublicKey;

use super::{SqliteHub, NOW};
use crate::error::HubError;
use crate::storage::rows::{known_device, normalize_code, RegisterRefusal};

impl SqliteHub {
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
        code: String,
        device: PublicKey,
        learner: String,
    ) -> Result<Result<String, RegisterRefusal>, HubError> {
        self.run(move |db| {
            let key = device.to_bytes();
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
                return Ok(known_device(&known, group, &learner));
            }
            let group: Option<String> = tx
                .query_row(
                    "UPDATE enrolments SET uses_left = uses_left - 1
                     WHERE code = ?1 AND (uses_left IS NULL OR uses_left > 0)
                       AND (expires_at IS NULL OR expires_at >= unixepoch())
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
                    "INSERT INTO devices (device_key, learner, grp, registered_at)
                     VALUES (?1, ?2, ?3, {NOW})"
                ),
                params![key.as_slice(), learner, group],
            )?;
            tx.commit()?;
            Ok(Ok(group))
        })
        .await
    }

    pub(crate) async fn register_relayed(
        &self,
        device: PublicKey,
        learner: String,
        group: String,
    ) -> Result<Result<(), RegisterRefusal>, HubError> {
        self.run(move |db| {
            let key = device.to_bytes();
            let conn = db.lock();
            conn.execute(
                &format!(
                    "INSERT INTO devices (device_key, learner, grp, registered_at)
                     VALUES (?1, ?2, ?3, {NOW}) ON CONFLICT (device_key) DO NOTHING"
                ),
                params![key.as_slice(), learner, group],
            )?;
            let known: String = conn.query_row(
                "SELECT learner FROM devices WHERE device_key = ?1",
                [key.as_slice()],
                |r| r.get(0),
            )?;
            Ok(known_device(&known, group, &learner).map(drop))
        })
        .await
    }

    pub(crate) async fn device(
        &self,
        device: PublicKey,
    ) -> Result<Option<(String, String)>, HubError> {
        self.run(move |db| {
            Ok(db
                .read()
                .query_row(
                    "SELECT learner, grp FROM devices WHERE device_key = ?1",
                    [device.to_bytes().as_slice()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?)
        })
        .await
    }
}
