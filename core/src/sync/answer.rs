//! Taking a relay answer offline (`protocol::RelayAnswer`): what a sync would have brought,
//! carried back by a trainer as a file. Every part is checked as a sync checks it, by the same
//! code: credentials and endorsements by the store, grants by `take_grants`, records of the
//! learner's other devices by `Store::add_history`, revocation lists by `record_list` (a list
//! older than one already taken is refused as a replay). An answer for another learner is
//! refused whole; a part that does not check out is reported and not kept.

use chrono::Utc;

use super::grants::take_grants;
use super::revocation::{record_list, report_revoked, ListRead};
use super::{RefusedCredential, SyncError, SyncReport, UnreadList};
use crate::protocol::RelayAnswer;
use crate::store::{HistoryTaken, ListRecorded, Store, StoreError};

/// Takes what `answer` carries into `store`; reports it as a sync would.
pub fn take_relay_answer(store: &Store, answer: RelayAnswer) -> Result<SyncReport, SyncError> {
    if answer.learner != store.learner_did() {
        return Err(SyncError::BadAnswer(
            "this answer is for another learner: nothing of it was kept".into(),
        ));
    }
    let mut report = SyncReport::default();
    for endorsement in &answer.endorsements {
        // One that does not check out or comes from a stranger is not kept.
        let _ = store.add_endorsement(endorsement);
    }
    let mut newest = store.credentials_taken()?;
    let mut last = 0;
    for issued in &answer.credentials {
        if issued.number <= last {
            return Err(SyncError::BadAnswer(
                "the answer's credentials are not in rising order".into(),
            ));
        }
        last = issued.number;
        match store.add_credential(&issued.credential, Utc::now()) {
            Ok(_) => report.credentials += 1,
            Err(
                e @ (StoreError::Credential(_)
                | StoreError::OtherLearnersCredential
                | StoreError::CredentialIdTaken(_)),
            ) => report.credentials_refused.push(RefusedCredential {
                id: issued
                    .credential
                    .get("id")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or("(no id)")
                    .chars()
                    .take(100)
                    .collect(),
                reason: e.to_string(),
            }),
            Err(e) => return Err(e.into()),
        }
        newest = newest.max(issued.number);
    }
    store.set_credentials_taken(newest)?;
    take_grants(store, answer.grants, &mut report)?;
    let mut after = store.history_after()?;
    for item in &answer.history {
        match store.add_history(item) {
            Ok(HistoryTaken::Kept) => report.history += 1,
            Ok(HistoryTaken::Known) => {}
            Err(e @ (StoreError::Ledger(_) | StoreError::Damaged(_))) => {
                report.history_refused.push(format!(
                    "record {}: {e}",
                    item.record.record.id.chars().take(100).collect::<String>()
                ))
            }
            Err(e) => return Err(e.into()),
        }
        let id = &item.record.record.id;
        if after.as_ref().is_none_or(|last| id > last) {
            after = Some(id.clone());
        }
    }
    if let Some(last) = &after {
        store.set_history_after(last)?;
    }
    let targets = store.revocation_targets()?;
    let mut newly_revoked = Vec::new();
    for carried in &answer.status_lists {
        let held: Vec<_> = targets
            .iter()
            .filter(|t| {
                crate::credential::status::revocation_entry(&t.credential)
                    .ok()
                    .flatten()
                    .is_some_and(|(url, _)| url == carried.url)
            })
            .cloned()
            .collect();
        if held.is_empty() {
            continue;
        }
        let why = match record_list(store, &carried.url, &carried.list, &held)? {
            ListRead::Recorded(ListRecorded::Taken { newly_revoked: ids }) => {
                newly_revoked.extend(ids);
                continue;
            }
            ListRead::Recorded(ListRecorded::Older { why }) => why,
            ListRead::Unread(why) => why,
        };
        report.lists_unread.push(UnreadList {
            url: carried.url.chars().take(200).collect(),
            credentials: u32::try_from(held.len()).unwrap_or(u32::MAX),
            reason: why,
        });
    }
    let reasons: Vec<(String, String)> = answer
        .reasons
        .into_iter()
        .map(|r| (r.id, r.reason))
        .collect();
    if !reasons.is_empty() {
        store.set_revocation_reasons(&reasons)?;
    }
    report_revoked(store, &newly_revoked, &mut report)?;
    Ok(report)
}
