//! Work records a platform issues to its workers through the hub: the platform is a provider
//! here (a publisher with an issuer key the hub holds, endorsed by the platform's own key), and
//! each record and each client review it passes on becomes a credential
//! (`credential::work_record`) signed with that issuer key, with a status bit for revocation
//! and the platform's endorsement in its profile, as its training credentials have. The
//! worker's devices take them at their next sync, as any credential of theirs.

use chrono::Utc;
use serde_json::Value;
use skillpack_core::credential::status::revocation_entry_value;
use skillpack_core::credential::work_record::{unsigned_work_records, WorkRecord};
use skillpack_core::credential::{add_proof, timestamp, Contexts, Cryptosuite, ProofOptions};
use skillpack_core::hash::ContentHash;
use skillpack_core::keys::{PublicKey, SecretKey};

use crate::error::HubError;
use crate::issue::{draw_status_index, issuer_endorsement, issuer_profile, uuid_v4, STATUS_DRAWS};
use crate::storage::{CredentialInsert, HubDb, IssuerRow, NewCredential};

/// What issuing a platform's records came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkRecordsIssued {
    /// The platform has no issuer on this hub, or its key is not endorsed yet: nothing issued.
    NoIssuer,
    /// Issued: how many credentials (records and reviews), and how many were held already
    /// (the same record issued before).
    Issued {
        /// Credentials issued now.
        issued: usize,
        /// Records or reviews the worker held already.
        held: usize,
    },
}

/// Issues `records` (each checked) for the platform whose publisher key is `platform`.
pub async fn issue_work_records(
    db: &HubDb,
    platform: PublicKey,
    records: &[WorkRecord],
) -> Result<WorkRecordsIssued, HubError> {
    let Some(issuer) = db.issuer_of(platform).await?.filter(IssuerRow::is_endorsed) else {
        return Ok(WorkRecordsIssued::NoIssuer);
    };
    let profile = issuer_profile(&issuer)?;
    let key = SecretKey::from_seed(&issuer.seed);
    let issuer_did = key.public_key().to_did_key();
    let endorsement = issuer_endorsement(&issuer)?;
    let (mut issued, mut held) = (0, 0);
    for record in records {
        let ids: Vec<String> = (0..=record.reviews.len())
            .map(|_| uuid_v4().map(|u| format!("urn:uuid:{u}")))
            .collect::<Result<_, _>>()?;
        let mut ids = ids.into_iter();
        let now = Utc::now();
        let unsigned = unsigned_work_records(&profile, &issuer_did, record, now, &mut || {
            ids.next().unwrap_or_default()
        })?;
        for (n, mut credential) in unsigned.into_iter().enumerate() {
            if let Some(endorsement) = &endorsement {
                credential["issuer"]["endorsement"] = Value::Array(vec![endorsement.clone()]);
            }
            // One record per worker, occupation and period, and one credential per review
            // (its day and words): issuing the same export again issues nothing twice.
            let achievement = match n.checked_sub(1).and_then(|r| record.reviews.get(r)) {
                None => format!(
                    "{} {}..{}",
                    credential["credentialSubject"]["achievement"]["id"]
                        .as_str()
                        .unwrap_or(""),
                    record.start,
                    record.end
                ),
                Some(review) => format!(
                    "{issuer_did}#client-review {} {}",
                    review.date,
                    ContentHash::of(review.text.trim().as_bytes()).to_hex()
                ),
            };
            match store_one(db, &issuer, &key, credential, &record.worker, achievement).await? {
                true => issued += 1,
                false => held += 1,
            }
        }
    }
    Ok(WorkRecordsIssued::Issued { issued, held })
}

/// Signs `unsigned` with a status bit of its own and stores it for `worker`; false when the
/// worker holds that achievement already.
async fn store_one(
    db: &HubDb,
    issuer: &IssuerRow,
    key: &SecretKey,
    unsigned: Value,
    worker: &str,
    achievement: String,
) -> Result<bool, HubError> {
    for _ in 0..STATUS_DRAWS {
        let status_index = draw_status_index()?;
        let mut credential = unsigned.clone();
        credential["credentialStatus"] = revocation_entry_value(&issuer.status_list, status_index);
        let options = ProofOptions {
            cryptosuite: Cryptosuite::EddsaRdfc2022,
            created: timestamp(&Utc::now()),
            verification_method: key.public_key().to_verification_method(),
        };
        let seed = issuer.seed;
        let signed = tokio::task::spawn_blocking(move || {
            add_proof(
                &credential,
                &SecretKey::from_seed(&seed),
                &options,
                Contexts::bundled(),
            )
        })
        .await??;
        let id = signed["id"].as_str().unwrap_or("").to_owned();
        let body = serde_json::to_string(&signed).map_err(|e| HubError::Encoding(e.to_string()))?;
        match db
            .add_credential(NewCredential {
                id,
                record_id: None,
                learner: worker.to_owned(),
                issuer: issuer.id,
                status_index,
                body,
                achievement: achievement.clone(),
            })
            .await?
        {
            CredentialInsert::Stored(_) => return Ok(true),
            CredentialInsert::AchievementHeld(_) | CredentialInsert::RecordTaken => {
                return Ok(false)
            }
            CredentialInsert::IndexTaken => {}
        }
    }
    Err(HubError::Encoding(
        "no free bit in the issuer's status list".into(),
    ))
}
