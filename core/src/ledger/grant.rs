//! Another attempt for a learner who used all of theirs. A trainer grants it at the hub; the
//! grant is signed by the module's publisher, or by the provider's issuer key that the
//! publisher endorsed (the key a hub holds for the provider, so a trainer can grant from the
//! web page), and the learner's device takes it at its next sync. The device keeps a grant
//! only when a publisher it trusts stands behind it: a hub cannot hand out attempts on its
//! own word. Pure like the rest of the ledger: the grant's random id and its time come in
//! as arguments.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::error::LedgerError;
use crate::canonical::signing_input;
use crate::credential::IssuerEndorsement;
use crate::hex;
use crate::keys::{PublicKey, SecretKey};
use crate::module::is_valid_id;
use crate::name::display_name;

/// Domain separation for grant signatures.
const CONTEXT: &[u8] = b"skillpack attempt grant v1\0";

/// Most attempts one grant gives.
pub const MAX_GRANTED_ATTEMPTS: u32 = 10;

/// What a trainer grants: `attempts` more attempts at `module` for `learner`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantTerms {
    /// A random id (32 lowercase hex digits): the same grant taken twice counts once.
    pub id: String,
    /// The learner's `did:key`.
    pub learner: String,
    /// The `did:key` of the module's publisher.
    pub publisher: String,
    /// The module.
    pub module: String,
    /// How many more attempts, 1 to [`MAX_GRANTED_ATTEMPTS`].
    pub attempts: u32,
    /// The trainer's name, as the learner sees it.
    pub granted_by: String,
    /// When it was granted (the hub's clock, RFC 3339 to the second).
    pub granted_at: String,
    /// The signing key's `did:key`: the publisher's, or an issuer key it endorsed.
    pub signer: String,
}

/// Signed terms, with the publisher's endorsement of the signer when the signer is an issuer
/// key (so the grant checks out on a device that holds no endorsement yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttemptGrant {
    /// What is granted.
    pub terms: GrantTerms,
    /// The publisher's endorsement of `terms.signer`, when it is not the publisher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endorsement: Option<IssuerEndorsement>,
    /// Ed25519 signature over the terms, lowercase hex.
    pub signature: String,
}

/// A grant whose signature and terms checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedGrant {
    /// The publisher behind it (the device must trust it).
    pub publisher: PublicKey,
    /// The terms.
    pub terms: GrantTerms,
    /// When it was granted.
    pub granted_at: DateTime<Utc>,
}

impl GrantTerms {
    /// Terms for `attempts` more attempts at `module`; `id` is fresh randomness the caller
    /// drew (`crate::random::bytes`), so the same grant taken twice counts once. The signer
    /// is set when they are signed.
    pub fn new(
        id: [u8; 16],
        learner: &str,
        publisher: &PublicKey,
        module: &str,
        attempts: u32,
        granted_by: &str,
        granted_at: DateTime<Utc>,
    ) -> Result<Self, LedgerError> {
        Ok(Self {
            id: hex::encode(&id),
            learner: learner.to_owned(),
            publisher: publisher.to_did_key(),
            module: module.to_owned(),
            attempts,
            granted_by: display_name(granted_by).map_err(|e| bad(&e.to_string()))?,
            granted_at: granted_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            signer: String::new(),
        })
    }
}

impl AttemptGrant {
    /// Signs `terms` with `signer`; `endorsement` is the publisher's endorsement of `signer`
    /// when it is not the publisher's own key. Terms that would not check out are refused.
    pub fn sign(
        mut terms: GrantTerms,
        signer: &SecretKey,
        endorsement: Option<IssuerEndorsement>,
    ) -> Result<Self, LedgerError> {
        terms.signer = signer.public_key().to_did_key();
        let message = signing_input(CONTEXT, &terms).map_err(|e| bad(&e.to_string()))?;
        let grant = Self {
            terms,
            endorsement,
            signature: hex::encode(&signer.sign(&message)),
        };
        grant.check()?;
        Ok(grant)
    }

    /// Checks the terms, the signature, and that the signer is the publisher or a key the
    /// publisher endorsed. Whether the device trusts the publisher is the caller's to check.
    pub fn check(&self) -> Result<CheckedGrant, LedgerError> {
        let t = &self.terms;
        if t.id.len() != 32 || hex::decode::<16>(&t.id).is_none() {
            return Err(bad("its id is not 32 hex digits"));
        }
        PublicKey::parse(&t.learner).map_err(|_| bad("the learner is not a did:key"))?;
        let publisher =
            PublicKey::parse(&t.publisher).map_err(|_| bad("the publisher is not a did:key"))?;
        if !is_valid_id(&t.module) {
            return Err(bad("the module id is malformed"));
        }
        if !(1..=MAX_GRANTED_ATTEMPTS).contains(&t.attempts) {
            return Err(bad(&format!(
                "it gives {} attempts; a grant gives 1 to {MAX_GRANTED_ATTEMPTS}",
                t.attempts
            )));
        }
        if display_name(&t.granted_by).as_deref() != Ok(t.granted_by.as_str()) {
            return Err(bad("the trainer's name is not a display name"));
        }
        let granted_at = DateTime::parse_from_rfc3339(&t.granted_at)
            .map_err(|_| bad("its time is not RFC 3339"))?
            .with_timezone(&Utc);
        let signer = PublicKey::parse(&t.signer).map_err(|_| bad("the signer is not a did:key"))?;
        if signer != publisher {
            let endorsement = self.endorsement.as_ref().ok_or_else(|| {
                bad("the signer is not the publisher and no endorsement says it may sign")
            })?;
            let endorsed = endorsement
                .check()
                .map_err(|e| bad(&format!("its endorsement: {e}")))?;
            if endorsed.publisher != publisher || endorsed.issuer != signer {
                return Err(bad("its endorsement is for another publisher or key"));
            }
        }
        let signature: [u8; 64] =
            hex::decode(&self.signature).ok_or_else(|| bad("the signature is malformed"))?;
        let message = signing_input(CONTEXT, t).map_err(|e| bad(&e.to_string()))?;
        signer
            .verify(&message, &signature)
            .map_err(|_| bad("the signature does not match"))?;
        Ok(CheckedGrant {
            publisher,
            terms: t.clone(),
            granted_at,
        })
    }
}

fn bad(why: &str) -> LedgerError {
    LedgerError::BadGrant(why.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> (SecretKey, SecretKey, String) {
        let publisher = SecretKey::from_seed(&[1; 32]);
        let issuer = SecretKey::from_seed(&[2; 32]);
        let learner = SecretKey::from_seed(&[3; 32]).public_key().to_did_key();
        (publisher, issuer, learner)
    }

    fn grant(signer: &SecretKey, endorsement: Option<IssuerEndorsement>) -> AttemptGrant {
        let (publisher, _, learner) = keys();
        let terms = GrantTerms::new(
            [5; 16],
            &learner,
            &publisher.public_key(),
            "safe-riding",
            1,
            "Amina Njeri",
            DateTime::from_timestamp(1_790_000_000, 0).expect("time"),
        )
        .expect("terms");
        AttemptGrant::sign(terms, signer, endorsement).expect("signs")
    }

    #[test]
    fn the_publisher_or_an_issuer_it_endorsed_may_grant() {
        let (publisher, issuer, _) = keys();
        let by_publisher = grant(&publisher, None).check().expect("checks");
        assert_eq!(by_publisher.publisher, publisher.public_key());
        assert_eq!(by_publisher.terms.attempts, 1);
        let endorsement = IssuerEndorsement::sign(&publisher, &issuer.public_key()).expect("e");
        let by_issuer = grant(&issuer, Some(endorsement)).check().expect("checks");
        assert_eq!(by_issuer.publisher, publisher.public_key());
    }

    #[test]
    fn a_grant_changed_or_signed_by_a_stranger_fails() {
        let (publisher, issuer, _) = keys();
        let stranger = SecretKey::from_seed(&[9; 32]);
        let err = |g: &AttemptGrant| g.check().expect_err("refused").to_string();

        let endorsement = IssuerEndorsement::sign(&publisher, &issuer.public_key()).expect("e");
        let by_issuer = grant(&issuer, Some(endorsement));
        let unendorsed = AttemptGrant {
            endorsement: None,
            ..by_issuer.clone()
        };
        assert!(err(&unendorsed).contains("no endorsement"));
        let strangers = IssuerEndorsement::sign(&stranger, &issuer.public_key()).expect("e");
        let vouched_by_a_stranger = AttemptGrant {
            endorsement: Some(strangers),
            ..by_issuer
        };
        assert!(err(&vouched_by_a_stranger).contains("another publisher"));

        let good = grant(&publisher, None);
        let mut more = good.clone();
        more.terms.attempts = 5;
        assert!(err(&more).contains("does not match"));
        let mut other = good.clone();
        other.terms.learner = stranger.public_key().to_did_key();
        assert!(err(&other).contains("does not match"));
        let mut many = good.clone();
        many.terms.attempts = 11;
        assert!(err(&many).contains("1 to 10"));
        let mut named = good;
        named.terms.granted_by = "Amina\u{202E}".into();
        assert!(err(&named).contains("display name"));
    }

    #[test]
    fn a_grant_reads_back_from_its_json_and_refuses_extra_fields() {
        let (publisher, _, _) = keys();
        let g = grant(&publisher, None);
        let json = serde_json::to_string(&g).expect("json");
        assert_eq!(
            serde_json::from_str::<AttemptGrant>(&json).expect("back"),
            g
        );
        let extra = json.replacen('{', r#"{"admin":true,"#, 1);
        assert!(serde_json::from_str::<AttemptGrant>(&extra).is_err());
    }
}
