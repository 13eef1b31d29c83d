//! Errors of the `ledger` concern: records that do not verify or do not chain, bindings and
//! grants that do not check out.

use thiserror::Error;

/// What can be wrong with a result record or the chain of them.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LedgerError {
    /// A record could not be encoded canonically.
    #[error("record cannot be encoded: {0}")]
    Encoding(String),
    /// A record's signature does not verify under its device key.
    #[error("record {seq} has a signature that does not match: it was changed after signing")]
    BadSignature {
        /// The record's sequence number.
        seq: u64,
    },
    /// A record names a device key that is not a valid key.
    #[error("record {seq} names a device key that is not a valid key")]
    BadDeviceKey {
        /// The record's sequence number.
        seq: u64,
    },
    /// The responses do not match their digest.
    #[error("record {seq}'s responses do not match their digest")]
    BadDigest {
        /// The record's sequence number.
        seq: u64,
    },
    /// A record is missing from the sequence.
    #[error("record {expected} is missing: the chain jumps to {found}")]
    Gap {
        /// The sequence number expected.
        expected: u64,
        /// The sequence number found.
        found: u64,
    },
    /// A record does not point at the hash of the one before it.
    #[error("record {seq} does not follow record {}: the chain is broken", .seq - 1)]
    BrokenLink {
        /// The record's sequence number.
        seq: u64,
    },
    /// A record belongs to another device than the chain.
    #[error("record {seq} was signed by another device")]
    OtherDevice {
        /// The record's sequence number.
        seq: u64,
    },
    /// A device binding names another device or learner than the one it is presented for.
    #[error("the device binding names another {0}")]
    BindingMismatch(&'static str),
    /// A device binding was not signed by the learner's key it names.
    #[error("the device binding was not signed by the learner's key")]
    BadBinding,
    /// An enrolment is not the device's own signed statement for its learner, or its code is
    /// empty or too long.
    #[error("the enrolment was not signed by this device for this learner")]
    BadEnrolment,
    /// A grant of more attempts does not check out (its terms, its signature, who signed
    /// it), or is not for this device's learner or a publisher it trusts.
    #[error("grant of attempts refused: {0}")]
    BadGrant(String),
}
