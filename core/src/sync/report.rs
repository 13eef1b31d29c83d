//! What one sync did, as named records: the device's terminal prints it, `--json` writes it
//! as it is, and the phones receive it through uniffi as it is (feature `ffi`), so there is
//! no second copy of it to keep in step.

use serde::Serialize;

use crate::protocol::CatalogEntry;
use crate::store::HeldGrant;

/// What one sync did. A sync that stops half way (the network went, the time ran out) still
/// says what it did before: results the hub took are taken.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct SyncReport {
    /// Records the hub took now.
    pub pushed: u32,
    /// Records it already had (now marked as acknowledged too).
    pub already_there: u32,
    /// Records it refused, with reasons (they stay on the device).
    pub rejected: Vec<RefusedRecord>,
    /// Records the hub had acknowledged once but no longer held (it was restored from a
    /// backup), sent again.
    pub resent: u32,
    /// Packs installed or updated.
    pub installed: Vec<PackVersion>,
    /// Packs left for later because they did not fit the data allowance (an unmetered
    /// connection or next month's budget).
    pub deferred: Vec<PackVersion>,
    /// Packs from publishers this device does not trust: not downloaded.
    pub untrusted: Vec<PackProblem>,
    /// Packs whose download or install failed: discarded (a download cut by the network
    /// keeps what arrived, to resume), tried again at the next sync.
    pub failed: Vec<PackProblem>,
    /// Credentials the hub issued to the learner, verified and kept now.
    pub credentials: u32,
    /// Credentials the hub sent that were not kept.
    pub credentials_refused: Vec<RefusedCredential>,
    /// Grants of more attempts a trainer gave the learner, checked and kept now (show them
    /// to the learner).
    pub grants: Vec<HeldGrant>,
    /// Grants the hub sent that were not kept.
    pub grants_refused: Vec<RefusedGrant>,
    /// Credentials the issuers' signed revocation lists showed revoked for the first time
    /// now, with the hub's reason when it gave one (show them to the learner).
    pub revoked: Vec<RevokedCredential>,
    /// Revocation lists that could not be read or used now: their credentials keep what was
    /// last known of them, "not checked since" then.
    pub lists_unread: Vec<UnreadList>,
    /// Attempts the learner made on their other devices (a restored or second phone), taken
    /// from the hub and kept now: they count with this device's own.
    pub history: u32,
    /// Records of the learner's other devices the hub sent that were not kept, each with why.
    pub history_refused: Vec<String>,
    /// Why the sync stopped before the end, when it did (the network went, the time ran
    /// out, the learner cancelled); the rest goes at the next sync.
    pub unfinished: Option<String>,
}

impl SyncReport {
    /// Whether the sync changed anything, on the device or at the hub.
    pub(super) fn did_something(&self) -> bool {
        self.pushed + self.already_there + self.resent > 0
            || !self.rejected.is_empty()
            || !self.installed.is_empty()
            || self.credentials > 0
            || self.history > 0
            || !self.grants.is_empty()
            || !self.revoked.is_empty()
    }
}

/// A record the hub refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct RefusedRecord {
    /// The record's id.
    pub id: String,
    /// The hub's reason.
    pub reason: String,
}

/// A pack at one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct PackVersion {
    /// Pack id.
    pub id: String,
    /// Pack version.
    pub version: String,
}

/// A credential the hub sent that the device did not keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct RefusedCredential {
    /// The credential's id (at most 100 characters), or `(the hub's answer)` when the
    /// answer itself was refused.
    pub id: String,
    /// Why it was not kept.
    pub reason: String,
}

/// A kept credential its issuer's signed list now says is revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct RevokedCredential {
    /// The credential's id.
    pub id: String,
    /// What it was for.
    pub achievement: String,
    /// Why, in the hub's words (display text: the list's bit decided), when it gave one.
    pub reason: Option<String>,
}

/// A revocation list a sync could not read or use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct UnreadList {
    /// Its address (at most 200 characters).
    pub url: String,
    /// How many kept credentials name it.
    pub credentials: u32,
    /// Why it could not be used.
    pub reason: String,
}

/// A grant of more attempts the hub sent that the device did not keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct RefusedGrant {
    /// The module it was for (at most 64 characters), or `(the hub's answer)` when the
    /// answer itself was refused.
    pub module_id: String,
    /// Why it was not kept.
    pub reason: String,
}

/// A pack of the group's catalog that was not installed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct PackProblem {
    /// Pack id.
    pub id: String,
    /// Pack version.
    pub version: String,
    /// The publisher's `did:key`, as the catalog gives it.
    pub publisher: String,
    /// What went wrong.
    pub reason: String,
}

impl PackProblem {
    pub(super) fn of(entry: &CatalogEntry, reason: impl ToString) -> Self {
        Self {
            id: entry.id.clone(),
            version: entry.version.clone(),
            publisher: entry.publisher.clone(),
            reason: reason.to_string(),
        }
    }
}

impl PackVersion {
    /// Pack `id` at `version`.
    pub fn new(id: &str, version: &str) -> Self {
        Self {
            id: id.to_owned(),
            version: version.to_owned(),
        }
    }

    pub(super) fn of(entry: &CatalogEntry) -> Self {
        Self {
            id: entry.id.clone(),
            version: entry.version.clone(),
        }
    }
}
