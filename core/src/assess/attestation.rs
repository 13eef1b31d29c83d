//! Practical skills are checked in person. An assessor (a trainer whose key the module's
//! publisher lists) ticks the checklist on their own phone, offline, and signs this small
//! record; the learner's phone receives it (by QR code, say) and the engine scores the
//! checklist from it. Signed over RFC 8785 canonical JSON with its own context, so it can be
//! carried by any channel and checked anywhere.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::AssessError;
use crate::canonical::signing_input;
use crate::hex;
use crate::keys::{PublicKey, SecretKey};
use crate::module::Module;

/// Domain separation for attestation signatures.
const CONTEXT: &[u8] = b"skillpack attestation v1\0";

/// What the assessor states: this learner showed these checklist items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationClaim {
    /// The module.
    pub module_id: String,
    /// The checklist question.
    pub question_id: String,
    /// The learner's `did:key`.
    pub learner: String,
    /// One tick per checklist item, in the author's order.
    pub ticked: Vec<bool>,
    /// When the assessor checked (their device's clock; informative only).
    pub assessed_at: DateTime<Utc>,
    /// The assessor's `did:key`.
    pub assessor: String,
}

/// A claim and the assessor's signature over it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attestation {
    /// What is attested.
    pub claim: AttestationClaim,
    /// Ed25519 signature, lowercase hex.
    pub signature: String,
}

impl Attestation {
    /// Signs a claim with the assessor's key (the claim's `assessor` is set from the key).
    pub fn sign(mut claim: AttestationClaim, key: &SecretKey) -> Result<Self, AssessError> {
        claim.assessor = key.public_key().to_did_key();
        let message = signing_input(CONTEXT, &claim).map_err(|e| bad(&e.to_string()))?;
        Ok(Self {
            claim,
            signature: hex::encode(&key.sign(&message)),
        })
    }

    /// Checks the signature, that the assessor is one the module lists, and that the claim
    /// is about this module, question and learner with one tick per item.
    pub fn verify(
        &self,
        module: &Module,
        question_id: &str,
        learner: &str,
    ) -> Result<(), AssessError> {
        let c = &self.claim;
        if c.module_id != module.id || c.question_id != question_id || c.learner != learner {
            return Err(bad("it is about another module, question or learner"));
        }
        if !module.assessors.iter().any(|a| a == &c.assessor) {
            return Err(bad("the assessor is not one this module's publisher lists"));
        }
        let items = module
            .questions
            .iter()
            .find(|q| q.id == question_id)
            .and_then(|q| match &q.kind {
                crate::module::QuestionKind::Checklist { items } => Some(items.len()),
                _ => None,
            })
            .ok_or_else(|| bad("the question is not a practical checklist"))?;
        if c.ticked.len() != items {
            return Err(bad("it does not tick every item of the checklist"));
        }
        let key =
            PublicKey::parse(&c.assessor).map_err(|_| bad("the assessor key is malformed"))?;
        let signature: [u8; 64] =
            hex::decode(&self.signature).ok_or_else(|| bad("the signature is malformed"))?;
        let message = signing_input(CONTEXT, c).map_err(|e| bad(&e.to_string()))?;
        key.verify(&message, &signature)
            .map_err(|_| bad("the signature does not match"))
    }

    /// How many of `items` items are ticked.
    pub fn ticked_count(&self, items: usize) -> usize {
        self.claim.ticked.iter().take(items).filter(|t| **t).count()
    }
}

fn bad(why: &str) -> AssessError {
    AssessError::BadAttestation(why.to_owned())
}
