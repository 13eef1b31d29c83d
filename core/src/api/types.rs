//! What crosses the FFI besides the core's own plain records: times (as milliseconds since
//! the Unix epoch, a custom type so both sides see a real time type) and the views made for
//! the shells where a core type holds what uniffi cannot carry.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::SkillpackError;
use crate::assess::{Answer, Outcome, QuestionView};
use crate::ledger::SignedRecord;
use crate::store::InstallReport;
use crate::sync::SyncReport;

/// A moment: milliseconds since the Unix epoch across the FFI, a `DateTime<Utc>` in Rust.
pub type Timestamp = DateTime<Utc>;

uniffi::custom_type!(Timestamp, i64, {
    remote,
    lower: |time| time.timestamp_millis(),
    try_lift: |ms| DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| uniffi::deps::anyhow::anyhow!("time out of range: {ms} ms")),
});

/// What installing a pack did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct InstallView {
    /// The pack id.
    pub pack_id: String,
    /// Its version.
    pub version: String,
    /// The version it replaced, if it was an update.
    pub replaced: Option<String>,
    /// The modules it holds.
    pub modules: Vec<String>,
}

impl From<InstallReport> for InstallView {
    fn from(r: InstallReport) -> Self {
        Self {
            pack_id: r.pack_id,
            version: r.version,
            replaced: r.replaced,
            modules: r.modules,
        }
    }
}

/// An attempt in progress, ready to show.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AttemptView {
    /// The module.
    pub module_id: String,
    /// 1 for the learner's first attempt at this module.
    pub number: u32,
    /// When it started (device time).
    pub started_at: DateTime<Utc>,
    /// The questions, shuffled, in the order to show.
    pub questions: Vec<QuestionView>,
    /// Answers already given, by question id (an attempt resumed after the app closed).
    pub answers: HashMap<String, Answer>,
    /// For numeric and short-text questions answered already, the text to show in the
    /// field, by question id.
    pub typed: HashMap<String, String>,
}

/// A submitted attempt: its outcome, and the signed record now waiting to sync.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SubmitView {
    /// Score, pass and each question's result.
    pub outcome: Outcome,
    /// The signed record's id.
    pub record_id: String,
}

/// One of the learner's results, as the results screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
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
    pub ended_at: Timestamp,
    /// Whether a hub has acknowledged it.
    pub synced: bool,
    /// The signed record as canonical JSON: the learner's own copy, verifiable anywhere.
    pub signed_json: String,
}

impl ResultView {
    /// The view of a signed record; `synced` says whether a hub has it.
    pub fn new(signed: &SignedRecord, synced: bool) -> Result<Self, SkillpackError> {
        let r = &signed.record;
        let signed_json = String::from_utf8(signed.to_canonical_json()?).map_err(|e| {
            SkillpackError::Internal {
                detail: format!("canonical JSON is not UTF-8: {e}"),
            }
        })?;
        let ended_at = DateTime::parse_from_rfc3339(&r.ended_at)
            .map_err(|e| SkillpackError::Corrupt {
                detail: format!("record {}: end time {:?}: {e}", r.id, r.ended_at),
            })?
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
            signed_json,
        })
    }
}

/// What one sync did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncView {
    /// Records the hub took now.
    pub pushed: u32,
    /// Records it already had.
    pub already_there: u32,
    /// Records it refused (they stay on the device).
    pub rejected: u32,
    /// Packs installed or updated, as `id version`.
    pub installed: Vec<String>,
    /// Packs left for an unmetered connection or next month's budget, as `id version`.
    pub deferred: Vec<String>,
}

impl From<SyncReport> for SyncView {
    fn from(r: SyncReport) -> Self {
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let named = |packs: Vec<(String, String)>| -> Vec<String> {
            packs
                .into_iter()
                .map(|(id, version)| format!("{id} {version}"))
                .collect()
        };
        Self {
            pushed: count(r.pushed),
            already_there: count(r.already_there),
            rejected: count(r.rejected.len()),
            installed: named(r.installed),
            deferred: named(r.deferred),
        }
    }
}
