//! Admission: which records a holder takes from one device, whichever way they came (pushed
//! by the device, or carried in a relay bundle). A record is admitted when it is signed by
//! that device, is about that device's learner, and its signature and digest verify; what
//! comes out is a [`VerifiedRecord`], the one form a holder stores.

use thiserror::Error;

use super::error::LedgerError;
use super::record::{verify_many, ResultRecord, SignedRecord};
use crate::hash::ContentHash;

/// A record that passed admission, in the form a holder stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedRecord {
    /// The record.
    pub signed: SignedRecord,
    /// SHA-256 of `canonical`: the hash the next record points at.
    pub hash: ContentHash,
    /// The canonical JSON of the signed record (what
    /// [`SignedRecord::to_canonical_json`] gives, made from the bytes that were verified
    /// rather than encoded again).
    pub canonical: String,
}

impl VerifiedRecord {
    /// Verifies one record on its own (signature and digest; not who sent it).
    pub fn verify(signed: SignedRecord) -> Result<Self, LedgerError> {
        signed.verify()?;
        let canonical = String::from_utf8(signed.to_canonical_json()?)
            .map_err(|e| LedgerError::Encoding(e.to_string()))?;
        Ok(Self {
            hash: signed.hash()?,
            canonical,
            signed,
        })
    }
}

/// Why a record was not admitted. The text is the note a device reads.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Refusal {
    /// Another device signed it than the one it came from.
    #[error("signed by another device than the one pushing it")]
    OtherDevice,
    /// It is about another learner than the device's.
    #[error("about another learner than the device's")]
    OtherLearner,
    /// Its signature or digest does not verify.
    #[error(transparent)]
    DoesNotVerify(#[from] LedgerError),
}

/// A record that was not admitted, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The record's id, to answer the device with.
    pub id: String,
    /// Why.
    pub reason: Refusal,
}

/// What admission made of a batch: the records to store, and the others with their reasons.
#[derive(Debug, Clone, Default)]
pub struct Admitted {
    /// Records ready to store, in the order given.
    pub verified: Vec<VerifiedRecord>,
    /// Records refused, in the order given.
    pub refused: Vec<Refused>,
}

/// The identity part of admission: `record` must be signed by `device` and be about
/// `learner` (both `did:key`s). Relay bundles check this on reading; [`admit`] checks it
/// before any signature.
pub fn check_sender(record: &ResultRecord, device: &str, learner: &str) -> Result<(), Refusal> {
    if record.device != device {
        Err(Refusal::OtherDevice)
    } else if record.learner != learner {
        Err(Refusal::OtherLearner)
    } else {
        Ok(())
    }
}

/// Admits the records `device` brings for `learner`: each must pass [`check_sender`] and
/// verify. Signatures are checked in one batch. Pure: the caller chooses the thread.
pub fn admit(records: Vec<SignedRecord>, device: &str, learner: &str) -> Admitted {
    let checked = verify_many(&records);
    let mut admitted = Admitted::default();
    for (signed, signature) in records.into_iter().zip(checked) {
        let outcome = check_sender(&signed.record, device, learner).and_then(|()| {
            let checked = signature?;
            let canonical = String::from_utf8(checked.canonical)
                .map_err(|e| LedgerError::Encoding(e.to_string()))?;
            Ok((checked.hash, canonical))
        });
        match outcome {
            Ok((hash, canonical)) => admitted.verified.push(VerifiedRecord {
                signed,
                hash,
                canonical,
            }),
            Err(reason) => admitted.refused.push(Refused {
                id: signed.record.id,
                reason,
            }),
        }
    }
    admitted
}
