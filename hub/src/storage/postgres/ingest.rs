//! Storing records on PostgreSQL: one transaction per push under a per-device advisory lock,
//! so hub instances sharing the database never race on one chain; every new record goes in
//! one `UNNEST` insert. What is new and what it flags is decided by `ledger::chain`.

use skillpack_core::keys::PublicKey;
use skillpack_core::ledger::{
    neighbour_seqs, plan_ingest, Decision, HeldRecord, Planned, ResultRecord, StoredLink,
    VerifiedRecord,
};
use skillpack_core::protocol::RecordResult;

use super::PgHub;
use crate::error::HubError;
use crate::storage::rules::{record_result, stored_hash};

impl PgHub {
    pub(crate) async fn ingest(
        &self,
        device: PublicKey,
        mut records: Vec<VerifiedRecord>,
    ) -> Result<Vec<RecordResult>, HubError> {
        let key = device.to_bytes();
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // One chain at a time across every hub instance sharing this database.
        let mut lock = [0u8; 8];
        lock.copy_from_slice(&key[..8]);
        tx.execute(
            "SELECT pg_advisory_xact_lock($1)",
            &[&i64::from_le_bytes(lock)],
        )
        .await?;
        records.sort_by_key(|r| r.signed.record.seq);
        let ids: Vec<&str> = records
            .iter()
            .map(|r| r.signed.record.id.as_str())
            .collect();
        let held = tx
            .query("SELECT id, hash FROM records WHERE id = ANY($1)", &[&ids])
            .await?
            .iter()
            .map(|row| {
                Ok(HeldRecord {
                    id: row.get(0),
                    hash: stored_hash(row.get(1))?,
                })
            })
            .collect::<Result<Vec<_>, HubError>>()?;
        let seqs: Vec<i64> = neighbour_seqs(&records)
            .into_iter()
            .map(|s| i64::try_from(s).unwrap_or(i64::MAX))
            .collect();
        let neighbours = tx
            .query(
                "SELECT seq, hash, prev FROM records WHERE device_key = $1 AND seq = ANY($2)",
                &[&key.as_slice(), &seqs],
            )
            .await?
            .iter()
            .map(|row| {
                Ok(StoredLink {
                    seq: u64::try_from(row.get::<_, i64>(0)).unwrap_or(0),
                    hash: stored_hash(row.get(1))?,
                    prev: row
                        .get::<_, Option<&[u8]>>(2)
                        .map(stored_hash)
                        .transpose()?,
                })
            })
            .collect::<Result<Vec<_>, HubError>>()?;
        let plan = plan_ingest(&records, &held, neighbours);
        let new: Vec<&Planned<'_>> = plan
            .iter()
            .filter(|p| matches!(p.decision, Decision::Store(_)))
            .collect();
        // Every new record in one statement, column by column.
        let column = |f: fn(&ResultRecord) -> &str| -> Vec<&str> {
            new.iter().map(|p| f(&p.record.signed.record)).collect()
        };
        let number = |f: fn(&ResultRecord) -> i64| -> Vec<i64> {
            new.iter().map(|p| f(&p.record.signed.record)).collect()
        };
        let bodies: Vec<&str> = new.iter().map(|p| p.record.canonical.as_str()).collect();
        let hashes: Vec<&[u8]> = new.iter().map(|p| p.record.hash.0.as_slice()).collect();
        let prevs: Vec<Option<&[u8]>> = new
            .iter()
            .map(|p| p.record.signed.record.prev.as_ref().map(|h| h.0.as_slice()))
            .collect();
        let passed: Vec<bool> = new.iter().map(|p| p.record.signed.record.passed).collect();
        tx.execute(
            "INSERT INTO records (id, device_key, seq, hash, prev, learner, module, passed, score, max_score, body, attempt, received_at)
             SELECT id, $2, seq, hash, prev, learner, module, passed, score, max_score, body, attempt, now()
             FROM UNNEST($1::text[], $3::bigint[], $4::bytea[], $5::bytea[], $6::text[], $7::text[], $8::bool[], $9::bigint[], $10::bigint[], $11::text[], $12::bigint[])
               AS r(id, seq, hash, prev, learner, module, passed, score, max_score, body, attempt)",
            &[
                &column(|r| &r.id),
                &key.as_slice(),
                &number(|r| i64::try_from(r.seq).unwrap_or(i64::MAX)),
                &hashes,
                &prevs,
                &column(|r| &r.learner),
                &column(|r| &r.module),
                &passed,
                &number(|r| i64::from(r.score)),
                &number(|r| i64::from(r.max_score)),
                &bodies,
                &number(|r| i64::from(r.attempt)),
            ],
        )
        .await?;
        for p in &new {
            let Decision::Store(flags) = &p.decision else {
                continue;
            };
            let rec = &p.record.signed.record;
            let seq = i64::try_from(rec.seq).unwrap_or(i64::MAX);
            for flag in flags {
                tx.execute(
                    "INSERT INTO flags (device_key, seq, kind, record_id, detail, flagged_at)
                     VALUES ($1, $2, $3, $4, $5, now())",
                    &[
                        &key.as_slice(),
                        &seq,
                        &flag.kind(),
                        &rec.id,
                        &flag.to_string(),
                    ],
                )
                .await?;
            }
        }
        // The same attempt number at the same module from another device of the learner (two
        // phones used offline at once): stored, and flagged for the trainer. One statement
        // for the whole push (the records are all one learner's), each by the index.
        if let Some(first) = new.first() {
            tx.execute(
                "INSERT INTO flags (device_key, seq, kind, record_id, detail, flagged_at)
                 SELECT DISTINCT ON (n.id) $1, n.seq, 'attempt', n.id,
                        'attempt ' || n.attempt || ' at ' || n.module || ' was also made on another device (record ' || o.id || ')',
                        now()
                 FROM UNNEST($2::text[], $3::bigint[], $4::text[], $5::bigint[]) AS n(id, seq, module, attempt)
                 JOIN records o ON o.learner = $6 AND o.module = n.module AND o.attempt = n.attempt
                                   AND o.device_key != $1
                 ORDER BY n.id, o.id",
                &[
                    &key.as_slice(),
                    &column(|r| &r.id),
                    &number(|r| i64::try_from(r.seq).unwrap_or(i64::MAX)),
                    &column(|r| &r.module),
                    &number(|r| i64::from(r.attempt)),
                    &first.record.signed.record.learner,
                ],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(plan.iter().map(record_result).collect())
    }
}
