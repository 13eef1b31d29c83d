//! The JSON bodies of protocol version 1.

use serde::{Deserialize, Serialize};

/// `GET /v1/nonce`: a single-use value to sign one request with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonceResponse {
    /// The nonce (hex).
    pub nonce: String,
    /// Seconds the hub keeps it valid.
    pub expires_in: u64,
}

/// `POST /v1/packs`: what the hub stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishResponse {
    /// Pack id.
    pub id: String,
    /// Pack version.
    pub version: String,
    /// SHA-256 of the pack's signed part (names it in URLs).
    pub hash: String,
    /// Group it is offered to.
    pub group: String,
    /// False when the hub already had this exact pack.
    pub created: bool,
    /// True when the group was not offered the pack before (a pack already stored is
    /// offered to a second group this way); absent from hubs before offers.
    #[serde(default)]
    pub offered: bool,
}

/// One pack on offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogEntry {
    /// Pack id.
    pub id: String,
    /// Latest version offered.
    pub version: String,
    /// Its hash (download it at `/v1/packs/{hash}`).
    pub hash: String,
    /// Size in bytes.
    pub size: u64,
    /// Media variant (`full`, `low`, `text`).
    pub variant: String,
    /// Publisher's `did:key`.
    pub publisher: String,
    /// Module ids inside.
    pub modules: Vec<String>,
}

/// The tag a hub gives a catalog: a weak `ETag` of the first 16 bytes of the SHA-256 of its
/// JSON (weak: the same catalog goes out compressed or not). A device checks it before it
/// keeps the copy, so a damaged copy is never used until the catalog changes.
pub fn catalog_tag(body: &[u8]) -> String {
    let digest = crate::hash::ContentHash::of(body);
    format!("W/\"{}\"", crate::hex::encode(&digest.0[..16]))
}

/// `GET /v1/catalog?group=G`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogResponse {
    /// The group.
    pub group: String,
    /// Packs offered, sorted by id.
    pub packs: Vec<CatalogEntry>,
}

/// Every error answer: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorResponse {
    /// The error.
    pub error: ErrorBody,
}

/// A stable code a client can act on, and a message for logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable, snake_case (`unknown_publisher`, `bad_signature`…).
    pub code: String,
    /// Human-readable detail.
    pub message: String,
}

/// `POST /v1/devices`: a device registers with an enrolment code (signed by its device key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRequest {
    /// The code a trainer handed out.
    pub enrolment_code: String,
    /// The learner's `did:key`.
    pub learner: String,
    /// The learner's signed binding of this device (required: a request without one is
    /// refused with `bad_binding`; it is optional here only so that an older app hears why).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binding: Option<crate::ledger::DeviceBinding>,
    /// The name the learner chose to show the group's trainers, if any (see
    /// [`crate::name::display_name`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// What a registration gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterResponse {
    /// The group whose catalog the device sees.
    pub group: String,
}

/// `POST /v1/records`: a batch of signed records (signed request by the device key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    /// The records, in any order.
    pub records: Vec<crate::ledger::SignedRecord>,
    /// The name the learner shows the group's trainers, when it changed since the hub last
    /// took it (`""` to stop showing one); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The number of the newest grant of attempts the device took from this hub (0 for
    /// none): the hub answers with the learner's grants after it. Absent from devices that
    /// do not take grants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grants_after: Option<u64>,
}

/// Most grants of attempts in one answer to a push; the rest come with the next push.
pub const MAX_GRANTS_PER_ANSWER: usize = 20;

/// A grant of attempts a trainer gave the learner, with its number at the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberedGrant {
    /// Its number (rising; a device asks for those after the newest it took).
    pub number: u64,
    /// The signed grant.
    pub grant: crate::ledger::AttemptGrant,
}

/// What became of one pushed record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    /// Stored now.
    Accepted,
    /// The hub already had it (pushing again is harmless).
    Duplicate,
    /// Not stored; `reason` says why.
    Rejected,
}

/// The hub's answer for one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordResult {
    /// The record id.
    pub id: String,
    /// What became of it.
    pub status: RecordStatus,
    /// Why it was rejected, or what was flagged (`gap`, `fork`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `POST /v1/records` answer: one result per record, in the order sent, and what the hub
/// now holds of the device that pushed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// The results.
    pub results: Vec<RecordResult>,
    /// What the hub holds of this device's records (absent from hubs before it was added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held: Option<HeldRecords>,
    /// The group the hub holds the device in (absent from hubs before it was added): a
    /// device that remembers another one (an operator moved it) follows the hub.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The number of the newest credential the hub issued to the device's learner, if any
    /// (absent from hubs before credentials): a device that holds an older one asks for the
    /// rest at `POST /v1/credentials`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<u64>,
    /// The learner's grants of attempts after the request's `grants_after`, oldest first, at
    /// most [`MAX_GRANTS_PER_ANSWER`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<NumberedGrant>,
    /// How many of the learner's records the hub holds from their other devices (absent from
    /// hubs before it was added): a device that took fewer asks `POST /v1/history`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<u64>,
}

/// `POST /v1/history`: the learner's records from their other devices, after one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryRequest {
    /// The id of the last record taken (none for the first page).
    pub after: Option<String>,
}

/// Most records in one history answer; a device asks again for the rest.
pub const MAX_HISTORY_PER_ANSWER: usize = 100;

/// `POST /v1/history` answer: the learner's signed records from their other devices, in order
/// of id, each with the learner's binding of the device that signed it, so the device checks
/// that the learner's own key stands behind every one (a hub cannot invent an attempt).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryResponse {
    /// The records, at most [`MAX_HISTORY_PER_ANSWER`].
    pub records: Vec<HistoryRecord>,
    /// Whether more follow the last.
    pub more: bool,
}

/// One record of another device of the learner's, with that device's binding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryRecord {
    /// The record, as its device signed it.
    pub record: crate::ledger::SignedRecord,
    /// The learner's binding of that device.
    pub binding: crate::ledger::DeviceBinding,
}

/// `POST /v1/credentials`: the learner's credentials numbered after `after`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialsRequest {
    /// The number of the newest credential the device holds from this hub (0 for none).
    pub after: u64,
}

/// Most credentials in one answer; a device asks again for the rest.
pub const MAX_CREDENTIALS_PER_ANSWER: usize = 20;

/// One credential the hub issued, with its number in the learner's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuedCredential {
    /// Its number (rising; a device asks for those after the newest it holds).
    pub number: u64,
    /// The signed credential.
    pub credential: serde_json::Value,
}

/// The answer to `POST /v1/credentials`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialsResponse {
    /// Up to [`MAX_CREDENTIALS_PER_ANSWER`] credentials, oldest first.
    pub credentials: Vec<IssuedCredential>,
    /// The providers' endorsements of the keys that signed them (a device trusts a key only
    /// through an endorsement by a publisher it trusts).
    pub endorsements: Vec<crate::credential::IssuerEndorsement>,
    /// Whether more follow the last one.
    pub more: bool,
}

/// `POST /v1/revocations`: the hub's reasons for the learner's revoked credentials. It
/// carries nothing (unknown fields refused): the hub answers for the signing device's learner.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevocationsRequest {}

/// Most revocations in one answer (the newest); a learner has a handful.
pub const MAX_REVOCATIONS_PER_ANSWER: usize = 50;

/// Most characters of a revocation's reason on the wire (a trainer writes at most 200).
pub const MAX_REVOCATION_REASON_CHARS: usize = 200;

/// One of the learner's credentials the hub revoked, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationNotice {
    /// The credential's id.
    pub id: String,
    /// Why, in the trainer's words (at most [`MAX_REVOCATION_REASON_CHARS`] characters).
    /// Words to show, not a verdict: a device takes a credential as revoked only from its
    /// issuer's signed status list.
    pub reason: String,
    /// When the hub revoked it (RFC 3339).
    pub revoked_at: String,
}

/// The answer to `POST /v1/revocations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationsResponse {
    /// At most [`MAX_REVOCATIONS_PER_ANSWER`] of the learner's revoked credentials, the most
    /// recently revoked first.
    pub revocations: Vec<RevocationNotice>,
}

/// How many of a device's records a hub holds, and the number of the last: a device that
/// had more acknowledged sends the missing ones again (a hub restored from a backup heals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldRecords {
    /// Records held.
    pub count: u64,
    /// The highest `seq` among them (absent when none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seq: Option<u64>,
}
