//! The small rules and the decoding both engines follow, written once: enrolment codes (made,
//! typed loosely, shown grouped), the group query, the newest pack of each variant, the
//! answers to a publish and a push, a known device registering again, the audit trail's
//! details, and stored columns read back. An engine only runs SQL and hands its columns to
//! these.

use skillpack_core::hash::ContentHash;
use skillpack_core::hex;
use skillpack_core::keys::PublicKey;
use skillpack_core::ledger::{flag_note, Decision, Planned, SignedRecord};
use skillpack_core::module::parse_version;
use skillpack_core::protocol::{CatalogEntry, PublishResponse, RecordResult, RecordStatus};

use super::rows::{IssuerRow, LearnerLabel, LearnerLink, NewPack, RegisterRefusal, WebGrant};
use crate::error::HubError;

/// Letters of enrolment codes: no 0/O or 1/I, easy to read out and type.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// Bytes of a pack that storage reads or writes at once, and that a download sends at once:
/// the hub holds this much of a pack per transfer, whatever the pack's size.
pub const PIECE: usize = 1 << 20;

/// The audit entry of a label.
pub(super) fn label_detail(label: &LearnerLabel) -> String {
    serde_json::json!({
        "learner": label.learner,
        "label": label.label,
        "groups": label.scope.groups(),
    })
    .to_string()
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

/// Every group any pack, device or enrolment code names that `in_scope` (a condition on
/// `g.grp`) holds, with its counts. The same query on both engines but for how each spells
/// "now" in Unix seconds (`now`) and a group in a scope.
pub(super) fn groups_sql(now: &str, in_scope: &str) -> String {
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
         WHERE {in_scope} ORDER BY g.grp"
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

/// A stored pack hash (a pack's or a chunk's pack), checked for length.
pub(super) fn stored_pack_hash(bytes: &[u8]) -> Result<[u8; 32], HubError> {
    bytes
        .try_into()
        .map_err(|_| HubError::Damaged("a stored pack hash".into()))
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
    let bytes = random_bytes::<12>()?;
    let code: String = bytes
        .iter()
        .map(|b| char::from(CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()]))
        .collect();
    Ok(format!("{}-{}-{}", &code[..4], &code[4..8], &code[8..]))
}

/// `N` random bytes (a nonce's random part, a nonce secret, a session's secret), from the
/// core's one source of randomness.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], HubError> {
    skillpack_core::random::bytes::<N>().map_err(|e| HubError::Random(e.to_string()))
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

/// Reads a stored issuer row's keys; a damaged one is an error, never a panic.
pub(super) fn issuer_row(
    id: i64,
    publisher: &[u8],
    seed: &[u8],
    profile: String,
    endorsement: String,
    endorsement_credential: Option<String>,
    status_list: String,
) -> Result<IssuerRow, HubError> {
    let damaged = || HubError::Damaged("a stored issuer key".into());
    let publisher: [u8; 32] = publisher.try_into().map_err(|_| damaged())?;
    Ok(IssuerRow {
        id: count(id),
        publisher: PublicKey::from_bytes(&publisher).map_err(|_| damaged())?,
        seed: seed.try_into().map_err(|_| damaged())?,
        profile,
        // The column holds JSON: `null` when the provider gave no own-format endorsement.
        endorsement: (endorsement != "null").then_some(endorsement),
        endorsement_credential,
        status_list,
    })
}

/// An issuer's own-format endorsement as its column holds it: JSON, `null` for none.
pub(super) fn endorsement_column(issuer: &IssuerRow) -> &str {
    issuer.endorsement.as_deref().unwrap_or("null")
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

/// Group names joined with commas, split again (group names hold no commas).
pub(super) fn split_groups(joined: &str) -> Vec<String> {
    joined
        .split(',')
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
        .collect()
}
