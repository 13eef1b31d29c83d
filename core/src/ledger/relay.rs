//! Relay bundles: a device's signed records in one file that a trainer carries from a place
//! with no connection to the hub. The records' own signatures make this safe: the carrier can
//! lose or withhold records but cannot change or invent any, and the hub checks each one as if
//! the device had pushed it. A bundle also carries the learner's binding of the device and,
//! for a device the hub may never have seen, the device's signed enrolment: the hub takes
//! the device into the code's group as an online registration would, and a carrier can
//! neither attach a device to another learner nor move it to another group.

use serde::{Deserialize, Serialize};

use super::admit::check_sender;
use super::binding::{DeviceBinding, Enrolment};
use super::error::LedgerError;
use super::record::SignedRecord;
use crate::keys::PublicKey;

/// The format tag of the bundles this version writes and reads.
pub const RELAY_FORMAT: &str = "skillpack-relay-v2";

/// The format tag of bundles from before devices were bound to learners: refused, since
/// nothing in them shows the learner let the device speak for them.
const RELAY_FORMAT_V1: &str = "skillpack-relay-v1";

/// Largest bundle a reader accepts (a year of daily results is well under 10 MiB).
pub const MAX_RELAY_BYTES: u64 = 64 << 20;

/// One device's records, as carried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelayBundle {
    /// Always [`RELAY_FORMAT`].
    pub format: String,
    /// The device's `did:key` (every record must be signed by it).
    pub device: String,
    /// The learner's `did:key`.
    pub learner: String,
    /// The learner's binding of the device.
    pub binding: DeviceBinding,
    /// The device's enrolment, when it has one (a device the hub does not know needs it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrolment: Option<Enrolment>,
    /// The records, in order.
    pub records: Vec<SignedRecord>,
    /// The name the learner chose to show the group's trainers (absent when they show none,
    /// and from older apps): the hub keeps it under the one rule for display names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl RelayBundle {
    /// A bundle of `records` from the device that `binding` binds.
    pub fn new(
        binding: DeviceBinding,
        enrolment: Option<Enrolment>,
        records: Vec<SignedRecord>,
    ) -> Self {
        Self {
            format: RELAY_FORMAT.to_owned(),
            device: binding.device.clone(),
            learner: binding.learner.clone(),
            binding,
            enrolment,
            records,
            name: None,
        }
    }

    /// Reads a bundle, refusing other formats, a device that is not a key, a binding or an
    /// enrolment that is not the learner's or the device's own, and records that fail
    /// admission's sender rule
    /// ([`check_sender`]: another device or learner than the bundle's). Signatures are
    /// checked by whoever stores the records (the hub, through [`admit`](super::admit)).
    pub fn parse(bytes: &[u8]) -> Result<Self, LedgerError> {
        if bytes.len() as u64 > MAX_RELAY_BYTES {
            return Err(LedgerError::Encoding(
                "the relay bundle is too large".into(),
            ));
        }
        if let Ok(old) = serde_json::from_slice::<FormatOnly>(bytes) {
            if old.format == RELAY_FORMAT_V1 {
                return Err(LedgerError::Encoding(
                    "this relay bundle comes from an older app, which did not carry the \
                     learner's binding of the device: update the app and export again"
                        .into(),
                ));
            }
        }
        let bundle: Self = serde_json::from_slice(bytes)
            .map_err(|e| LedgerError::Encoding(format!("not a relay bundle: {e}")))?;
        if bundle.format != RELAY_FORMAT {
            return Err(LedgerError::Encoding(format!(
                "unknown relay format {:?}",
                bundle.format
            )));
        }
        if PublicKey::parse(&bundle.device).is_err() {
            return Err(LedgerError::Encoding(format!(
                "the bundle's device {:?} is not a did:key",
                bundle.device
            )));
        }
        bundle.binding.check(&bundle.device, &bundle.learner)?;
        if let Some(enrolment) = &bundle.enrolment {
            enrolment.check(&bundle.device, &bundle.learner)?;
        }
        if let Some(r) = bundle
            .records
            .iter()
            .find(|r| check_sender(&r.record, &bundle.device, &bundle.learner).is_err())
        {
            return Err(LedgerError::OtherDevice { seq: r.record.seq });
        }
        Ok(bundle)
    }
}

/// Only a bundle's format tag, to tell an old bundle from a damaged one.
#[derive(Deserialize)]
struct FormatOnly {
    format: String,
}
