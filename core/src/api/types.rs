//! What crosses the FFI besides the core's own plain records: times (as milliseconds since
//! the Unix epoch, a custom type so both sides see a real time type) and the views made for
//! the shells where a core type holds what uniffi cannot carry.

use chrono::{DateTime, Utc};

use crate::store::InstallReport;
use crate::sync::{PackProblem, SyncReport};

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
    /// Records the hub had lost (it was restored from a backup), sent again.
    pub resent: u32,
    /// Packs on offer from publishers this phone does not trust: not downloaded.
    pub untrusted: Vec<PackProblem>,
    /// Packs whose download or install failed; tried again at the next sync.
    pub failed: Vec<PackProblem>,
    /// Credentials the hub issued to the learner, verified and kept now.
    pub credentials: u32,
    /// More attempts a trainer granted, checked and kept now (show them to the learner).
    pub grants: Vec<crate::store::HeldGrant>,
    /// Why the sync stopped before the end, if it did; the rest goes next time.
    pub unfinished: Option<String>,
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
            resent: count(r.resent),
            untrusted: r.untrusted,
            failed: r.failed,
            credentials: count(r.credentials),
            grants: r.grants,
            unfinished: r.unfinished,
        }
    }
}

/// A learner's identity backup, to keep off the phone: a file's text (age's armored format)
/// and the texts of a few QR codes that hold the same backup.
#[derive(Debug, Clone, uniffi::Record)]
pub struct IdentityBackupView {
    /// The backup file's text.
    pub armored: String,
    /// One text per QR code (`SKID1:1/2:…`); scanned in any order, they restore the same.
    pub qr_parts: Vec<String>,
}

impl TryFrom<crate::keys::backup::IdentityBackup> for IdentityBackupView {
    type Error = crate::keys::KeyError;

    fn try_from(backup: crate::keys::backup::IdentityBackup) -> Result<Self, Self::Error> {
        Ok(Self {
            armored: backup.to_armored()?,
            qr_parts: backup.to_qr_parts(),
        })
    }
}
