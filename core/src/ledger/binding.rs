//! Who a device speaks for. A [`DeviceBinding`] is the learner's own statement, signed with
//! the learner's key, that one device key speaks for them: a hub takes a device's results
//! only for the learner whose binding it holds. An [`Enrolment`] is the device's signed
//! statement that it joins with an enrolment code, so a relay bundle names its group the way
//! an online registration does and a carrier cannot move it to another.
//!
//! Neither carries a hub nonce or a time: both must travel in relay bundles written where no
//! hub can be reached, and neither is worth replaying. A binding names its device key, so it
//! is of use only to whoever holds that key; the requests that present it online are signed
//! by that key over a hub nonce.

use serde::{Deserialize, Serialize};

use super::error::LedgerError;
use crate::canonical::signing_input;
use crate::hex;
use crate::keys::{PublicKey, SecretKey};

/// Domain separation for bindings (signed by the learner's key).
const BINDING_CONTEXT: &[u8] = b"skillpack device binding v1\0";
/// Domain separation for enrolments (signed by the device's key).
const ENROLMENT_CONTEXT: &[u8] = b"skillpack enrolment v1\0";

/// Longest enrolment code a statement may carry (codes are short words and digits).
pub const MAX_ENROLMENT_CODE: usize = 64;

/// The learner's signed statement that `device` speaks for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceBinding {
    /// The learner's `did:key` (the signer).
    pub learner: String,
    /// The device's `did:key`.
    pub device: String,
    /// Ed25519 signature by the learner's key, lowercase hex.
    pub signature: String,
}

/// What a binding signs, in canonical JSON.
#[derive(Serialize)]
struct BindingClaim<'a> {
    device: &'a str,
    learner: &'a str,
}

impl DeviceBinding {
    /// The learner (`learner`) binds `device`.
    pub fn sign(learner: &SecretKey, device: &PublicKey) -> Result<Self, LedgerError> {
        let learner_did = learner.public_key().to_did_key();
        let device_did = device.to_did_key();
        let message = binding_message(&device_did, &learner_did)?;
        Ok(Self {
            signature: hex::encode(&learner.sign(&message)),
            learner: learner_did,
            device: device_did,
        })
    }

    /// Checks that this binding says `learner` speaks through `device` (both `did:key`s) and
    /// that the learner's key signed it.
    pub fn check(&self, device: &str, learner: &str) -> Result<(), LedgerError> {
        if self.device != device {
            return Err(LedgerError::BindingMismatch("device"));
        }
        if self.learner != learner {
            return Err(LedgerError::BindingMismatch("learner"));
        }
        let key = PublicKey::parse(&self.learner).map_err(|_| LedgerError::BadBinding)?;
        let signature = hex::decode::<64>(&self.signature).ok_or(LedgerError::BadBinding)?;
        key.verify(&binding_message(&self.device, &self.learner)?, &signature)
            .map_err(|_| LedgerError::BadBinding)
    }
}

fn binding_message(device: &str, learner: &str) -> Result<Vec<u8>, LedgerError> {
    signing_input(BINDING_CONTEXT, &BindingClaim { device, learner })
        .map_err(|e| LedgerError::Encoding(e.to_string()))
}

/// The device's signed statement that it joins a hub's group with `code`, for its learner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enrolment {
    /// The enrolment code the trainer gave.
    pub code: String,
    /// The device's `did:key` (the signer).
    pub device: String,
    /// The learner's `did:key`.
    pub learner: String,
    /// Ed25519 signature by the device's key, lowercase hex.
    pub signature: String,
}

/// What an enrolment signs, in canonical JSON.
#[derive(Serialize)]
struct EnrolmentClaim<'a> {
    code: &'a str,
    device: &'a str,
    learner: &'a str,
}

impl Enrolment {
    /// The device (`device`) joins with `code` for `learner` (a `did:key`).
    pub fn sign(device: &SecretKey, learner: &str, code: &str) -> Result<Self, LedgerError> {
        check_code(code)?;
        let device_did = device.public_key().to_did_key();
        let message = enrolment_message(code, &device_did, learner)?;
        Ok(Self {
            code: code.to_owned(),
            signature: hex::encode(&device.sign(&message)),
            device: device_did,
            learner: learner.to_owned(),
        })
    }

    /// Checks that this enrolment is `device`'s, for `learner`, and that the device's key
    /// signed it.
    pub fn check(&self, device: &str, learner: &str) -> Result<(), LedgerError> {
        check_code(&self.code)?;
        if self.device != device || self.learner != learner {
            return Err(LedgerError::BadEnrolment);
        }
        let key = PublicKey::parse(&self.device).map_err(|_| LedgerError::BadEnrolment)?;
        let signature = hex::decode::<64>(&self.signature).ok_or(LedgerError::BadEnrolment)?;
        key.verify(
            &enrolment_message(&self.code, &self.device, &self.learner)?,
            &signature,
        )
        .map_err(|_| LedgerError::BadEnrolment)
    }
}

/// Whether `code` can be an enrolment code a statement carries (not empty, not too long).
pub(crate) fn check_code(code: &str) -> Result<(), LedgerError> {
    if code.is_empty() || code.len() > MAX_ENROLMENT_CODE {
        return Err(LedgerError::BadEnrolment);
    }
    Ok(())
}

fn enrolment_message(code: &str, device: &str, learner: &str) -> Result<Vec<u8>, LedgerError> {
    signing_input(
        ENROLMENT_CONTEXT,
        &EnrolmentClaim {
            code,
            device,
            learner,
        },
    )
    .map_err(|e| LedgerError::Encoding(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SecretKey {
        SecretKey::from_seed(&[seed; 32])
    }

    fn did(seed: u8) -> String {
        key(seed).public_key().to_did_key()
    }

    #[test]
    fn a_binding_holds_for_its_device_and_learner_only() {
        let binding = DeviceBinding::sign(&key(1), &key(2).public_key()).expect("sign");
        assert_eq!(binding.check(&did(2), &did(1)), Ok(()));
        assert_eq!(
            binding.check(&did(3), &did(1)),
            Err(LedgerError::BindingMismatch("device"))
        );
        assert_eq!(
            binding.check(&did(2), &did(3)),
            Err(LedgerError::BindingMismatch("learner"))
        );
    }

    #[test]
    fn a_binding_made_by_another_key_than_the_learner_is_refused() {
        // The device signs a binding naming someone else as its learner.
        let mut forged = DeviceBinding::sign(&key(2), &key(2).public_key()).expect("sign");
        forged.learner = did(1);
        assert_eq!(forged.check(&did(2), &did(1)), Err(LedgerError::BadBinding));
        let mut garbled = DeviceBinding::sign(&key(1), &key(2).public_key()).expect("sign");
        garbled.signature = "zz".into();
        assert_eq!(
            garbled.check(&did(2), &did(1)),
            Err(LedgerError::BadBinding)
        );
    }

    #[test]
    fn a_binding_signature_never_verifies_as_an_enrolment() {
        // Same key, same names: the contexts keep the two statements apart.
        let binding = DeviceBinding::sign(&key(2), &key(2).public_key()).expect("sign");
        let enrolment = Enrolment {
            code: "x".into(),
            device: did(2),
            learner: did(2),
            signature: binding.signature,
        };
        assert_eq!(
            enrolment.check(&did(2), &did(2)),
            Err(LedgerError::BadEnrolment)
        );
    }

    #[test]
    fn an_enrolment_cannot_be_moved_to_another_code() {
        let enrolment = Enrolment::sign(&key(2), &did(1), "GREEN-7").expect("sign");
        assert_eq!(enrolment.check(&did(2), &did(1)), Ok(()));
        let moved = Enrolment {
            code: "OTHER-1".into(),
            ..enrolment.clone()
        };
        assert_eq!(
            moved.check(&did(2), &did(1)),
            Err(LedgerError::BadEnrolment)
        );
        assert_eq!(
            enrolment.check(&did(2), &did(3)),
            Err(LedgerError::BadEnrolment)
        );
        let long = "x".repeat(MAX_ENROLMENT_CODE + 1);
        assert_eq!(
            Enrolment::sign(&key(2), &did(1), &long),
            Err(LedgerError::BadEnrolment)
        );
    }
}
