//! Issuers and the credentials the hub issued, on PostgreSQL, as on SQLite: each credential
//! stored once per record (the unique keys decide between two hub instances issuing at
//! once), numbered for devices to fetch what they lack, revoked by a flag.

use super::{iso, PgHub};
use crate::error::HubError;
use crate::storage::rows::{
    CredentialInsert, CredentialRevocation, HeldCredentialRow, IssuedRow, IssuerChange, IssuerRow,
    NewCredential, UnissuedPass,
};
use crate::storage::rules::{count, endorsement_column, issuer_row};

const ISSUER_COLUMNS: &str =
    "id, publisher, secret_key, profile, endorsement, endorsement_credential, status_list";

fn read_issuer(r: &tokio_postgres::Row) -> Result<IssuerRow, HubError> {
    issuer_row(
        r.get(0),
        &r.get::<_, Vec<u8>>(1),
        &r.get::<_, Vec<u8>>(2),
        r.get(3),
        r.get(4),
        r.get(5),
        r.get(6),
    )
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl PgHub {
    pub(crate) async fn set_issuer(
        &self,
        issuer: IssuerRow,
        change: IssuerChange,
    ) -> Result<u64, HubError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let row = tx
            .query_one(
                "INSERT INTO issuers (publisher, secret_key, profile, endorsement,
                     endorsement_credential, status_list, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, now())
                 ON CONFLICT (publisher) DO UPDATE SET secret_key = $2, profile = $3,
                     endorsement = $4, endorsement_credential = $5, status_list = $6
                 RETURNING id",
                &[
                    &issuer.publisher.to_bytes().as_slice(),
                    &issuer.seed.as_slice(),
                    &issuer.profile,
                    &endorsement_column(&issuer),
                    &issuer.endorsement_credential,
                    &issuer.status_list,
                ],
            )
            .await?;
        tx.execute(
            "INSERT INTO audit (at, actor, action, detail) VALUES (now(), $1, 'set_issuer', $2)",
            &[&change.by, &change.detail],
        )
        .await?;
        tx.commit().await?;
        Ok(count(row.get(0)))
    }

    pub(crate) async fn issuer_of(
        &self,
        publisher: [u8; 32],
    ) -> Result<Option<IssuerRow>, HubError> {
        let client = self.pool.get().await?;
        client
            .query_opt(
                &format!("SELECT {ISSUER_COLUMNS} FROM issuers WHERE publisher = $1"),
                &[&publisher.as_slice()],
            )
            .await?
            .as_ref()
            .map(read_issuer)
            .transpose()
    }

    pub(crate) async fn issuer(&self, id: u64) -> Result<Option<IssuerRow>, HubError> {
        let client = self.pool.get().await?;
        client
            .query_opt(
                &format!("SELECT {ISSUER_COLUMNS} FROM issuers WHERE id = $1"),
                &[&to_i64(id)],
            )
            .await?
            .as_ref()
            .map(read_issuer)
            .transpose()
    }

    pub(crate) async fn learners_with_unissued_passes(&self) -> Result<Vec<String>, HubError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT DISTINCT r.learner FROM records r
                 WHERE r.passed
                   AND NOT EXISTS (SELECT 1 FROM credentials c WHERE c.record_id = r.id)
                   AND NOT EXISTS (SELECT 1 FROM covered_passes p WHERE p.record_id = r.id)
                 ORDER BY r.learner",
                &[],
            )
            .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    pub(crate) async fn unissued_passes(
        &self,
        learner: String,
        limit: u32,
    ) -> Result<Vec<UnissuedPass>, HubError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT r.id, r.hash, r.body FROM records r
                 WHERE r.learner = $1 AND r.passed
                   AND NOT EXISTS (SELECT 1 FROM credentials c WHERE c.record_id = r.id)
                   AND NOT EXISTS (SELECT 1 FROM covered_passes p WHERE p.record_id = r.id)
                 ORDER BY r.received_at, r.id LIMIT $2",
                &[&learner, &i64::from(limit)],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(UnissuedPass {
                    record_id: r.get(0),
                    hash: r
                        .get::<_, Vec<u8>>(1)
                        .try_into()
                        .map_err(|_| HubError::Damaged("a stored record hash".into()))?,
                    body: r.get(2),
                })
            })
            .collect()
    }

    pub(crate) async fn pack_modules(
        &self,
        pack: [u8; 32],
    ) -> Result<Vec<(Vec<u8>, String)>, HubError> {
        let client = self.pool.get().await?;
        Ok(client
            .query(
                "SELECT p.publisher, m.body FROM pack_modules m JOIN packs p ON p.hash = m.pack_hash
                 WHERE m.pack_hash = $1 ORDER BY m.module_id",
                &[&pack.as_slice()],
            )
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }

    pub(crate) async fn pack_module(
        &self,
        pack: [u8; 32],
        module: String,
    ) -> Result<Option<(Vec<u8>, String)>, HubError> {
        let client = self.pool.get().await?;
        Ok(client
            .query_opt(
                "SELECT p.publisher, m.body FROM pack_modules m JOIN packs p ON p.hash = m.pack_hash
                 WHERE m.pack_hash = $1 AND m.module_id = $2",
                &[&pack.as_slice(), &module],
            )
            .await?
            .map(|r| (r.get(0), r.get(1))))
    }

    pub(crate) async fn add_credential(
        &self,
        credential: NewCredential,
    ) -> Result<CredentialInsert, HubError> {
        let client = self.pool.get().await?;
        let stored = client
            .query_opt(
                "INSERT INTO credentials (id, record_id, learner, issuer, status_index, body,
                     achievement, issued_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, now())
                 ON CONFLICT DO NOTHING RETURNING number",
                &[
                    &credential.id,
                    &credential.record_id,
                    &credential.learner,
                    &to_i64(credential.issuer),
                    &to_i64(credential.status_index),
                    &credential.body,
                    &credential.achievement,
                ],
            )
            .await?;
        if let Some(row) = stored {
            return Ok(CredentialInsert::Stored(count(row.get(0))));
        }
        let record_taken = match &credential.record_id {
            Some(record) => client
                .query_opt("SELECT 1 FROM credentials WHERE record_id = $1", &[record])
                .await?
                .is_some(),
            None => false,
        };
        if record_taken {
            return Ok(CredentialInsert::RecordTaken);
        }
        // The unique index on (learner, achievement) decides between two pushes at once: the
        // one that lost finds the winner's credential here.
        let held = client
            .query_opt(
                "SELECT number FROM credentials WHERE learner = $1 AND achievement = $2",
                &[&credential.learner, &credential.achievement],
            )
            .await?;
        if let Some(held) = held {
            let number: i64 = held.get(0);
            if let Some(record) = &credential.record_id {
                client
                    .execute(
                        "INSERT INTO covered_passes (record_id, credential, covered_at)
                         VALUES ($1, $2, now()) ON CONFLICT DO NOTHING",
                        &[record, &number],
                    )
                    .await?;
            }
            return Ok(CredentialInsert::AchievementHeld(count(number)));
        }
        Ok(CredentialInsert::IndexTaken)
    }

    pub(crate) async fn credentials_after(
        &self,
        learner: String,
        after: u64,
        limit: u32,
    ) -> Result<Vec<HeldCredentialRow>, HubError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT number, body, issuer FROM credentials
                 WHERE learner = $1 AND number > $2 AND copy_of IS NULL
                 ORDER BY number LIMIT $3",
                &[&learner, &to_i64(after), &i64::from(limit)],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| HeldCredentialRow {
                number: count(r.get(0)),
                body: r.get(1),
                issuer: count(r.get(2)),
            })
            .collect())
    }

    pub(crate) async fn newest_credential(&self, learner: String) -> Result<Option<u64>, HubError> {
        let client = self.pool.get().await?;
        let row = client
            .query_one(
                "SELECT max(number) FROM credentials WHERE learner = $1 AND copy_of IS NULL",
                &[&learner],
            )
            .await?;
        Ok(row.get::<_, Option<i64>>(0).map(count))
    }

    pub(crate) async fn revoke_credential(
        &self,
        revocation: CredentialRevocation,
    ) -> Result<Option<bool>, HubError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let updated = tx
            .query_opt(
                "UPDATE credentials SET revoked_at = now(), revoked_why = $2
                 WHERE id = $1 AND revoked_at IS NULL RETURNING number",
                &[&revocation.id, &revocation.reason],
            )
            .await?;
        if let Some(row) = updated {
            // The copies in the learner's wallets go with it, each audited.
            let copies = tx
                .query(
                    "UPDATE credentials SET revoked_at = now(), revoked_why = $2
                     WHERE copy_of = $1 AND revoked_at IS NULL RETURNING id",
                    &[&row.get::<_, i64>(0), &revocation.reason],
                )
                .await?;
            let copies = copies.iter().map(|r| r.get(0)).collect();
            for revoked in revocation.with_copies(copies) {
                tx.execute(
                    "INSERT INTO audit (at, actor, action, detail)
                     VALUES (now(), $1, 'revoke_credential', $2)",
                    &[&revoked.by, &revoked.audit_detail()],
                )
                .await?;
            }
            tx.commit().await?;
            return Ok(Some(true));
        }
        let known = tx
            .query_opt("SELECT 1 FROM credentials WHERE id = $1", &[&revocation.id])
            .await?
            .is_some();
        Ok(known.then_some(false))
    }

    pub(crate) async fn revoked_indexes(&self, issuer: u64) -> Result<Vec<u64>, HubError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT status_index FROM credentials WHERE issuer = $1 AND revoked_at IS NOT NULL",
                &[&to_i64(issuer)],
            )
            .await?;
        Ok(rows.iter().map(|r| count(r.get(0))).collect())
    }

    pub(crate) async fn issued_credentials(
        &self,
        learner: Option<String>,
    ) -> Result<Vec<IssuedRow>, HubError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT number, id, learner, record_id, issuer, {}, {}, revoked_why, copy_of,
                            wallet
                     FROM credentials WHERE $1::text IS NULL OR learner = $1 ORDER BY number",
                    iso("issued_at"),
                    iso("revoked_at")
                ),
                &[&learner],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| IssuedRow {
                number: count(r.get(0)),
                id: r.get(1),
                learner: r.get(2),
                record_id: r.get(3),
                issuer: count(r.get(4)),
                issued_at: r.get(5),
                revoked_at: r.get(6),
                revoked_why: r.get(7),
                copy_of: r.get::<_, Option<i64>>(8).map(count),
                wallet: r.get(9),
            })
            .collect())
    }
}
