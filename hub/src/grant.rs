//! More attempts for a learner who used all of theirs. A trainer grants them; the hub signs
//! the grant with the provider's issuer key (which the provider's endorsement, carried in
//! the grant, lets devices trust), or with the publisher's own key when the trainer gives it;
//! the learner's devices take it with the answer to their next push.

use chrono::Utc;
use skillpack_core::credential::IssuerEndorsement;
use skillpack_core::keys::SecretKey;
use skillpack_core::ledger::{AttemptGrant, GrantTerms};
use skillpack_core::protocol::{NumberedGrant, MAX_GRANTS_PER_ANSWER};

use crate::error::HubError;
use crate::storage::{HubDb, NewAttemptGrant, PackModule, ResultQuery, Scope, StoredResult};

/// What a trainer asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRequest {
    /// The learner (`did:key`).
    pub learner: String,
    /// The module.
    pub module_id: String,
    /// How many more attempts.
    pub attempts: u32,
    /// The trainer's name, as the learner will see it.
    pub granted_by: String,
}

/// Why a grant was not made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrantRefusal {
    /// The hub holds no result of the learner for the module, so it cannot tell whose
    /// module it is (and there is no attempt to add to).
    #[error("the hub holds no result of this learner for module {0}; a grant is for a learner who has tried it")]
    NoAttempt(String),
    /// The learner passed the module: more attempts are for a learner who has not.
    #[error("the learner passed module {0}; more attempts are for a module not passed yet")]
    Passed(String),
    /// No key to sign with: no publisher key was given, and the provider has no issuer here
    /// endorsed in the own format devices take with a grant.
    #[error("the provider of module {0} has no issuer on this hub whose grants devices trust (set one up with `skillpack hub issuer --key`), so grant with the publisher's key (--key)")]
    NoIssuer(String),
    /// The key given is not the module's publisher's.
    #[error("the key given is not the publisher of module {0}")]
    WrongKey(String),
    /// The module is not offered to a group the trainer trains (the learner tried it in
    /// one of them, from a pack another group got).
    #[error("module {0} is not offered to a group you train: its trainers grant attempts at it")]
    NotOffered(String),
    /// The terms do not hold (attempts out of range, a name that is not a display name).
    #[error("{0}")]
    Invalid(String),
}

/// The modules `learner` may be given more attempts at, of those `scope` sees: each they
/// tried and have not passed, in the order first tried.
pub async fn grantable_modules(
    db: &HubDb,
    scope: &Scope,
    learner: &str,
) -> Result<Vec<String>, HubError> {
    let results = db
        .results(ResultQuery::new(scope.clone()).of_learner(learner))
        .await?;
    Ok(not_passed(&results))
}

/// The modules of `results` tried and never passed, in the order first tried.
fn not_passed(results: &[StoredResult]) -> Vec<String> {
    let mut modules: Vec<String> = Vec::new();
    for r in results {
        let module = &r.record.record.module;
        let passed = results
            .iter()
            .any(|p| &p.record.record.module == module && p.record.record.passed);
        if !passed && !modules.contains(module) {
            modules.push(module.clone());
        }
    }
    modules
}

/// Signs and stores a grant; gives it as signed. Only a module the learner tried in a group
/// `scope` sees, and has not passed, is granted. `publisher_key` signs when given (it must
/// be the module's publisher); otherwise the provider's issuer key does.
pub async fn grant_attempts(
    db: &HubDb,
    scope: &Scope,
    request: GrantRequest,
    publisher_key: Option<&SecretKey>,
) -> Result<Result<AttemptGrant, GrantRefusal>, HubError> {
    let module = request.module_id.clone();
    let results = db
        .results(
            ResultQuery::new(scope.clone())
                .of_learner(&request.learner)
                .of_module(&module),
        )
        .await?;
    let Some(newest) = results.last() else {
        return Ok(Err(GrantRefusal::NoAttempt(module)));
    };
    if not_passed(&results).is_empty() {
        return Ok(Err(GrantRefusal::Passed(module)));
    }
    // A trainer grants only at a module offered to a group they train, where the learner
    // tried it; an operator at any.
    if let Scope::Groups(_) = scope {
        let mut offered = false;
        let mut groups: Vec<&str> = results.iter().map(|r| r.group.as_str()).collect();
        groups.dedup();
        for group in groups {
            if db
                .catalog(group.to_owned())
                .await?
                .iter()
                .any(|entry| entry.modules.contains(&module))
            {
                offered = true;
                break;
            }
        }
        if !offered {
            return Ok(Err(GrantRefusal::NotOffered(module)));
        }
    }
    // The publisher of the module as the learner last attempted it, from the pack their
    // newest result names.
    let Some(PackModule { publisher, .. }) = db
        .pack_module(newest.record.record.pack.hash.0, &module)
        .await?
    else {
        return Ok(Err(GrantRefusal::NoAttempt(module)));
    };
    let (signer, endorsement) = match publisher_key {
        Some(key) if key.public_key() == publisher => (SecretKey::from_seed(&key.to_seed()), None),
        Some(_) => return Ok(Err(GrantRefusal::WrongKey(module))),
        None => {
            // Devices take an issuer-signed grant with the own-format endorsement; an issuer
            // endorsed only as an EndorsementCredential cannot sign grants they would trust.
            let Some((issuer, own_format)) = db
                .issuer_of(publisher)
                .await?
                .and_then(|i| i.endorsement.clone().map(|e| (i, e)))
            else {
                return Ok(Err(GrantRefusal::NoIssuer(module)));
            };
            let endorsement: IssuerEndorsement = serde_json::from_str(&own_format)
                .map_err(|e| HubError::Damaged(format!("an issuer's endorsement: {e}")))?;
            (SecretKey::from_seed(&issuer.seed), Some(endorsement))
        }
    };
    let id = skillpack_core::random::bytes().map_err(|e| HubError::Random(e.to_string()))?;
    let signed = GrantTerms::new(
        id,
        &request.learner,
        &publisher,
        &module,
        request.attempts,
        &request.granted_by,
        Utc::now(),
    )
    .and_then(|terms| AttemptGrant::sign(terms, &signer, endorsement));
    let grant = match signed {
        Ok(grant) => grant,
        Err(e) => return Ok(Err(GrantRefusal::Invalid(e.to_string()))),
    };
    let t = &grant.terms;
    db.add_grant(NewAttemptGrant {
        id: t.id.clone(),
        learner: t.learner.clone(),
        module_id: t.module.clone(),
        attempts: t.attempts,
        granted_by: t.granted_by.clone(),
        granted_at: t.granted_at.clone(),
        body: serde_json::to_string(&grant).map_err(|e| HubError::Encoding(e.to_string()))?,
    })
    .await?;
    Ok(Ok(grant))
}

/// The learner's grants of attempts after `after`. A device that took more than the hub
/// holds (the hub was restored from a backup) gets them all again: it keeps each one once.
pub async fn grants_after(
    db: &HubDb,
    learner: &str,
    after: u64,
) -> Result<Vec<NumberedGrant>, HubError> {
    let limit = MAX_GRANTS_PER_ANSWER as u32;
    let mut rows = db.grants_after(learner, after, limit).await?;
    if rows.is_empty() && after > 0 {
        let newest = db
            .learner_grants(learner)
            .await?
            .last()
            .map_or(0, |g| g.number);
        if newest < after {
            rows = db.grants_after(learner, 0, limit).await?;
        }
    }
    rows.into_iter()
        .map(|row| {
            let grant = serde_json::from_str(&row.body)
                .map_err(|e| HubError::Damaged(format!("a stored grant: {e}")))?;
            Ok(NumberedGrant {
                number: row.number,
                grant,
            })
        })
        .collect()
}
