//! Taking back the learner's history at sync: the hub says, in its answer to a push, how many
//! of the learner's records it holds from their other devices (a phone restored from a
//! backup, or a second phone); when the device keeps fewer, it asks for those after the last it
//! was handed, a page at a time until none are left or the sync's deadline passes (what is
//! left, the next sync takes). The store checks and keeps each one (`Store::add_history`):
//! the hub hands over only what the learner's own key stands behind.

use super::http::{Body, Within};
use super::{HubClient, SyncError, SyncReport};
use crate::protocol::{endpoint, HistoryRequest, HistoryResponse, MAX_HISTORY_PER_ANSWER};
use crate::store::{HistoryTaken, Store, StoreError};

impl HubClient {
    /// Takes the records of the learner's other devices the hub announced (`held`), when
    /// the device keeps fewer.
    pub(super) fn take_history(
        &self,
        store: &Store,
        held: u64,
        report: &mut SyncReport,
        within: Within<'_>,
    ) -> Result<(), SyncError> {
        if held <= store.history_count()? {
            return Ok(());
        }
        let mut after = store.history_after()?;
        loop {
            if within.progress.is_cancelled() {
                return Err(SyncError::Cancelled);
            }
            if within.deadline.passed() {
                return Err(SyncError::OutOfTime);
            }
            let body = serde_json::to_vec(&HistoryRequest {
                after: after.clone(),
            })
            .map_err(|e| SyncError::BadAnswer(e.to_string()))?;
            let answer: HistoryResponse =
                self.post_signed(store, endpoint::HISTORY, Body::Json(body), within)?;
            if answer.records.len() > MAX_HISTORY_PER_ANSWER {
                return Err(SyncError::BadAnswer(
                    "the hub's history answer is longer than a page".into(),
                ));
            }
            for item in &answer.records {
                let id = &item.record.record.id;
                if after
                    .as_ref()
                    .is_some_and(|last| id.as_str() <= last.as_str())
                {
                    return Err(SyncError::BadAnswer(
                        "the hub's history is not in rising order of id".into(),
                    ));
                }
                match store.add_history(item) {
                    Ok(HistoryTaken::Kept) => report.history += 1,
                    Ok(HistoryTaken::Known) => {}
                    Err(e @ (StoreError::Ledger(_) | StoreError::Damaged(_))) => report
                        .history_refused
                        .push(format!("record {}: {e}", shorten(id))),
                    Err(e) => return Err(e.into()),
                }
                after = Some(id.clone());
            }
            if let Some(last) = &after {
                store.set_history_after(last)?;
            }
            if !answer.more || answer.records.is_empty() {
                return Ok(());
            }
        }
    }
}

/// At most 100 characters of a record id from the hub, for a report.
fn shorten(id: &str) -> String {
    id.chars().take(100).collect()
}
