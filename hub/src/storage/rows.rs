//! What both engines store and give back, written once: the row types, the decoding of a
//! catalog row, the answers to a publish and a push, the group query and the small rules
//! (enrolment codes, a known device registering again) both engines follow. An engine only
//! runs SQL and hands its columns to these.

use skillpack_core::hash::ContentHash;
use skillpack_core::hex;
use skillpack_core::keys::PublicKey;
use skillpack_core::ledger::{flag_note, Decision, Planned, SignedRecord};
use skillpack_core::module::parse_version;
use skillpack_core::protocol::{CatalogEntry, PublishResponse, RecordResult, RecordStatus};

use crate::error::HubError;

/// Letters of enrolment codes: no 0/O or 1/I, easy to read out and type.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// Bytes of a pack that storage reads or writes at once, and that a download sends at once:
/// the hub holds this much of a pack per transfer, whatever the pack's size.
pub const PIECE: usize = 1 << 20;

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
    /// The verified pack file, which storage copies in pieces of [`PIECE`] bytes.
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
}

/// The audit entry of a label.
pub(super) fn label_detail(label: &LearnerLabel) -> String {
    serde_json::json!({ "learner": label.learner, "label": label.label }).to_string()
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

/// The audit entry's details of a link, as JSON.
pub(super) fn link_detail(link: &LearnerLink, person: &str) -> String {
    serde_json::json!({
        "learner": link.learner,
        "person": person,
        "reason": link.reason,
    })
    .to_string()
}

/// A gap or fork flagged in a device's chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FlagRow {
    /// The device's public key, lowercase hex.
    pub device: String,
    /// The number of the record that raised it.
    pub seq: u64,
    /// `gap` or `fork` ([`ChainFlag::kind`](skillpack_core::ledger::ChainFlag::kind)).
    pub kind: String,
    /// What is wrong, for a trainer to read.
    pub detail: String,
}

/// Every group any pack, device or enrolment code names, with its counts. The same query on
/// both engines but for how each spells "now" in Unix seconds (`now`).
pub(super) fn groups_sql(now: &str) -> String {
    format!(
        "SELECT g.grp,
            (SELECT count(*) FROM offers p WHERE p.grp = g.grp),
            (SELECT count(*) FROM devices d WHERE d.grp = g.grp),
            (SELECT count(*) FROM records r JOIN devices d ON d.device_key = r.device_key
             WHERE d.grp = g.grp),
            (SELECT count(*) FROM enrolments e WHERE e.grp = g.grp
             AND (e.uses_left IS NULL OR e.uses_left > 0)
             AND (e.expires_at IS NULL OR e.expires_at >= {now}) AND e.revoked_at IS NULL)
         FROM (SELECT grp FROM offers UNION SELECT grp FROM devices UNION SELECT grp FROM enrolments) g
         ORDER BY g.grp"
    )
}

/// The columns of a catalog row, as either engine reads them.
pub(super) struct CatalogColumns {
    pub hash: Vec<u8>,
    pub id: String,
    pub version: String,
    pub size: i64,
    pub variant: String,
    pub publisher: Vec<u8>,
    pub modules: String,
}

impl CatalogColumns {
    /// The entry a device reads.
    pub(super) fn decode(self) -> Result<CatalogEntry, HubError> {
        let publisher: [u8; 32] = self
            .publisher
            .as_slice()
            .try_into()
            .map_err(|_| HubError::Damaged("a publisher key".into()))?;
        let publisher =
            PublicKey::from_bytes(&publisher).map_err(|e| HubError::Damaged(e.to_string()))?;
        Ok(CatalogEntry {
            id: self.id,
            version: self.version,
            hash: hex::encode(&self.hash),
            size: u64::try_from(self.size).unwrap_or(0),
            variant: self.variant,
            publisher: publisher.to_did_key(),
            modules: serde_json::from_str(&self.modules)
                .map_err(|e| HubError::Damaged(format!("a pack's module list: {e}")))?,
        })
    }
}

/// The answer to a publish: `created` is false when the hub already had the pack.
pub(super) fn publish_response(pack: &NewPack, created: bool, offered: bool) -> PublishResponse {
    PublishResponse {
        id: pack.id.clone(),
        version: pack.version.clone(),
        hash: hex::encode(&pack.hash),
        group: pack.group.clone(),
        created,
        offered,
    }
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

/// A stored code in the groups of four it is handed out in.
pub(super) fn grouped_code(stored: &str) -> String {
    stored
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A pack's module list as stored (JSON).
pub(super) fn modules_json(pack: &NewPack) -> Result<String, HubError> {
    serde_json::to_string(&pack.modules).map_err(|e| HubError::Encoding(e.to_string()))
}

/// The catalog a group sees: of every pack, the newest version in each variant (`full`,
/// `low`, `text`), so each device can take the one its learner's media setting asks for.
pub(super) fn newest_of_each(entries: Vec<CatalogEntry>) -> Vec<CatalogEntry> {
    let mut newest: Vec<CatalogEntry> = Vec::new();
    for entry in entries {
        let same = newest
            .iter_mut()
            .find(|e| e.id == entry.id && e.variant == entry.variant);
        match same {
            Some(current) if parse_version(&entry.version) > parse_version(&current.version) => {
                *current = entry
            }
            Some(_) => {}
            None => newest.push(entry),
        }
    }
    newest
}

/// The answer a device gets for one record of a push, from what the ledger decided.
pub(super) fn record_result(planned: &Planned<'_>) -> RecordResult {
    let (status, note) = match &planned.decision {
        Decision::Store(flags) => (RecordStatus::Accepted, flag_note(flags)),
        Decision::Duplicate => (RecordStatus::Duplicate, None),
        Decision::IdTaken => (
            RecordStatus::Rejected,
            Some("another record already has this id".to_owned()),
        ),
    };
    RecordResult {
        id: planned.record.signed.record.id.clone(),
        status,
        note,
    }
}

/// A stored 32-byte hash.
pub(super) fn stored_hash(bytes: &[u8]) -> Result<ContentHash, HubError> {
    bytes
        .try_into()
        .map(ContentHash)
        .map_err(|_| HubError::Damaged("a stored record hash".into()))
}

/// A stored record's body, parsed back.
pub(super) fn stored_record(body: &str) -> Result<SignedRecord, HubError> {
    serde_json::from_str(body).map_err(|e| HubError::Damaged(format!("a stored record: {e}")))
}

/// A device registering again: the same learner gets its group back; another is refused.
pub(super) fn known_device(
    known_learner: &str,
    group: String,
    learner: &str,
) -> Result<String, RegisterRefusal> {
    if known_learner == learner {
        Ok(group)
    } else {
        Err(RegisterRefusal::OtherLearner)
    }
}

/// A count as the database returns it.
pub(super) fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// A new enrolment code: 12 letters and digits, shown grouped as `XXXX-XXXX-XXXX`.
pub(super) fn new_code() -> Result<String, HubError> {
    let mut bytes = [0u8; 12];
    getrandom::getrandom(&mut bytes).map_err(|e| HubError::Random(e.to_string()))?;
    let code: String = bytes
        .iter()
        .map(|b| char::from(CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()]))
        .collect();
    Ok(format!("{}-{}-{}", &code[..4], &code[4..8], &code[8..]))
}

/// `N` random bytes (a nonce's random part, a nonce secret).
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], HubError> {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes).map_err(|e| HubError::Random(e.to_string()))?;
    Ok(bytes)
}

/// Normalises a typed code: upper case, no spaces or hyphens.
pub fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

pub(crate) use skillpack_core::protocol::HeldRecords;

/// What a hub holds of a device, from the count and highest `seq` of its stored records.
pub(crate) fn held(count: i64, last_seq: Option<i64>) -> HeldRecords {
    HeldRecords {
        count: u64::try_from(count).unwrap_or(0),
        last_seq: last_seq.and_then(|s| u64::try_from(s).ok()),
    }
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
    /// The provider's signed endorsement of the issuer key (JSON).
    pub endorsement: String,
    /// The URL of its Bitstring Status List credential.
    pub status_list: String,
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
    /// The record it was issued for.
    pub record_id: String,
    /// The learner's `did:key`.
    pub learner: String,
    /// The issuer's number.
    pub issuer: u64,
    /// Its bit in the issuer's status list.
    pub status_index: u64,
    /// The signed credential (JSON).
    pub body: String,
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
}

/// Reads a stored issuer row's keys; a damaged one is an error, never a panic.
pub(super) fn issuer_row(
    id: i64,
    publisher: &[u8],
    seed: &[u8],
    profile: String,
    endorsement: String,
    status_list: String,
) -> Result<IssuerRow, HubError> {
    let damaged = || HubError::Damaged("a stored issuer key".into());
    let publisher: [u8; 32] = publisher.try_into().map_err(|_| damaged())?;
    Ok(IssuerRow {
        id: count(id),
        publisher: PublicKey::from_bytes(&publisher).map_err(|_| damaged())?,
        seed: seed.try_into().map_err(|_| damaged())?,
        profile,
        endorsement,
        status_list,
    })
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
    /// Whether the session may see `group`.
    pub fn sees(&self, group: &str) -> bool {
        self.operator || self.groups.iter().any(|g| g == group)
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

/// A grant as stored: the role's name and the groups as JSON.
pub(super) fn grant_columns(grant: &WebGrant) -> Result<(&'static str, String), HubError> {
    let groups =
        serde_json::to_string(&grant.groups).map_err(|e| HubError::Encoding(e.to_string()))?;
    Ok((
        if grant.operator {
            "operator"
        } else {
            "trainer"
        },
        groups,
    ))
}

/// A stored grant, read back.
pub(super) fn grant_of(role: &str, groups: &str, label: String) -> Result<WebGrant, HubError> {
    Ok(WebGrant {
        operator: role == "operator",
        groups: serde_json::from_str(groups)
            .map_err(|e| HubError::Damaged(format!("a web grant's groups: {e}")))?,
        label,
    })
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

/// Group names joined with commas, split again (group names hold no commas).
pub(super) fn split_groups(joined: &str) -> Vec<String> {
    joined
        .split(',')
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
        .collect()
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
