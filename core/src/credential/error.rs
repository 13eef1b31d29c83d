//! The credential layer's one error type, naming the check that failed.

/// What went wrong with a credential, naming the check that failed.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// Not a credential this library can read.
    #[error("the credential is malformed: {0}")]
    Malformed(String),
    /// Bigger than a credential may be before it is canonicalised.
    #[error("{what} is {value}, above the limit of {limit}")]
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// How large it was.
        value: usize,
        /// The limit.
        limit: usize,
    },
    /// Canonicalising it would take more work than any credential needs: its blank nodes
    /// are alike in a way only trying ever more orders could tell apart (a poison graph).
    #[error(
        "canonicalising this document would take more than {limit} steps: it holds entries \
         too alike to tell apart"
    )]
    TooCostly {
        /// The budget, in calls of "hash N-degree quads" and orders tried.
        limit: u64,
    },
    /// JSON-LD expansion refused it (an undefined term, a context not bundled, a bad value).
    #[error("the credential is not valid JSON-LD: {0}")]
    JsonLd(String),
    /// The proof is missing or not one this library checks.
    #[error("the proof is not valid: {0}")]
    BadProof(String),
    /// The proof's key cannot be found.
    #[error("the key {0} is not known")]
    UnknownKey(String),
    /// The signature does not match: the credential was changed, or signed by another key.
    #[error("the signature does not match: the credential was changed or signed by another key")]
    BadSignature,
    /// The credential names one issuer and was signed by another's key.
    #[error("the credential names {issuer} as its issuer but was signed by {signer}")]
    IssuerMismatch {
        /// The issuer named.
        issuer: String,
        /// Whose key signed.
        signer: String,
    },
    /// Its validity has not begun.
    #[error("the credential is not valid before {0}")]
    NotYetValid(chrono::DateTime<chrono::Utc>),
    /// It has expired.
    #[error("the credential expired on {0}")]
    Expired(chrono::DateTime<chrono::Utc>),
    /// It names no subject.
    #[error("the credential names no learner")]
    NoSubject,
    /// An issuer endorsement that does not check out.
    #[error("the issuer endorsement is not valid: {0}")]
    BadEndorsement(String),
    /// The issuer revoked it.
    #[error("the issuer revoked the credential")]
    Revoked,
    /// Its status list cannot be used to check it.
    #[error("the status list is not usable: {0}")]
    BadStatusList(String),
}
