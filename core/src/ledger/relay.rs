//! Relay bundles: a device's signed records in one file that a trainer carries from a place
//! with no connection to the hub. The records' own signatures make this safe: the carrier can
//! lose or withhold records but cannot change or invent any, and the hub checks each one as if
//! the device had pushed it.

use serde::{Deserialize, Serialize};

use super::admit::check_sender;
use super::error::LedgerError;
use super::record::SignedRecord;
use crate::keys::PublicKey;

/// The format tag of version 1 bundles.
pub const RELAY_FORMAT_V1: &str = "skillpack-relay-v1";

/// Largest bundle a reader accepts (a year of daily results is well under 10 MiB).
pub const MAX_RELAY_BYTES: u64 = 64 << 20;

/// One device's records, as carried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelayBundle {
    /// Always [`RELAY_FORMAT_V1`].
    pub format: String,
    /// The device's `did:key` (every record must be signed by it).
    pub device: String,
    /// The learner's `did:key`.
    pub learner: String,
    /// The records, in order.
    pub records: Vec<SignedRecord>,
}

impl RelayBundle {
    /// A bundle of `records` from one device.
    pub fn new(device: String, learner: String, records: Vec<SignedRecord>) -> Self {
        Self {
            format: RELAY_FORMAT_V1.to_owned(),
            device,
            learner,
            records,
        }
    }

    /// Reads a bundle, refusing other formats, a device that is not a key, and records that
    /// fail admission's sender rule
    /// ([`check_sender`]: another device or learner than the bundle's). Signatures are
    /// checked by whoever stores the records (the hub, through [`admit`](super::admit)).
    pub fn parse(bytes: &[u8]) -> Result<Self, LedgerError> {
        if bytes.len() as u64 > MAX_RELAY_BYTES {
            return Err(LedgerError::Encoding(
                "the relay bundle is too large".into(),
            ));
        }
        let bundle: Self = serde_json::from_slice(bytes)
            .map_err(|e| LedgerError::Encoding(format!("not a relay bundle: {e}")))?;
        if bundle.format != RELAY_FORMAT_V1 {
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
