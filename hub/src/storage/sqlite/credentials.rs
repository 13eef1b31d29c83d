//! Issuers and the credentials the hub issued, on SQLite: each credential stored once per
//! record, numbered for the learner's devices to fetch what they lack, revoked by a flag
//! that the issuer's status list reads.

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::{SqliteHub, NOW};
use crate::error::HubError;
use crate::storage::rows::{
    CredentialInsert, CredentialRevocation, HeldCredentialRow, IssuedRow, IssuerChange, IssuerRow,
    NewCredential, UnissuedPass,
};
use crate::storage::rules::{count, endorsement_column, issuer_row};

const ISSUER_COLUMNS: &str =
    "id, publisher, secret_key, profile, endorsement, endorsement_credential, status_list";

fn read_issuer(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<IssuerRow, HubError>> {
    Ok(issuer_row(
        r.get(0)?,
        &r.get::<_, Vec<u8>>(1)?,
        &r.get::<_, Vec<u8>>(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

impl SqliteHub {
    pub(crate) async fn set_issuer(
        &self,
        issuer: IssuerRow,
        change: IssuerChange,
    ) -> Result<u64, HubError> {
        self.run(move |db| {
            let mut conn = db.lock();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let id: i64 = tx.query_row(
                &format!(
                    "INSERT INTO issuers (publisher, secret_key, profile, endorsement,
                         endorsement_credential, status_list, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, {NOW})
                     ON CONFLICT (publisher) DO UPDATE SET secret_key = ?2, profile = ?3,
                         endorsement = ?4, endorsement_credential = ?5, status_list = ?6
                     RETURNING id"
                ),
                params![
                    issuer.publisher.to_bytes().as_slice(),
                    issuer.seed.as_slice(),
                    issuer.profile,
                    endorsement_column(&issuer),
                    issuer.endorsement_credential,
                    issuer.status_list
                ],
                |r| r.get(0),
            )?;
            tx.execute(
                &format!(
                    "INSERT INTO audit (at, actor, action, detail)
                     VALUES ({NOW}, ?1, 'set_issuer', ?2)"
                ),
                params![change.by, change.detail],
            )?;
            tx.commit()?;
            Ok(count(id))
        })
        .await
    }

    pub(crate) async fn issuer_of(
        &self,
        publisher: [u8; 32],
    ) -> Result<Option<IssuerRow>, HubError> {
        self.run(move |db| {
            db.read()
                .query_row(
                    &format!("SELECT {ISSUER_COLUMNS} FROM issuers WHERE publisher = ?1"),
                    [publisher.as_slice()],
                    read_issuer,
                )
                .optional()?
                .transpose()
        })
        .await
    }

    pub(crate) async fn issuer(&self, id: u64) -> Result<Option<IssuerRow>, HubError> {
        let id = i64::try_from(id).unwrap_or(i64::MAX);
        self.run(move |db| {
            db.read()
                .query_row(
                    &format!("SELECT {ISSUER_COLUMNS} FROM issuers WHERE id = ?1"),
                    [id],
                    read_issuer,
                )
                .optional()?
                .transpose()
        })
        .await
    }

    pub(crate) async fn learners_with_unissued_passes(&self) -> Result<Vec<String>, HubError> {
        self.run(move |db| {
            let conn = db.read();
            let mut stmt = conn.prepare_cached(
                "SELECT DISTINCT r.learner FROM records r
                 WHERE r.passed = 1
                   AND NOT EXISTS (SELECT 1 FROM credentials c WHERE c.record_id = r.id)
                   AND NOT EXISTS (SELECT 1 FROM covered_passes p WHERE p.record_id = r.id)
                 ORDER BY r.learner",
            )?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    pub(crate) async fn unissued_passes(
        &self,
        learner: String,
        limit: u32,
    ) -> Result<Vec<UnissuedPass>, HubError> {
        self.run(move |db| {
            let conn = db.read();
            let mut stmt = conn.prepare_cached(
                "SELECT r.id, r.hash, r.body FROM records r
                 WHERE r.learner = ?1 AND r.passed = 1
                   AND NOT EXISTS (SELECT 1 FROM credentials c WHERE c.record_id = r.id)
                   AND NOT EXISTS (SELECT 1 FROM covered_passes p WHERE p.record_id = r.id)
                 ORDER BY r.rowid LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![learner, limit], |r| {
                Ok((r.get(0)?, r.get::<_, Vec<u8>>(1)?, r.get(2)?))
            })?;
            let mut passes = Vec::new();
            for row in rows {
                let (record_id, hash, body) = row?;
                let hash = hash
                    .try_into()
                    .map_err(|_| HubError::Damaged("a stored record hash".into()))?;
                passes.push(UnissuedPass {
                    record_id,
                    hash,
                    body,
                });
            }
            Ok(passes)
        })
        .await
    }

    pub(crate) async fn pack_module(
        &self,
        pack: [u8; 32],
        module: String,
    ) -> Result<Option<(Vec<u8>, String)>, HubError> {
        self.run(move |db| {
            Ok(db
                .read()
                .query_row(
                    "SELECT p.publisher, m.body FROM pack_modules m JOIN packs p ON p.hash = m.pack_hash
                     WHERE m.pack_hash = ?1 AND m.module_id = ?2",
                    params![pack.as_slice(), module],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?)
        })
        .await
    }

    pub(crate) async fn pack_modules(
        &self,
        pack: [u8; 32],
    ) -> Result<Vec<(Vec<u8>, String)>, HubError> {
        self.run(move |db| {
            let conn = db.read();
            let mut stmt = conn.prepare(
                "SELECT p.publisher, m.body FROM pack_modules m JOIN packs p ON p.hash = m.pack_hash
                 WHERE m.pack_hash = ?1 ORDER BY m.module_id",
            )?;
            let rows = stmt.query_map([pack.as_slice()], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    pub(crate) async fn add_credential(
        &self,
        credential: NewCredential,
    ) -> Result<CredentialInsert, HubError> {
        self.run(move |db| {
            let mut conn = db.lock();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let taken: bool = match &credential.record_id {
                Some(record) => tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM credentials WHERE record_id = ?1)",
                    [record],
                    |r| r.get(0),
                )?,
                None => false,
            };
            if taken {
                return Ok(CredentialInsert::RecordTaken);
            }
            let held: Option<i64> = tx
                .query_row(
                    "SELECT number FROM credentials WHERE learner = ?1 AND achievement = ?2",
                    params![credential.learner, credential.achievement],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(held) = held {
                if let Some(record) = &credential.record_id {
                    tx.execute(
                        &format!(
                            "INSERT INTO covered_passes (record_id, credential, covered_at)
                             VALUES (?1, ?2, {NOW}) ON CONFLICT DO NOTHING"
                        ),
                        params![record, held],
                    )?;
                }
                tx.commit()?;
                return Ok(CredentialInsert::AchievementHeld(count(held)));
            }
            let issuer = i64::try_from(credential.issuer).unwrap_or(i64::MAX);
            let index = i64::try_from(credential.status_index).unwrap_or(i64::MAX);
            let index_taken: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM credentials WHERE issuer = ?1 AND status_index = ?2)",
                params![issuer, index],
                |r| r.get(0),
            )?;
            if index_taken {
                return Ok(CredentialInsert::IndexTaken);
            }
            tx.execute(
                &format!(
                    "INSERT INTO credentials (id, record_id, learner, issuer, status_index, body,
                         achievement, issued_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, {NOW})"
                ),
                params![
                    credential.id,
                    credential.record_id,
                    credential.learner,
                    issuer,
                    index,
                    credential.body,
                    credential.achievement
                ],
            )?;
            let number = tx.last_insert_rowid();
            tx.commit()?;
            Ok(CredentialInsert::Stored(count(number)))
        })
        .await
    }

    pub(crate) async fn credentials_after(
        &self,
        learner: String,
        after: u64,
        limit: u32,
    ) -> Result<Vec<HeldCredentialRow>, HubError> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        self.run(move |db| {
            let conn = db.read();
            let mut stmt = conn.prepare_cached(
                "SELECT number, body, issuer FROM credentials
                 WHERE learner = ?1 AND number > ?2 AND copy_of IS NULL
                 ORDER BY number LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![learner, after, limit], |r| {
                Ok(HeldCredentialRow {
                    number: count(r.get(0)?),
                    body: r.get(1)?,
                    issuer: count(r.get(2)?),
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    pub(crate) async fn newest_credential(&self, learner: String) -> Result<Option<u64>, HubError> {
        self.run(move |db| {
            let newest: Option<i64> = db.read().query_row(
                "SELECT max(number) FROM credentials WHERE learner = ?1 AND copy_of IS NULL",
                [learner],
                |r| r.get(0),
            )?;
            Ok(newest.map(count))
        })
        .await
    }

    pub(crate) async fn revoke_credential(
        &self,
        revocation: CredentialRevocation,
    ) -> Result<Option<bool>, HubError> {
        self.run(move |db| {
            let mut conn = db.lock();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let revoked: Option<(i64, Option<String>)> = tx
                .query_row(
                    "SELECT number, revoked_at FROM credentials WHERE id = ?1",
                    [&revocation.id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            match revoked {
                None => Ok(None),
                Some((_, Some(_))) => Ok(Some(false)),
                Some((number, None)) => {
                    // The copies in the learner's wallets go with it, each audited.
                    let copies: Vec<String> = tx
                        .prepare(
                            "SELECT id FROM credentials WHERE copy_of = ?1 AND revoked_at IS NULL",
                        )?
                        .query_map([number], |r| r.get(0))?
                        .collect::<Result<_, _>>()?;
                    for revoked in revocation.with_copies(copies) {
                        tx.execute(
                            &format!(
                                "UPDATE credentials SET revoked_at = {NOW}, revoked_why = ?2 WHERE id = ?1"
                            ),
                            params![revoked.id, revoked.reason],
                        )?;
                        tx.execute(
                            &format!(
                                "INSERT INTO audit (at, actor, action, detail)
                                 VALUES ({NOW}, ?1, 'revoke_credential', ?2)"
                            ),
                            params![revoked.by, revoked.audit_detail()],
                        )?;
                    }
                    tx.commit()?;
                    Ok(Some(true))
                }
            }
        })
        .await
    }

    pub(crate) async fn revoked_indexes(&self, issuer: u64) -> Result<Vec<u64>, HubError> {
        let issuer = i64::try_from(issuer).unwrap_or(i64::MAX);
        self.run(move |db| {
            let conn = db.read();
            let mut stmt = conn.prepare_cached(
                "SELECT status_index FROM credentials WHERE issuer = ?1 AND revoked_at IS NOT NULL",
            )?;
            let rows = stmt.query_map([issuer], |r| Ok(count(r.get(0)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    pub(crate) async fn issued_credentials(
        &self,
        learner: Option<String>,
    ) -> Result<Vec<IssuedRow>, HubError> {
        self.run(move |db| {
            let conn = db.read();
            let mut stmt = conn.prepare_cached(
                "SELECT number, id, learner, record_id, issuer, issued_at, revoked_at, revoked_why,
                        copy_of, wallet
                 FROM credentials WHERE ?1 IS NULL OR learner = ?1 ORDER BY number",
            )?;
            let rows = stmt.query_map([learner], |r| {
                Ok(IssuedRow {
                    number: count(r.get(0)?),
                    id: r.get(1)?,
                    learner: r.get(2)?,
                    record_id: r.get(3)?,
                    issuer: count(r.get(4)?),
                    issued_at: r.get(5)?,
                    revoked_at: r.get(6)?,
                    revoked_why: r.get(7)?,
                    copy_of: r.get::<_, Option<i64>>(8)?.map(count),
                    wallet: r.get(9)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}
