//! The answer a trainer carries back to an offline place (`protocol::RelayAnswer`): after a
//! learner's relay bundle is imported, what a sync would have brought that learner's phone
//! (their credentials and the endorsements of the keys that signed them, their grants of
//! attempts, the issuers' signed revocation lists with the reasons, and their records from
//! their other devices). Each part carries its own signature; the phone checks them all.

use chrono::Utc;
use skillpack_core::keys::PublicKey;
use skillpack_core::protocol::{
    CarriedList, IssuedCredential, RelayAnswer, ANSWER_FORMAT, MAX_ANSWER_CREDENTIALS,
    MAX_ANSWER_HISTORY, MAX_ANSWER_LISTS, MAX_GRANTS_PER_ANSWER,
};

use crate::error::HubError;
use crate::issue::StatusLists;
use crate::storage::HubDb;

/// The answer for `learner`, whose bundle came from `device` (its own records are not sent
/// back to it).
pub async fn relay_answer(
    db: &HubDb,
    learner: &str,
    device: PublicKey,
) -> Result<RelayAnswer, HubError> {
    let damaged = |what: &str, e: serde_json::Error| HubError::Damaged(format!("{what}: {e}"));
    let limit = u32::try_from(MAX_ANSWER_CREDENTIALS).unwrap_or(u32::MAX);
    let rows = db.credentials_after(learner, 0, limit).await?;
    let mut credentials = Vec::with_capacity(rows.len());
    let mut issuers: Vec<u64> = Vec::new();
    for row in rows {
        credentials.push(IssuedCredential {
            number: row.number,
            credential: serde_json::from_str(&row.body)
                .map_err(|e| damaged("a stored credential", e))?,
        });
        if !issuers.contains(&row.issuer) {
            issuers.push(row.issuer);
        }
    }
    let lists = StatusLists::default();
    let mut endorsements = Vec::new();
    let mut status_lists = Vec::new();
    for id in issuers.into_iter().take(MAX_ANSWER_LISTS) {
        let Some(issuer) = db.issuer(id).await? else {
            continue;
        };
        if let Some(own_format) = &issuer.endorsement {
            endorsements
                .push(serde_json::from_str(own_format).map_err(|e| damaged("an endorsement", e))?);
        }
        if let Some(body) = lists.get(db, id).await? {
            status_lists.push(CarriedList {
                url: issuer.status_list.clone(),
                list: serde_json::from_slice(&body).map_err(|e| damaged("a status list", e))?,
            });
        }
    }
    let mut grants = Vec::new();
    let mut after = 0;
    while grants.len() < MAX_ANSWER_CREDENTIALS {
        let page = crate::grant::grants_after(db, learner, after).await?;
        let full = page.len() == MAX_GRANTS_PER_ANSWER;
        after = page.last().map_or(after, |g| g.number);
        grants.extend(page);
        if !full {
            break;
        }
    }
    let limit = u32::try_from(MAX_ANSWER_HISTORY).unwrap_or(u32::MAX);
    let mut history = Vec::new();
    for row in db.learner_history(learner, device, None, limit).await? {
        history.extend(row.to_history_record()?);
    }
    Ok(RelayAnswer {
        format: ANSWER_FORMAT.to_owned(),
        learner: learner.to_owned(),
        written_at: skillpack_core::credential::timestamp(&Utc::now()),
        credentials,
        endorsements,
        grants,
        status_lists,
        reasons: crate::issue::revocations_of(db, learner).await?.revocations,
        history,
    })
}
