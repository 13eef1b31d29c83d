//! The rows both engines store and give back, written once: what a publish, a registration,
//! a push or a trainer's change hands to storage, and what a view reads out of it. The
//! decoding and the small rules both engines follow are in `rules`.

use crate::error::HubError;
use skillpack_core::keys::PublicKey;
use skillpack_core::ledger::SignedRecord;

use super::Scope;

/// A chunk of a published pack: where its stored bytes sit in the pack file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackChunk {
    /// SHA-256 of the chunk's stored bytes (what a device asks for).
    pub hash: [u8; 32],
    /// Offset in the pack file.
    pub offset: u64,
    /// Length in bytes.
    pub len: u64,
}

/// Where a stored pack's bytes are: its length, and whether they are still in the database
/// (a pack stored before packs moved to the pack store, until `hub move-packs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackPlace {
    /// The pack's length in bytes.
    pub size: u64,
    /// True while its bytes are in the database rather than the pack store.
    pub in_db: bool,
}

/// Where a chunk's bytes are: inside which pack, at what offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkPlace {
    /// The pack that holds the chunk.
    pub pack: [u8; 32],
    /// Where the chunk starts in the pack.
    pub offset: u64,
    /// The chunk's length.
    pub len: u64,
    /// True while the pack's bytes are in the database.
    pub in_db: bool,
}

/// What the hub needs to store a verified pack.
#[derive(Debug, Clone)]
pub struct NewPack {
    /// SHA-256 of the pack's signed part.
    pub hash: [u8; 32],
    /// The pack's id, as its manifest names it.
    pub id: String,
    /// The pack's version.
    pub version: String,
    /// The group it is offered to.
    pub group: String,
    /// The publisher's key (already checked to be registered).
    pub publisher: PublicKey,
    /// Media variant (`full`, `low`, `text`).
    pub variant: String,
    /// The modules it holds, by id.
    pub modules: Vec<String>,
    /// Each module as compiled (its id and `module.json`), which a credential states.
    pub module_bodies: Vec<(String, String)>,
    /// The verified pack file, which the pack store copies.
    pub file: std::path::PathBuf,
    /// Its length in bytes.
    pub size: u64,
    /// Where each chunk sits in the file.
    pub chunks: Vec<PackChunk>,
}

/// A device asking to be taken in, online or in a relay bundle, with the learner's binding
/// already checked.
#[derive(Debug, Clone)]
pub struct DeviceJoin {
    /// The device's key.
    pub device: PublicKey,
    /// The learner's `did:key`.
    pub learner: String,
    /// The learner's binding of the device, as JSON, kept for whoever audits it later.
    pub binding: String,
    /// The enrolment code, if the device gave one (a device the hub knows needs none).
    pub code: Option<String>,
}

/// Why a registration was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegisterRefusal {
    /// The code does not exist, ran out of uses or expired.
    BadCode,
    /// The device is registered for another learner.
    OtherLearner,
    /// The hub does not know the device and it gave no code.
    UnknownDevice,
}

/// A registered device as the hub knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownDevice {
    /// The learner it speaks for.
    pub learner: String,
    /// The group it registered in.
    pub group: String,
    /// Whether the hub holds the learner's binding of it (devices registered before bindings
    /// do not, and may not push until they register again).
    pub bound: bool,
    /// Why it was retired, when a trainer or operator retired it: nothing more is taken from
    /// it.
    pub retired: Option<String>,
}

/// One of a learner's records from another of their devices, for their phone's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    /// The record's id.
    pub id: String,
    /// The signed record, as stored (canonical JSON).
    pub body: String,
    /// The learner's binding of the device that signed it (JSON), if the hub holds one.
    pub binding: Option<String>,
}

impl HistoryRow {
    /// The record with its device's binding, as a phone takes it; `None` when the hub holds
    /// no binding of that device (registered before bindings): the phone could not check it.
    pub fn to_history_record(
        &self,
    ) -> Result<Option<skillpack_core::protocol::HistoryRecord>, HubError> {
        let Some(binding) = &self.binding else {
            return Ok(None);
        };
        let damaged = |e: serde_json::Error| HubError::Damaged(format!("a stored record: {e}"));
        Ok(Some(skillpack_core::protocol::HistoryRecord {
            record: serde_json::from_str(&self.body).map_err(damaged)?,
            binding: serde_json::from_str(binding).map_err(damaged)?,
        }))
    }
}

/// A device retired: lost, or held by someone else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRetirement {
    /// The device's key.
    pub device: PublicKey,
    /// Why, kept with it and shown when it is refused.
    pub reason: String,
    /// Who retired it, for the audit trail.
    pub by: String,
}

impl DeviceRetirement {
    /// The audit entry's details, as JSON.
    pub(super) fn audit_detail(&self, learner: &str) -> String {
        serde_json::json!({"device": self.device.to_did_key(), "learner": learner,
                           "reason": self.reason})
        .to_string()
    }
}

/// What retiring a device came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Retired {
    /// Retired now; the learner it spoke for.
    Now(String),
    /// It was retired before (nothing changed).
    Already,
    /// The hub does not know the device.
    Unknown,
}

/// A learner's device and how it is doing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LearnerRow {
    /// The learner's `did:key`.
    pub learner: String,
    /// The person: the learner's first identity at this hub, when a trainer linked this
    /// one to it ([`LearnerLink`]); the learner's own `did:key` otherwise.
    pub person: String,
    /// The group the device registered in.
    pub group: String,
    /// The device's public key, lowercase hex.
    pub device: String,
    /// When it registered (hub time, ISO 8601 UTC with milliseconds).
    pub registered_at: String,
    /// Records received.
    pub records: u64,
    /// Modules passed (each counted once, however many passing records).
    pub passed: u64,
    /// The learner's name as trainers see it: a trainer's label, else the name the learner
    /// chose to show; `None` when neither is known.
    pub name: Option<String>,
}

/// A group of learners: what is offered to it and who is in it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GroupRow {
    /// The group's name.
    pub group: String,
    /// Packs published to it (every version).
    pub packs: u64,
    /// Devices registered in it.
    pub devices: u64,
    /// Records its devices have sent.
    pub records: u64,
    /// Enrolment codes for it that can still be used.
    pub open_codes: u64,
}

/// A stored record with what the hub knows about it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StoredResult {
    /// The signed record.
    pub record: SignedRecord,
    /// The device's group.
    pub group: String,
    /// The person the record's learner is (see [`LearnerRow::person`]).
    pub person: String,
    /// When the hub received it (hub time, ISO 8601 UTC with milliseconds).
    pub received_at: String,
    /// The learner's name as trainers see it (see [`LearnerRow::name`]).
    pub name: Option<String>,
}

/// A trainer's link of a learner's new identity (a phone lost without a backup) to the
/// identity they had, so that the hub's views show one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearnerLink {
    /// The new identity (`did:key`).
    pub learner: String,
    /// The identity it is the same person as (`did:key`).
    pub person: String,
    /// Who links them (an operator's or trainer's name or key), for the audit trail.
    pub by: String,
    /// Why, for the audit trail.
    pub reason: String,
}

/// A trainer's label for a learner (how the trainer knows them), shown before any name the
/// learner chose; recorded in the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearnerLabel {
    /// The learner (`did:key`).
    pub learner: String,
    /// The label (checked with `name::display_name`), or `None` to remove it.
    pub label: Option<String>,
    /// Who wrote it, for the audit trail.
    pub by: String,
    /// Whose groups it is for: it holds in each group of the learner's devices this scope
    /// sees (a trainer's label is their groups' own; an operator's holds in all).
    pub scope: Scope,
}

/// Why a link was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkRefusal {
    /// Both are the same identity.
    #[error("a learner cannot be linked to themselves")]
    SameLearner,
    /// No device of this learner ever registered here.
    #[error("no device of learner {0} is registered at this hub")]
    UnknownLearner(String),
    /// The new identity is linked already.
    #[error("learner {learner} is already linked to {person}")]
    AlreadyLinked {
        /// The new identity.
        learner: String,
        /// Whom it is linked to.
        person: String,
    },
    /// The identity to link to is itself linked to the new one.
    #[error("{0} is already linked the other way")]
    WouldLoop(String),
}

/// One entry of the audit trail: what an operator or trainer changed, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditRow {
    /// When (hub time, ISO 8601 UTC with milliseconds).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What (`link_learner`).
    pub action: String,
    /// The details, as JSON.
    pub detail: String,
}

/// A gap or fork flagged in a device's chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FlagRow {
    /// The device's public key, lowercase hex.
    pub device: String,
    /// The number of the record that raised it.
    pub seq: u64,
    /// `gap` or `fork` ([`ChainFlag::kind`](skillpack_core::ledger::ChainFlag::kind)), or
    /// `attempt`: an attempt number the learner also used at that module on another device.
    pub kind: String,
    /// What is wrong, for a trainer to read.
    pub detail: String,
}

/// Why a verified pack was not stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublishRefusal {
    /// The hub holds other content under the same id, version and variant: a version is
    /// immutable, so devices that installed it never silently keep a different one.
    #[error("{id} {version} ({variant}) is already on this hub with other content: give the changed pack a new version")]
    VersionTaken {
        /// The pack id.
        id: String,
        /// Its version.
        version: String,
        /// Its variant.
        variant: String,
    },
}

/// An enrolment code as the trainer's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CodeRow {
    /// The code, grouped as handed out (`XXXX-XXXX-XXXX`).
    pub code: String,
    /// Its group.
    pub group: String,
    /// Uses left (`None`: any number).
    pub uses_left: Option<u32>,
    /// Its last moment, Unix seconds (`None`: no end).
    pub expires_at: Option<i64>,
    /// When it was made.
    pub created_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

/// A training provider's issuer as the hub holds it: the key it signs credentials with, what
/// the credentials say of the provider, the provider's endorsement of the key, and where its
/// revocation list is published.
#[derive(Clone)]
pub struct IssuerRow {
    /// Its number (names its status list).
    pub id: u64,
    /// The provider's publisher key.
    pub publisher: PublicKey,
    /// The issuer key's seed.
    pub seed: [u8; 32],
    /// The provider as credentials name it (JSON of `credential::Issuer`).
    pub profile: String,
    /// The provider's endorsement of the issuer key in the own format of earlier hubs
    /// (JSON of `credential::IssuerEndorsement`), for older apps' grants and sync; `None`
    /// for an issuer set up without the trainer's secret key.
    pub endorsement: Option<String>,
    /// The provider's `EndorsementCredential` of the issuer key (JSON, as the trainer
    /// signed it), embedded in every credential issued while it is held (ADR 0006).
    pub endorsement_credential: Option<String>,
    /// The URL of its Bitstring Status List credential.
    pub status_list: String,
}

impl IssuerRow {
    /// Whether it may issue: the provider endorsed its key, in either form.
    pub fn is_endorsed(&self) -> bool {
        self.endorsement.is_some() || self.endorsement_credential.is_some()
    }
}

/// Who changed an issuer, and how, for the audit trail.
#[derive(Debug, Clone)]
pub struct IssuerChange {
    /// Who made the change (the operator's name, or the command).
    pub by: String,
    /// What changed, in words.
    pub detail: String,
}

impl std::fmt::Debug for IssuerRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerRow")
            .field("id", &self.id)
            .field("publisher", &self.publisher.to_did_key())
            .field("profile", &self.profile)
            .field("status_list", &self.status_list)
            .finish_non_exhaustive()
    }
}

/// A passing record the hub holds that no credential names yet.
#[derive(Debug, Clone)]
pub struct UnissuedPass {
    /// The record's id.
    pub record_id: String,
    /// Its hash.
    pub hash: [u8; 32],
    /// The signed record, as stored (JSON).
    pub body: String,
}

/// A credential the hub issued, to store.
#[derive(Debug, Clone)]
pub struct NewCredential {
    /// Its id (`urn:uuid:…`).
    pub id: String,
    /// The record it was issued for; none for a milestone, which several passes earn.
    pub record_id: Option<String>,
    /// The learner's `did:key`.
    pub learner: String,
    /// The issuer's number.
    pub issuer: u64,
    /// Its bit in the issuer's status list.
    pub status_index: u64,
    /// The signed credential (JSON).
    pub body: String,
    /// Its achievement's id: the learner holds at most one credential for each.
    pub achievement: String,
}

/// What storing a new credential came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialInsert {
    /// Stored, with its number.
    Stored(u64),
    /// The record already has a credential (another request issued it first).
    RecordTaken,
    /// The status bit is another credential's: draw another.
    IndexTaken,
    /// The learner already holds credential number N for this achievement (another pass, on
    /// another device, or a push at the same moment): the pass is recorded as covered by it,
    /// and earns nothing of its own.
    AchievementHeld(u64),
}

/// An issued credential, as the operator's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IssuedRow {
    /// Its number.
    pub number: u64,
    /// Its id.
    pub id: String,
    /// The learner's `did:key`.
    pub learner: String,
    /// The record it was issued for.
    pub record_id: Option<String>,
    /// The issuer's number.
    pub issuer: u64,
    /// When it was issued.
    pub issued_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
    /// Why, if it was.
    pub revoked_why: Option<String>,
    /// For a credential issued to a learner's wallet: the number of the learner's credential
    /// it copies.
    pub copy_of: Option<u64>,
    /// For a credential issued to a learner's wallet: the wallet's DID, its subject.
    pub wallet: Option<String>,
}

/// Who a web session is for, and what it may see.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WebGrant {
    /// An operator sees every group; a trainer, the groups named.
    pub operator: bool,
    /// The groups a trainer sees (empty for an operator).
    pub groups: Vec<String>,
    /// Who it is for (a name), for the audit trail and the page's header.
    pub label: String,
}

impl WebGrant {
    /// What the session may see.
    pub fn scope(&self) -> Scope {
        if self.operator {
            Scope::Everything
        } else {
            Scope::Groups(self.groups.clone())
        }
    }
}

/// A signed-in session of the web pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    /// Who, and what they see.
    pub grant: WebGrant,
    /// The token each of the session's forms carries (a request without it is refused).
    pub csrf: String,
}

/// A stored pack, as the packs page lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PackRow {
    /// Its hash, hex.
    pub hash: String,
    /// Its id.
    pub id: String,
    /// Its version.
    pub version: String,
    /// Its variant.
    pub variant: String,
    /// Its size in bytes.
    pub size: u64,
    /// When it was stored.
    pub published_at: String,
    /// The groups it is offered to.
    pub groups: Vec<String>,
}

/// A grant of more attempts to store: signed already, kept as JSON for the learner's devices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttemptGrant {
    /// The grant's random id.
    pub id: String,
    /// The learner (`did:key`).
    pub learner: String,
    /// The module.
    pub module_id: String,
    /// How many more attempts.
    pub attempts: u32,
    /// The trainer who granted them (for the audit trail too).
    pub granted_by: String,
    /// When (RFC 3339).
    pub granted_at: String,
    /// The signed grant (JSON).
    pub body: String,
}

impl NewAttemptGrant {
    /// The audit entry of the grant.
    pub(super) fn audit_detail(&self) -> String {
        serde_json::json!({
            "grant": self.id,
            "learner": self.learner,
            "module": self.module_id,
            "attempts": self.attempts,
        })
        .to_string()
    }
}

/// A grant of more attempts, as the learner's page lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AttemptGrantRow {
    /// Its number in the hub's sequence.
    pub number: u64,
    /// The module.
    pub module_id: String,
    /// How many more attempts.
    pub attempts: u32,
    /// The trainer who granted them.
    pub granted_by: String,
    /// When (ISO 8601).
    pub granted_at: String,
}

/// A learner's credential as the hub keeps it for their devices: its number, the credential
/// (JSON) and the number of the issuer that signed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldCredentialRow {
    /// Its number among the learner's credentials (devices ask for those after theirs).
    pub number: u64,
    /// The signed credential, as JSON.
    pub body: String,
    /// The issuer that signed it.
    pub issuer: u64,
}

/// A learner's grant of attempts as the hub keeps it for their devices: its number and the
/// signed grant (JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldGrantRow {
    /// Its number among the learner's grants (devices ask for those after theirs).
    pub number: u64,
    /// The signed grant, as JSON.
    pub body: String,
}

/// A module of a stored pack, with the key that signed the pack.
#[derive(Debug, Clone, PartialEq)]
pub struct PackModule {
    /// The pack's publisher.
    pub publisher: PublicKey,
    /// The module as compiled.
    pub module: skillpack_core::module::Module,
}

/// A session just opened by a sign-in link: the cookie's secret and the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedSession {
    /// The secret the session's cookie carries (the hub keeps only its hash).
    pub secret: String,
    /// The session.
    pub session: WebSession,
}

/// A credential revoked by an operator or a trainer, with why and by whom; recorded in the
/// audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialRevocation {
    /// The credential's id.
    pub id: String,
    /// Why, kept with it.
    pub reason: String,
    /// Who revoked it, for the audit trail.
    pub by: String,
}

impl CredentialRevocation {
    /// The audit entry's details, as JSON.
    pub(super) fn audit_detail(&self) -> String {
        serde_json::json!({"credential": self.id, "reason": self.reason}).to_string()
    }

    /// This revocation, then the same for each of the credential's copies in the learner's
    /// wallets (their ids): what revoking a learner's credential revokes.
    pub(super) fn with_copies(&self, copies: Vec<String>) -> Vec<CredentialRevocation> {
        let mut all = vec![self.clone()];
        all.extend(copies.into_iter().map(|id| CredentialRevocation {
            id,
            reason: self.reason.clone(),
            by: self.by.clone(),
        }));
        all
    }
}

/// An exchange to open for one of a learner's credentials (see `crate::exchange`).
#[derive(Debug, Clone)]
pub struct NewExchange {
    /// The exchange's id, as its URLs carry it (only its SHA-256 is stored).
    pub id: String,
    /// The number of the learner's credential it hands on.
    pub credential: u64,
    /// That credential's id, for the audit trail.
    pub credential_id: String,
    /// The challenge the wallet's DID authentication signs.
    pub challenge: String,
    /// The hub's URL, as the credential's issuer names it.
    pub hub_url: String,
    /// Who asked for it (a trainer's name, or the learner's device), for the audit trail.
    pub asked_by: String,
    /// When it expires (Unix seconds, hub time).
    pub expires_at: i64,
}

/// An exchange as a wallet finds it, with the learner's credential it hands on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeRow {
    /// The learner's credential: its number.
    pub credential: u64,
    /// Its id.
    pub credential_id: String,
    /// The learner's `did:key`.
    pub learner: String,
    /// The record it was issued for.
    pub record_id: Option<String>,
    /// Its issuer's number.
    pub issuer: u64,
    /// The challenge the wallet's DID authentication must sign.
    pub challenge: String,
    /// The hub's URL, as the credential's issuer names it.
    pub hub_url: String,
    /// When it expires (Unix seconds, hub time).
    pub expires_at: i64,
    /// Whether a wallet took its credential already.
    pub used: bool,
    /// Whether the learner's credential was revoked.
    pub revoked: bool,
}

/// A credential issued to a wallet, stored as its exchange completes.
#[derive(Debug, Clone)]
pub struct WalletCopy {
    /// The exchange's id, as its URLs carry it.
    pub exchange: String,
    /// The new credential's id (`urn:uuid:…`).
    pub id: String,
    /// The wallet's DID, the credential's subject.
    pub wallet: String,
    /// Its own bit in the issuer's status list.
    pub status_index: u64,
    /// The signed credential (JSON).
    pub body: String,
}

/// What completing an exchange came to. Only the first of any two wallets gets the credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExchangeCompletion {
    /// Stored, with its number; the exchange is used up.
    Issued(u64),
    /// No such exchange.
    Unknown,
    /// A wallet took its credential already.
    Used,
    /// It expired.
    Expired,
    /// The learner's credential was revoked meanwhile.
    Revoked,
    /// The status bit is another credential's: draw another.
    IndexTaken,
}

impl WalletCopy {
    /// The audit entry's details, as JSON.
    pub(super) fn audit_detail(&self, original: &str) -> String {
        serde_json::json!({"credential": original, "issued": self.id, "wallet": self.wallet})
            .to_string()
    }
}

impl NewExchange {
    /// The audit entry's details, as JSON.
    pub(super) fn audit_detail(&self) -> String {
        serde_json::json!({"credential": self.credential_id, "expires_at": self.expires_at})
            .to_string()
    }
}
