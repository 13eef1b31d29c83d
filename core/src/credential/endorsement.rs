//! Which keys may issue credentials for a training provider. A hub issues credentials with an
//! issuer key of its own for each provider it serves, never with the key that signs the
//! provider's packs (a hub that held that key could sign packs). An [`IssuerEndorsement`] is
//! the provider's statement, signed with its publisher key, that one issuer key issues for
//! it: a device that trusts the publisher then trusts the credentials that key signs, and a
//! hub that forges one gains nothing without the publisher's key.

use serde::{Deserialize, Serialize};

use super::CredentialError;
use crate::canonical::signing_input;
use crate::hex;
use crate::keys::{PublicKey, SecretKey};

/// Domain separation for endorsements (signed by the publisher's key).
const ENDORSEMENT_CONTEXT: &[u8] = b"skillpack issuer endorsement v1\0";

/// A publisher's signed statement that `issuer` issues credentials on its behalf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerEndorsement {
    /// The publisher's `did:key` (the signer).
    pub publisher: String,
    /// The issuer key's `did:key`.
    pub issuer: String,
    /// Ed25519 signature by the publisher's key, lowercase hex.
    pub signature: String,
}

/// What an endorsement signs, in canonical JSON.
#[derive(Serialize)]
struct EndorsementClaim<'a> {
    issuer: &'a str,
    publisher: &'a str,
}

/// The keys an endorsement that checked out names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endorsed {
    /// The publisher that signed it.
    pub publisher: PublicKey,
    /// The issuer key it endorses.
    pub issuer: PublicKey,
}

impl IssuerEndorsement {
    /// The publisher (`publisher`) endorses `issuer`.
    pub fn sign(publisher: &SecretKey, issuer: &PublicKey) -> Result<Self, CredentialError> {
        let publisher_did = publisher.public_key().to_did_key();
        let issuer_did = issuer.to_did_key();
        let message = message(&issuer_did, &publisher_did)?;
        Ok(Self {
            signature: hex::encode(&publisher.sign(&message)),
            publisher: publisher_did,
            issuer: issuer_did,
        })
    }

    /// Checks the publisher's signature; gives both keys.
    pub fn check(&self) -> Result<Endorsed, CredentialError> {
        let bad = |why: &str| CredentialError::BadEndorsement(why.to_owned());
        let publisher =
            PublicKey::parse(&self.publisher).map_err(|_| bad("the publisher is not a did:key"))?;
        let issuer =
            PublicKey::parse(&self.issuer).map_err(|_| bad("the issuer is not a did:key"))?;
        let signature =
            hex::decode::<64>(&self.signature).ok_or_else(|| bad("the signature is malformed"))?;
        publisher
            .verify(&message(&self.issuer, &self.publisher)?, &signature)
            .map_err(|_| bad("the publisher's signature does not match"))?;
        Ok(Endorsed { publisher, issuer })
    }
}

fn message(issuer: &str, publisher: &str) -> Result<Vec<u8>, CredentialError> {
    signing_input(ENDORSEMENT_CONTEXT, &EndorsementClaim { issuer, publisher })
        .map_err(|e| CredentialError::Malformed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_endorsement_checks_and_names_both_keys() {
        let publisher = SecretKey::generate().unwrap();
        let issuer = SecretKey::generate().unwrap().public_key();
        let endorsement = IssuerEndorsement::sign(&publisher, &issuer).unwrap();
        let endorsed = endorsement.check().unwrap();
        assert_eq!(endorsed.publisher, publisher.public_key());
        assert_eq!(endorsed.issuer, issuer);
    }

    #[test]
    fn an_endorsement_moved_to_another_issuer_or_publisher_fails() {
        let publisher = SecretKey::generate().unwrap();
        let issuer = SecretKey::generate().unwrap().public_key();
        let endorsement = IssuerEndorsement::sign(&publisher, &issuer).unwrap();
        let other = SecretKey::generate().unwrap().public_key().to_did_key();
        for forged in [
            IssuerEndorsement {
                issuer: other.clone(),
                ..endorsement.clone()
            },
            IssuerEndorsement {
                publisher: other.clone(),
                ..endorsement.clone()
            },
            IssuerEndorsement {
                signature: "00".repeat(64),
                ..endorsement.clone()
            },
            IssuerEndorsement {
                signature: "zz".into(),
                ..endorsement.clone()
            },
        ] {
            assert!(
                matches!(forged.check(), Err(CredentialError::BadEndorsement(_))),
                "{forged:?}"
            );
        }
    }
}
