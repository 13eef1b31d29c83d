//! Milestones that stack: the credential for a pathway (`module::Pathway`), earned by passing
//! its parts. Open Badges 3.0 has no pathway construct, so the milestone uses its fields: its
//! own `Achievement` (from the pathway: title, outcomes, quality assurance), a `criteria`
//! narrative naming the parts and how many are required, a workload (`volumeOfLearning`) that
//! is the sum of the parts', and one `evidence` entry for each part's credential, by its id and
//! the SHA-256 of its canonical JSON (RFC 8785) as `digestMultibase`, so a verifier holding
//! the parts can check they are the ones it names (docs/credentials.md, "Milestones").

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::badge::{
    digest_multibase, iso_duration, sign_endorsed, unsigned_credential, Award, Issuer, StatusEntry,
};
use super::contexts::Contexts;
use super::CredentialError;
use crate::hash::ContentHash;
use crate::keys::{PublicKey, SecretKey};
use crate::module::{Module, Pathway};

/// The tag a milestone's achievement carries.
pub const MILESTONE_TAG: &str = "milestone";

/// A milestone to award: the pathway, to whom, and the part credentials that earned it.
pub struct MilestoneAward<'a> {
    /// The credential's id (`urn:uuid:…`).
    pub id: String,
    /// The pathway, as compiled (its `pathway` set).
    pub pathway: &'a Module,
    /// The learner's `did:key`.
    pub learner: String,
    /// The parts' credentials, as issued (each the learner's, for a part of the pathway).
    pub parts: &'a [Value],
    /// When it is awarded.
    pub awarded: DateTime<Utc>,
    /// Its bit of the issuer's status list, if it can be revoked.
    pub status: Option<StatusEntry>,
}

/// The module a credential is for (`achievement.humanCode`), if it names one.
pub fn module_of(credential: &Value) -> Option<&str> {
    credential
        .pointer("/credentialSubject/achievement/humanCode")
        .and_then(Value::as_str)
}

/// How far `held` (the module ids of the learner's credentials) goes towards `pathway`: the
/// parts passed, in the pathway's order, and whether that is enough.
pub fn progress<'a>(pathway: &'a Pathway, held: &[&str]) -> (Vec<&'a str>, bool) {
    let passed: Vec<&str> = pathway
        .parts
        .iter()
        .map(String::as_str)
        .filter(|part| held.contains(part))
        .collect();
    let earned = passed.len() >= pathway.required as usize;
    (passed, earned)
}

/// The SHA-256 of a credential's canonical JSON (RFC 8785), as `digestMultibase` writes it.
pub fn credential_digest(credential: &Value) -> Result<String, CredentialError> {
    let digest = super::presentation::summary::canonical_digest(credential)?;
    Ok(digest_multibase(&ContentHash(digest)))
}

/// Minutes of an ISO 8601 duration of hours and minutes (`PT1H30M`), as `volumeOfLearning`
/// writes one; `None` for any other form.
fn minutes_of(duration: &str) -> Option<u32> {
    let mut rest = duration.strip_prefix("PT")?;
    let mut minutes = 0u32;
    if let Some((hours, after)) = rest.split_once('H') {
        minutes = hours.parse::<u32>().ok()?.checked_mul(60)?;
        rest = after;
    }
    if let Some(m) = rest.strip_suffix('M') {
        minutes = minutes.checked_add(m.parse().ok()?)?;
    } else if !rest.is_empty() {
        return None;
    }
    Some(minutes)
}

/// The unsigned milestone credential. The parts are checked to be the learner's, for parts
/// of the pathway, one each, and enough of them.
pub fn unsigned_milestone(
    issuer: &Issuer,
    issuer_key: &PublicKey,
    award: &MilestoneAward<'_>,
) -> Result<Value, CredentialError> {
    let bad = |why: String| CredentialError::Malformed(why);
    let pathway = award
        .pathway
        .pathway
        .as_ref()
        .ok_or_else(|| bad(format!("{} is not a pathway", award.pathway.id)))?;
    let mut named = Vec::new();
    for part in award.parts {
        let module =
            module_of(part).ok_or_else(|| bad("a part's credential names no module".into()))?;
        if !pathway.parts.iter().any(|p| p == module) {
            return Err(bad(format!(
                "{module} is not a part of {}",
                award.pathway.id
            )));
        }
        if named.contains(&module) {
            return Err(bad(format!("two credentials for the part {module}")));
        }
        let subject = part
            .pointer("/credentialSubject/id")
            .and_then(Value::as_str);
        if subject != Some(award.learner.as_str()) {
            return Err(bad(format!(
                "the credential for {module} is another learner's"
            )));
        }
        named.push(module);
    }
    if named.len() < pathway.required as usize {
        return Err(bad(format!(
            "{} of the {} parts required are passed",
            named.len(),
            pathway.required
        )));
    }
    let mut credential = unsigned_credential(
        issuer,
        issuer_key,
        &Award {
            id: award.id.clone(),
            module: award.pathway,
            learner: award.learner.clone(),
            learner_name: None,
            score_percent: 100,
            record: None,
            awarded: award.awarded,
            first_awarded: None,
            valid_until: None,
            status: award.status.clone(),
            assessment: Vec::new(),
        },
    );
    let subject = credential
        .get_mut("credentialSubject")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| bad("no subject".into()))?;
    // No score: a milestone is earned by its parts.
    subject.remove("result");
    let achievement = subject
        .get_mut("achievement")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| bad("no achievement".into()))?;
    achievement.remove("resultDescription");
    achievement.remove("provenBy");
    achievement.insert("tag".into(), json!([MILESTONE_TAG]));
    let titles: Vec<String> = award
        .parts
        .iter()
        .map(|p| {
            p.pointer("/credentialSubject/achievement/name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    let outcomes: String = award
        .pathway
        .outcomes
        .iter()
        .map(|o| format!("- {o}\n"))
        .collect();
    let all = pathway.required as usize == pathway.parts.len();
    let parts: String = pathway.parts.iter().map(|p| format!("- {p}\n")).collect();
    achievement.insert(
        "criteria".into(),
        json!({"narrative": format!(
            "## Learning outcomes\n\nThe holder can:\n\n{outcomes}\n## How it is earned\n\n\
             By passing {} of these {} modules, each with a credential of its own:\n\n{parts}",
            if all { "all".to_owned() } else { format!("any {}", pathway.required) },
            pathway.parts.len()
        )}),
    );
    let workload: Option<u32> = award
        .parts
        .iter()
        .map(|p| {
            p.pointer("/credentialSubject/achievement/volumeOfLearning")
                .and_then(Value::as_str)
                .and_then(minutes_of)
        })
        .try_fold(0u32, |sum, m| sum.checked_add(m?));
    match workload {
        Some(minutes) => {
            achievement.insert("volumeOfLearning".into(), iso_duration(minutes).into());
        }
        None => {
            achievement.remove("volumeOfLearning");
        }
    }
    let evidence = award
        .parts
        .iter()
        .zip(&titles)
        .map(|(part, title)| {
            Ok(json!({
                "id": part.get("id").and_then(Value::as_str).unwrap_or(""),
                "type": ["Evidence"],
                "name": title,
                "narrative": format!(
                    "The credential for {}, a part of this milestone; digestMultibase is the \
                     SHA-256 of its canonical JSON (RFC 8785).",
                    module_of(part).unwrap_or("")
                ),
                "digestMultibase": credential_digest(part)?,
            }))
        })
        .collect::<Result<Vec<_>, CredentialError>>()?;
    credential["evidence"] = Value::Array(evidence);
    Ok(credential)
}

/// Issues the milestone: built as [`unsigned_milestone`] says, with the issuer key's
/// `endorsement` in the profile when given (one of another key is refused), signed by `key`
/// through its `did:key`.
pub fn issue_milestone(
    issuer: &Issuer,
    key: &SecretKey,
    award: &MilestoneAward<'_>,
    endorsement: Option<&Value>,
    contexts: &Contexts,
) -> Result<Value, CredentialError> {
    let unsigned = unsigned_milestone(issuer, &key.public_key(), award)?;
    sign_endorsed(unsigned, key, endorsement, &award.awarded, contexts)
}
