//! Platform work records: a profile of Open Badges 3.0 for what a worker did through a
//! platform, from the fields GigCV's and JobTech's gig data name. The platform is the issuer;
//! the kind of work is an ESCO occupation (an alignment); the period is the subject's
//! `activityStartDate` and `activityEndDate`; the number of tasks and the clients' rating
//! (with its scale: a `ScaledScore` between `valueMin` and `valueMax`) are results. Each client
//! review the platform passes on is a credential of its own, its text the evidence, so the
//! worker can show any and leave any out. docs/credentials.md, "Work records", says how each
//! field maps.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::badge::{issuer_profile, timestamp, Issuer};
use super::contexts::{Contexts, CREDENTIALS_V2, OPEN_BADGES_V3};
use super::proof::{add_proof, Cryptosuite, ProofOptions};
use super::CredentialError;
use crate::keys::{PublicKey, SecretKey};

/// The `achievementType` of a work record (Open Badges' extension naming, `ext:`).
pub const WORK_RECORD: &str = "ext:WorkRecord";
/// The `achievementType` of a client review.
pub const CLIENT_REVIEW: &str = "ext:ClientReview";
/// Where ESCO occupations live: a work record's kind of work is one of them.
pub const ESCO_OCCUPATION: &str = "http://data.europa.eu/esco/occupation/";
/// Most reviews one record carries.
pub const MAX_REVIEWS: usize = 20;
/// Most characters of a review's text.
pub const MAX_REVIEW_CHARS: usize = 1000;
/// Most characters of an occupation's name.
pub const MAX_NAME_CHARS: usize = 200;

/// The key a platform signs with, and the id verifiers know it by: its `did:key`, or its
/// `did:web` (whose controller document publishes the key).
#[derive(Clone, Copy)]
pub struct PlatformSigner<'a> {
    /// The platform's key.
    pub key: &'a SecretKey,
    /// The platform's `did:web`, when it signs as one.
    pub did_web: Option<&'a str>,
}

impl PlatformSigner<'_> {
    /// The issuer id the records name.
    pub fn id(&self) -> String {
        self.did_web
            .map_or_else(|| self.key.public_key().to_did_key(), str::to_owned)
    }

    /// The proof's verification method: under the `did:web` its key's multibase as fragment
    /// (what [`controller_document`] publishes).
    pub fn verification_method(&self) -> String {
        let public = self.key.public_key();
        match self.did_web {
            Some(did) => format!("{did}#{}", public.to_multibase()),
            None => public.to_verification_method(),
        }
    }
}

/// The controller document a platform publishes for its `did:web` (at
/// [`super::did_web_url`]), allowing `key` to sign credentials.
pub fn controller_document(did: &str, key: &PublicKey) -> Value {
    let method = format!("{did}#{}", key.to_multibase());
    json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [{
            "id": method,
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.to_multibase(),
        }],
        "assertionMethod": [method],
    })
}

/// A worker's record on a platform, as the platform's export gives it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkRecord {
    /// The worker's `did:key` (the worker shows it to the platform, as a QR code or text).
    pub worker: String,
    /// The kind of work: an ESCO occupation's URI.
    pub occupation: String,
    /// The occupation's name, as the platform calls it.
    pub occupation_name: String,
    /// The first day of the period (`YYYY-MM-DD`).
    pub start: NaiveDate,
    /// The last day of the period.
    pub end: NaiveDate,
    /// Tasks completed in the period.
    pub tasks: u32,
    /// The clients' rating over the period, if the platform rates.
    #[serde(default)]
    pub rating: Option<Rating>,
    /// Client reviews the platform passes on, each its own credential.
    #[serde(default)]
    pub reviews: Vec<Review>,
}

/// A rating on the platform's scale.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    /// The rating (an average, for a period).
    pub value: f64,
    /// The lowest rating on the scale.
    pub min: f64,
    /// The highest.
    pub max: f64,
    /// How many ratings the value averages, if said.
    #[serde(default)]
    pub count: Option<u32>,
}

/// A client's review.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// The day it was written.
    pub date: NaiveDate,
    /// What the client wrote.
    pub text: String,
    /// The client's rating with it, on the record's scale, if any.
    #[serde(default)]
    pub rating: Option<f64>,
}

fn bad(why: String) -> CredentialError {
    CredentialError::Malformed(why)
}

impl WorkRecord {
    /// Checks what a verifier could not: the worker's DID, the occupation, the period, the
    /// scale, the bounds on text.
    pub fn check(&self) -> Result<(), CredentialError> {
        PublicKey::parse(&self.worker)
            .ok()
            .filter(|_| self.worker.starts_with("did:key:"))
            .ok_or_else(|| bad(format!("the worker {:?} is not a did:key", self.worker)))?;
        let uuid = self.occupation.strip_prefix(ESCO_OCCUPATION).unwrap_or("");
        if uuid.is_empty() || !uuid.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(bad(format!(
                "the occupation {:?} is not an ESCO occupation ({ESCO_OCCUPATION}…)",
                self.occupation
            )));
        }
        let name_chars = self.occupation_name.trim().chars().count();
        if name_chars == 0 || name_chars > MAX_NAME_CHARS {
            return Err(bad(format!(
                "the occupation's name is empty or longer than {MAX_NAME_CHARS} characters"
            )));
        }
        if self.end < self.start {
            return Err(bad(format!(
                "the period ends ({}) before it starts ({})",
                self.end, self.start
            )));
        }
        if let Some(rating) = &self.rating {
            check_scale(rating.value, rating)?;
        }
        if self.reviews.len() > MAX_REVIEWS {
            return Err(bad(format!(
                "{} reviews; at most {MAX_REVIEWS} go with one record",
                self.reviews.len()
            )));
        }
        for review in &self.reviews {
            let chars = review.text.trim().chars().count();
            if chars == 0 || chars > MAX_REVIEW_CHARS {
                return Err(bad(format!(
                    "a review is empty or longer than {MAX_REVIEW_CHARS} characters"
                )));
            }
            if let Some(value) = review.rating {
                let scale = self.rating.ok_or_else(|| {
                    bad("a review is rated, but the record gives no rating scale".into())
                })?;
                check_scale(value, &scale)?;
            }
        }
        Ok(())
    }
}

fn check_scale(value: f64, scale: &Rating) -> Result<(), CredentialError> {
    if !(value.is_finite() && scale.min.is_finite() && scale.max.is_finite())
        || scale.min >= scale.max
        || value < scale.min
        || value > scale.max
    {
        return Err(bad(format!(
            "the rating {value} is not on the scale {} to {}",
            scale.min, scale.max
        )));
    }
    Ok(())
}

/// A number as Open Badges results write them: text, without a trailing `.0`.
fn number(value: f64) -> String {
    format!("{value}")
}

/// The start of a day, as the date-times Open Badges' schema asks for.
fn day(date: NaiveDate) -> String {
    format!("{date}T00:00:00Z")
}

/// The end of a day.
fn day_end(date: NaiveDate) -> String {
    format!("{date}T23:59:59Z")
}

/// The credentials for `record`, issued at `issued` by `platform` and signed by `signer`:
/// the record itself first, then one for each review. `new_id` gives each its id (a
/// `urn:uuid:`).
pub fn issue_work_record(
    platform: &Issuer,
    signer: PlatformSigner<'_>,
    record: &WorkRecord,
    issued: DateTime<Utc>,
    new_id: &mut dyn FnMut() -> String,
    contexts: &Contexts,
) -> Result<Vec<Value>, CredentialError> {
    unsigned_work_records(platform, &signer.id(), record, issued, new_id)?
        .into_iter()
        .map(|unsigned| sign(unsigned, signer, issued, contexts))
        .collect()
}

/// The unsigned credentials for `record` from the issuer `issuer` (its id): the record
/// first, then one for each review. A hub adds its issuer key's endorsement and a status
/// entry to each before it signs them.
pub fn unsigned_work_records(
    platform: &Issuer,
    issuer: &str,
    record: &WorkRecord,
    issued: DateTime<Utc>,
    new_id: &mut dyn FnMut() -> String,
) -> Result<Vec<Value>, CredentialError> {
    record.check()?;
    let issuer = issuer.to_owned();
    let profile = Value::Object(issuer_profile(platform, &issuer));
    let occupation_key = record.occupation.trim_start_matches(ESCO_OCCUPATION);
    let achievement_id = format!("{issuer}#work-record-{occupation_key}");
    let mut descriptions = vec![json!({
        "id": format!("{achievement_id}-tasks"),
        "type": ["ResultDescription"],
        "name": "Tasks completed",
        "resultType": "RawScore",
        "valueMin": "0",
    })];
    let mut results = vec![json!({
        "type": ["Result"],
        "resultDescription": format!("{achievement_id}-tasks"),
        "value": record.tasks.to_string(),
    })];
    if let Some(rating) = &record.rating {
        descriptions.push(json!({
            "id": format!("{achievement_id}-rating"),
            "type": ["ResultDescription"],
            "name": "Clients' rating",
            "resultType": "ScaledScore",
            "valueMin": number(rating.min),
            "valueMax": number(rating.max),
        }));
        results.push(json!({
            "type": ["Result"],
            "resultDescription": format!("{achievement_id}-rating"),
            "value": number(rating.value),
        }));
        if let Some(count) = rating.count {
            descriptions.push(json!({
                "id": format!("{achievement_id}-ratings"),
                "type": ["ResultDescription"],
                "name": "Ratings given",
                "resultType": "RawScore",
                "valueMin": "0",
            }));
            results.push(json!({
                "type": ["Result"],
                "resultDescription": format!("{achievement_id}-ratings"),
                "value": count.to_string(),
            }));
        }
    }
    let achievement = json!({
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": WORK_RECORD,
        "name": record.occupation_name.trim(),
        "description": format!(
            "Work done through {} as {}, as the platform's own records show.",
            platform.name,
            record.occupation_name.trim()
        ),
        "criteria": {"narrative": format!(
            "Issued by {} from its records of the work the holder did through it: the tasks \
             completed in the period and the ratings clients gave.",
            platform.name
        )},
        "alignment": [{
            "type": ["Alignment"],
            "targetName": record.occupation_name.trim(),
            "targetUrl": record.occupation,
            "targetFramework": "ESCO",
            "targetType": "ext:ESCOOccupation",
        }],
        "resultDescription": descriptions,
    });
    let subject = json!({
        "id": record.worker,
        "type": ["AchievementSubject"],
        "activityStartDate": day(record.start),
        "activityEndDate": day_end(record.end),
        "achievement": achievement,
        "result": results,
    });
    let mut credentials = vec![credential(
        new_id(),
        &format!("{} on {}", record.occupation_name.trim(), platform.name),
        &profile,
        issued,
        subject,
        None,
    )];
    for review in &record.reviews {
        credentials.push(review_credential(
            platform,
            &profile,
            &issuer,
            record,
            review,
            issued,
            new_id(),
        ));
    }
    Ok(credentials)
}

/// One review's credential: the text as evidence, its rating as a result.
fn review_credential(
    platform: &Issuer,
    profile: &Value,
    issuer: &str,
    record: &WorkRecord,
    review: &Review,
    issued: DateTime<Utc>,
    id: String,
) -> Value {
    let achievement_id = format!("{issuer}#client-review");
    let mut achievement = Map::new();
    achievement.insert("id".into(), achievement_id.clone().into());
    achievement.insert("type".into(), json!(["Achievement"]));
    achievement.insert("achievementType".into(), CLIENT_REVIEW.into());
    achievement.insert("name".into(), "Client review".into());
    achievement.insert(
        "description".into(),
        format!(
            "A review a client wrote of the holder's work through {}.",
            platform.name
        )
        .into(),
    );
    achievement.insert(
        "criteria".into(),
        json!({"narrative": format!(
            "A client of {} wrote it after a task the holder did; the platform passed it on \
             as the client wrote it.",
            platform.name
        )}),
    );
    let mut subject = Map::new();
    subject.insert("id".into(), record.worker.clone().into());
    subject.insert("type".into(), json!(["AchievementSubject"]));
    subject.insert("activityStartDate".into(), day(review.date).into());
    subject.insert("activityEndDate".into(), day_end(review.date).into());
    if let (Some(value), Some(scale)) = (review.rating, &record.rating) {
        achievement.insert(
            "resultDescription".into(),
            json!([{
                "id": format!("{achievement_id}-rating"),
                "type": ["ResultDescription"],
                "name": "Client's rating",
                "resultType": "ScaledScore",
                "valueMin": number(scale.min),
                "valueMax": number(scale.max),
            }]),
        );
        subject.insert(
            "result".into(),
            json!([{"type": ["Result"], "resultDescription": format!("{achievement_id}-rating"),
                    "value": number(value)}]),
        );
    }
    subject.insert("achievement".into(), Value::Object(achievement));
    let evidence = json!([{
        "type": ["Evidence"],
        "name": format!("Client review of {}", review.date),
        "genre": "Client review",
        "narrative": review.text.trim(),
    }]);
    credential(
        id,
        &format!("Client review on {}", platform.name),
        profile,
        issued,
        Value::Object(subject),
        Some(evidence),
    )
}

/// An unsigned Open Badges credential around `subject`.
fn credential(
    id: String,
    name: &str,
    profile: &Value,
    issued: DateTime<Utc>,
    subject: Value,
    evidence: Option<Value>,
) -> Value {
    let mut credential = Map::new();
    credential.insert("@context".into(), json!([CREDENTIALS_V2, OPEN_BADGES_V3]));
    credential.insert("id".into(), id.into());
    credential.insert(
        "type".into(),
        json!(["VerifiableCredential", "OpenBadgeCredential"]),
    );
    credential.insert("name".into(), name.into());
    credential.insert("issuer".into(), profile.clone());
    credential.insert("validFrom".into(), timestamp(&issued).into());
    credential.insert("credentialSubject".into(), subject);
    if let Some(evidence) = evidence {
        credential.insert("evidence".into(), evidence);
    }
    Value::Object(credential)
}

fn sign(
    unsigned: Value,
    signer: PlatformSigner<'_>,
    issued: DateTime<Utc>,
    contexts: &Contexts,
) -> Result<Value, CredentialError> {
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        created: timestamp(&issued),
        verification_method: signer.verification_method(),
    };
    add_proof(&unsigned, signer.key, &options, contexts)
}

/// What kind of credential `credential` is, as a worker's portfolio groups them.
pub fn achievement_type(credential: &Value) -> Option<&str> {
    credential
        .pointer("/credentialSubject/achievement/achievementType")
        .and_then(Value::as_str)
}
