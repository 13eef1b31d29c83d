//! What crosses the FFI besides the core's own plain records (which derive uniffi where they
//! are defined, such as `SyncReport`): times (as milliseconds since the Unix epoch, a custom
//! type so both sides see a real time type) and the views made for the shells where a core
//! type holds what uniffi cannot carry.

use chrono::{DateTime, Utc};

use crate::store::InstallReport;

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
