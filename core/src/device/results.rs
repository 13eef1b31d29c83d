//! The learner's results as the results screen lists them: each signed record with whether a
//! hub has acknowledged it, and the record itself as canonical JSON, the learner's own copy
//! that verifies anywhere.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Device;
use crate::ledger::SignedRecord;
use crate::store::StoreError;
use crate::Result;

/// One of the learner's results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct ResultView {
    /// The record id.
    pub record_id: String,
    /// The device's record number (1, 2, 3…).
    pub seq: u64,
    /// The module.
    pub module_id: String,
    /// Attempt number at the module.
    pub attempt: u32,
    /// Milli-points earned.
    pub score: u32,
    /// Milli-points possible.
    pub max_score: u32,
    /// Whether it passed.
    pub passed: bool,
    /// Device time at submission, as signed.
    pub ended_at: DateTime<Utc>,
    /// Whether a hub has acknowledged it.
    pub synced: bool,
    /// Whether it was made on another of the learner's devices (a phone this one was
    /// restored from, or a second phone), taken back from the hub.
    pub other_device: bool,
    /// The signed record as canonical JSON.
    pub signed_json: String,
}

impl Device {
    /// Every result, this device's and those the learner made on their other devices,
    /// oldest first (by the time each was submitted).
    pub fn results(&self) -> Result<Vec<ResultView>> {
        let mut views = self
            .store
            .results()?
            .iter()
            .map(|(record, synced)| ResultView::new(record, *synced))
            .collect::<Result<Vec<_>>>()?;
        for record in self.store.history_records()? {
            let mut view = ResultView::new(&record, true)?;
            view.other_device = true;
            views.push(view);
        }
        views.sort_by_key(|v| v.ended_at);
        Ok(views)
    }
}

impl ResultView {
    /// The view of a signed record; `synced` says whether a hub has it.
    pub fn new(signed: &SignedRecord, synced: bool) -> Result<Self> {
        let r = &signed.record;
        let signed_json = String::from_utf8(signed.to_canonical_json()?)
            .map_err(|_| StoreError::Damaged(format!("record {} is not UTF-8", r.seq)))?;
        let ended_at = DateTime::parse_from_rfc3339(&r.ended_at)
            .map_err(|e| StoreError::Damaged(format!("record {}'s end time: {e}", r.seq)))?
            .with_timezone(&Utc);
        Ok(Self {
            record_id: r.id.clone(),
            seq: r.seq,
            module_id: r.module.clone(),
            attempt: r.attempt,
            score: r.score,
            max_score: r.max_score,
            passed: r.passed,
            ended_at,
            synced,
            other_device: false,
            signed_json,
        })
    }
}
