//! Milestones at sync: when a learner's pass gives them enough parts of a pathway of the same
//! pack, the pack's provider awards the pathway's own credential (`credential::milestone`),
//! signed with the provider's issuer key, its evidence naming each part's credential by id
//! and digest. Only that issuer's credentials count as parts, and not revoked ones. A learner
//! holds one credential per achievement, so a milestone is issued once; a pass whose own
//! credential was issued before (a second pass, a retry) looks again, so a milestone that
//! could not be issued at its pass is issued at the next.

use std::sync::Arc;

use chrono::Utc;
use serde_json::Value;
use skillpack_core::credential::milestone::{issue_milestone, module_of, progress, MilestoneAward};
use skillpack_core::credential::{self, Contexts, StatusEntry};
use skillpack_core::keys::SecretKey;
use skillpack_core::module::Module;

use crate::error::HubError;
use crate::issue::{draw_status_index, issuer_endorsement, issuer_profile, uuid_v4, STATUS_DRAWS};
use crate::storage::{CredentialInsert, HubDb, IssuerRow, NewCredential};

/// Issues the milestones that the pass of `module` in the pack `pack` completes for
/// `learner`; gives how many were issued.
pub async fn issue_completed(
    db: &HubDb,
    learner: &str,
    pack: [u8; 32],
    module: &str,
) -> Result<usize, HubError> {
    let pathways: Vec<_> = db
        .pack_modules(pack)
        .await?
        .into_iter()
        .filter(|m| {
            m.module
                .pathway
                .as_ref()
                .is_some_and(|p| p.parts.iter().any(|part| part == module))
        })
        .collect();
    if pathways.is_empty() {
        return Ok(0);
    }
    let rows = db.issued_credentials(Some(learner)).await?;
    let mut issued = 0;
    for found in pathways {
        let Some(pathway) = &found.module.pathway else {
            continue;
        };
        let Some(issuer) = db
            .issuer_of(found.publisher)
            .await?
            .filter(IssuerRow::is_endorsed)
        else {
            continue;
        };
        // The parts that count: the learner's own credentials from this provider's issuer
        // (a module id is not owned: another provider's module of the same id is no part),
        // not revoked.
        let mut held: Vec<Value> = Vec::new();
        for row in rows
            .iter()
            .filter(|r| r.issuer == issuer.id && r.revoked_at.is_none() && r.wallet.is_none())
        {
            if let Some(body) = crate::issue::credential_of(db, learner, row.number).await? {
                held.push(body);
            }
        }
        let modules: Vec<&str> = held.iter().filter_map(module_of).collect();
        let (passed, earned) = progress(pathway, &modules);
        if !earned {
            continue;
        }
        let parts: Vec<Value> = passed
            .iter()
            .filter_map(|part| held.iter().find(|c| module_of(c) == Some(part)).cloned())
            .collect();
        if issue_one(db, learner, &issuer, Arc::new(found.module.clone()), parts).await? {
            issued += 1;
        }
    }
    Ok(issued)
}

/// Issues `pathway` to `learner` from `parts`; false when they hold it already.
async fn issue_one(
    db: &HubDb,
    learner: &str,
    issuer: &IssuerRow,
    pathway: Arc<Module>,
    parts: Vec<Value>,
) -> Result<bool, HubError> {
    let key = SecretKey::from_seed(&issuer.seed);
    let achievement = credential::achievement_id(&key.public_key(), &pathway);
    let profile = issuer_profile(issuer)?;
    let endorsement = issuer_endorsement(issuer)?;
    let parts = Arc::new(parts);
    for _ in 0..STATUS_DRAWS {
        let status_index = draw_status_index()?;
        let id = format!("urn:uuid:{}", uuid_v4()?);
        let (pathway, parts, profile, endorsement, seed) = (
            Arc::clone(&pathway),
            Arc::clone(&parts),
            profile.clone(),
            endorsement.clone(),
            issuer.seed,
        );
        let status = StatusEntry {
            list: issuer.status_list.clone(),
            index: status_index,
        };
        let (credential_id, learner_did) = (id.clone(), learner.to_owned());
        let signed = tokio::task::spawn_blocking(move || {
            issue_milestone(
                &profile,
                &SecretKey::from_seed(&seed),
                &MilestoneAward {
                    id: credential_id,
                    pathway: &pathway,
                    learner: learner_did,
                    parts: &parts,
                    awarded: Utc::now(),
                    status: Some(status),
                },
                endorsement.as_ref(),
                Contexts::bundled(),
            )
        })
        .await??;
        let body = serde_json::to_string(&signed).map_err(|e| HubError::Encoding(e.to_string()))?;
        match db
            .add_credential(NewCredential {
                id,
                record_id: None,
                learner: learner.to_owned(),
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
