//! Portable credentials: a passed module becomes an Open Badges 3.0 `OpenBadgeCredential`
//! (a W3C Verifiable Credential 2.0) that belongs to the learner and that any verifier checks
//! offline. This layer holds the parts every credential needs: the bundled JSON-LD contexts
//! ([`Contexts`]), canonicalisation with its guard ([`rdfc`]) and the Data Integrity proofs
//! ([`proof`]). See docs/credentials.md.

mod badge;
pub mod baked;
pub mod canon;
mod contexts;
mod controller;
mod endorsement;
mod endorsement_credential;
mod error;
pub mod json;
mod literal;
pub mod milestone;
pub mod presentation;
pub mod proof;
pub mod qr;
pub mod rdfc;
pub mod status;
mod verify;
pub mod work_record;

pub use badge::{
    achievement_id, issue, timestamp, unsigned_credential, AssessmentType, Award, Issuer,
    RecordRef, StatusEntry,
};
pub use contexts::{
    elm_terms, is_old_form, Contexts, CREDENTIALS_V2, ED25519_SIGNATURE_2020_V1,
    OLD_MICROCREDENTIAL_V1, OPEN_BADGES_EXTENSIONS, OPEN_BADGES_V3,
};
pub use controller::{did_web_url, ControllerDocument, MAX_CONTROLLER_DOCUMENT_BYTES};
pub use endorsement::{Endorsed, IssuerEndorsement};
pub use endorsement_credential::{
    check_endorsement, endorse, endorsement_context, CheckedEndorsement, MAX_ENDORSEMENTS,
    MAX_PROVIDER_NAME_CHARS,
};
pub use error::CredentialError;
pub use presentation::{
    present, verify_presentation, PresentationError, PresentationRequest, VerifiedPresentation,
    MAX_PRESENTED,
};
pub use proof::{add_proof, check_proof, did_key_method, CheckedProof, Cryptosuite, ProofOptions};
pub use verify::{issuer_id, verify, verify_with, Revocation, Trust, Verified, CLOCK_TOLERANCE};

#[cfg(test)]
mod tests;
