//! The Open Badges 3.0 `OpenBadgeCredential` for a passed module, carrying the elements the
//! 2022 EU Council Recommendation asks a micro-credential to state: Open Badges' own terms
//! where they exist, the European Learning Model's for the rest, through an inline context
//! every verifier expands without loading anything (docs/credentials.md, ADR 0005).

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

use super::contexts::{elm_terms, Contexts, CREDENTIALS_V2, OPEN_BADGES_V3};
use super::proof::{add_proof, Cryptosuite, ProofOptions};
use super::CredentialError;
use crate::hash::ContentHash;
use crate::keys::{PublicKey, SecretKey};
use crate::module::{Module, Participation};

/// The training provider that awards credentials (the same for every module it awards); a
/// hub keeps it as JSON beside the provider's issuer key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Issuer {
    /// Its name, as learners and employers know it.
    pub name: String,
    /// Its website, if any.
    pub url: Option<String>,
    /// Its country, as an ISO 3166-1 alpha-2 code (`KE`).
    pub country_code: String,
    /// Its country's name (`Kenya`).
    pub country: String,
    /// Its region, if it says.
    pub region: Option<String>,
}

/// Where an issued credential's revocation bit lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    /// The URL of the issuer's status list credential.
    pub list: String,
    /// The credential's bit in it.
    pub index: u64,
}

/// How a learner was assessed, as a credential states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssessmentType {
    /// A quiz drawn from the module's bank and scored by the app.
    AutomatedQuiz,
    /// A practical task observed in person by an assessor.
    PracticalObserved,
    /// Prior learning recognised by the trainer.
    RecognitionOfPriorLearning,
}

impl AssessmentType {
    /// Its name in a credential (and on the command line).
    pub fn name(self) -> &'static str {
        match self {
            Self::AutomatedQuiz => "automated-quiz",
            Self::PracticalObserved => "practical-observed",
            Self::RecognitionOfPriorLearning => "recognition-of-prior-learning",
        }
    }

    /// The type named `name`, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Self::AutomatedQuiz,
            Self::PracticalObserved,
            Self::RecognitionOfPriorLearning,
        ]
        .into_iter()
        .find(|t| t.name() == name)
    }

    /// Its concept in the EU's "Assessment type" list, as the credential's inline context
    /// names it (ELM `provenBy` … `dcType`). The list has none for recognition of prior
    /// learning, which the narrative states in words only.
    fn eu_assessment_type(self) -> Option<&'static str> {
        match self {
            Self::AutomatedQuiz => Some("quiz"),
            Self::PracticalObserved => Some("practical-assessment"),
            Self::RecognitionOfPriorLearning => None,
        }
    }

    /// How a reader of the credential is told about it.
    fn sentence(self) -> &'static str {
        match self {
            Self::AutomatedQuiz => {
                "a quiz drawn at random from the module's question bank and scored by the app"
            }
            Self::PracticalObserved => {
                "a practical task observed in person by an assessor, who signed what they saw"
            }
            Self::RecognitionOfPriorLearning => "prior learning recognised by the trainer",
        }
    }
}

/// The result record a credential names as its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRef {
    /// The record's id (a UUID).
    pub id: String,
    /// The record's hash (what the next record of the learner's chain points at).
    pub hash: ContentHash,
}

/// What one credential is for: a learner's passed attempt at a module.
#[derive(Debug, Clone)]
pub struct Award<'a> {
    /// The credential's own id (a `urn:uuid:`).
    pub id: String,
    /// The module passed.
    pub module: &'a Module,
    /// The learner's `did:key`.
    pub learner: String,
    /// The name the learner chose to show, if any.
    pub learner_name: Option<String>,
    /// The score, in percent of the points.
    pub score_percent: u32,
    /// The signed result record of the passing attempt, when there is one (a trainer who
    /// issues for a practical task seen in person, or for prior learning, has none).
    pub record: Option<RecordRef>,
    /// When it was awarded: its `validFrom` and its proof's date.
    pub awarded: DateTime<Utc>,
    /// When the award was first made, when that is earlier than `awarded` (the same award
    /// issued again, to the learner's wallet): its `awardedDate`. `None` is `awarded`.
    pub first_awarded: Option<DateTime<Utc>>,
    /// Until when it is valid, if it expires.
    pub valid_until: Option<DateTime<Utc>>,
    /// Where its revocation bit lives, if the issuer publishes a status list.
    pub status: Option<StatusEntry>,
    /// The types of assessment behind it.
    pub assessment: Vec<AssessmentType>,
}

/// A date-time as credentials write it.
pub fn timestamp(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The stable id of a module version's achievement, wherever the issuer awards it: a name
/// based UUID (version 8) from SHA-256 of `skillpack:module:<issuer>:<module>:<version>`.
pub fn achievement_id(issuer: &PublicKey, module: &Module) -> String {
    let name = format!(
        "skillpack:module:{}:{}:{}",
        issuer.to_did_key(),
        module.id,
        module.version
    );
    let digest = ContentHash::of(name.as_bytes()).0;
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    format!(
        "urn:uuid:{}",
        uuid::Builder::from_custom_bytes(bytes).into_uuid()
    )
}

/// The credential before its proof.
pub fn unsigned_credential(issuer: &Issuer, issuer_key: &PublicKey, award: &Award<'_>) -> Value {
    let module = award.module;
    let recognition = &module.recognition;
    let achievement_id = achievement_id(issuer_key, module);
    let micro = recognition.quality_assurance.is_some();
    let mut alignment: Vec<Value> = module
        .skills
        .iter()
        .map(|s| {
            json!({"type": ["Alignment"], "targetName": s.label, "targetUrl": s.uri,
                   "targetFramework": "ESCO", "targetType": "ext:ESCOSkill"})
        })
        .collect();
    if let Some(eqf) = recognition.eqf_level {
        alignment.push(
            json!({"type": ["Alignment"], "targetName": format!("EQF level {eqf}"),
            "targetUrl": format!("http://data.europa.eu/snb/eqf/{eqf}"),
            "targetFramework": "European Qualifications Framework",
            "targetCode": eqf.to_string(), "targetType": "ext:EQFLevel"}),
        );
    }
    let outcomes: String = module.outcomes.iter().map(|o| format!("- {o}\n")).collect();
    let narrative = format!(
        "## Learning outcomes\n\nThe holder can:\n\n{outcomes}\n## How it was assessed\n\n\
         {} (pass mark {}%).",
        assessment_sentence(&award.assessment),
        module.assessment.pass_mark
    );
    let mut achievement = match json!({
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": if micro { "MicroCredential" } else { "Badge" },
        "name": module.title,
        "description": module.summary.clone().unwrap_or_else(|| module.outcomes.join(" ")),
        "humanCode": module.id,
        "version": module.version,
        "inLanguage": module.language,
        "criteria": {"narrative": narrative},
        "resultDescription": [{
            "id": format!("{achievement_id}#score"),
            "type": ["ResultDescription"],
            "name": "Score",
            "resultType": "Percent",
            "requiredValue": module.assessment.pass_mark.to_string(),
            "valueMin": "0",
            "valueMax": "100"
        }],
    }) {
        Value::Object(fields) => fields,
        _ => Map::new(),
    };
    if !alignment.is_empty() {
        achievement.insert("alignment".into(), Value::Array(alignment));
    }
    achievement.insert(
        "volumeOfLearning".into(),
        iso_duration(recognition.workload_minutes.unwrap_or(module.minutes)).into(),
    );
    if let Some(hundredths) = recognition.ects_hundredths {
        // Open Badges' own field, which its displays read; ELM's `creditPoint` says which
        // credit system the number counts in.
        achievement.insert(
            "creditsAvailable".into(),
            json!(f64::from(hundredths) / 100.0),
        );
        achievement.insert(
            "creditPoint".into(),
            json!([{"type": ["CreditPoint"], "framework": "ECTS",
                    "point": decimal_hundredths(hundredths)}]),
        );
    }
    let proven_by: Vec<Value> = award
        .assessment
        .iter()
        .filter_map(|kind| kind.eu_assessment_type())
        .map(|eu| json!({"type": ["LearningAssessmentSpecification"], "dcType": eu}))
        .collect();
    if !proven_by.is_empty() {
        achievement.insert("provenBy".into(), Value::Array(proven_by));
    }
    achievement.insert("mode".into(), json!(eu_modes(&recognition.participation)));
    if let Some(qa) = &recognition.quality_assurance {
        let mut note = Map::new();
        note.insert("type".into(), json!(["Note"]));
        note.insert("subject".into(), "quality-assurance".into());
        note.insert("noteLiteral".into(), qa.description.clone().into());
        if let Some(url) = &qa.url {
            note.insert("url".into(), url.clone().into());
        }
        achievement.insert("additionalNote".into(), json!([Value::Object(note)]));
    }
    let mut subject = Map::new();
    subject.insert("id".into(), award.learner.clone().into());
    subject.insert("type".into(), json!(["AchievementSubject"]));
    if let Some(name) = &award.learner_name {
        subject.insert(
            "identifier".into(),
            json!([{"type": "IdentityObject", "identityType": "name", "hashed": false,
                    "identityHash": name}]),
        );
    }
    subject.insert("achievement".into(), Value::Object(achievement));
    subject.insert(
        "result".into(),
        json!([{"type": ["Result"], "resultDescription": format!("{achievement_id}#score"),
                "value": award.score_percent.to_string()}]),
    );
    let profile = issuer_profile(issuer, &issuer_key.to_did_key());
    let mut credential = Map::new();
    credential.insert(
        "@context".into(),
        json!([CREDENTIALS_V2, OPEN_BADGES_V3, elm_terms()]),
    );
    credential.insert("id".into(), award.id.clone().into());
    credential.insert(
        "type".into(),
        json!(["VerifiableCredential", "OpenBadgeCredential"]),
    );
    credential.insert("name".into(), module.title.clone().into());
    credential.insert("issuer".into(), Value::Object(profile));
    credential.insert("validFrom".into(), timestamp(&award.awarded).into());
    if let Some(until) = &award.valid_until {
        credential.insert("validUntil".into(), timestamp(until).into());
    }
    credential.insert(
        "awardedDate".into(),
        timestamp(&award.first_awarded.unwrap_or(award.awarded)).into(),
    );
    credential.insert("credentialSubject".into(), Value::Object(subject));
    if let Some(status) = &award.status {
        credential.insert(
            "credentialStatus".into(),
            super::status::revocation_entry_value(&status.list, status.index),
        );
    }
    if let Some(record) = &award.record {
        credential.insert(
            "evidence".into(),
            json!([{
                "id": format!("urn:uuid:{}", record.id),
                "type": ["Evidence"],
                "name": "Signed result record of the passing attempt",
                // The digest is said once, in digestMultibase: a second copy in hex would
                // cost a QR code about 40 bytes and prove nothing more.
                "narrative": format!(
                    "The result record of module {} {}, signed by the learner's device; \
                     digestMultibase is the SHA-256 of its canonical JSON (RFC 8785).",
                    module.id, module.version
                ),
                "digestMultibase": digest_multibase(&record.hash)
            }]),
        );
    }
    let mut credential = Value::Object(credential);
    without_unsafe_controls(&mut credential);
    credential
}

/// Turns every control character that canonicalisers write differently (a tab pasted into a
/// module's summary, say) into a space, so what is signed verifies everywhere
/// (`rdfc::is_unsafe_control`).
fn without_unsafe_controls(value: &mut Value) {
    match value {
        Value::String(text) if text.chars().any(super::rdfc::is_unsafe_control) => {
            *text = text
                .chars()
                .map(|c| {
                    if super::rdfc::is_unsafe_control(c) {
                        ' '
                    } else {
                        c
                    }
                })
                .collect();
        }
        Value::Array(items) => items.iter_mut().for_each(without_unsafe_controls),
        Value::Object(map) => map.values_mut().for_each(without_unsafe_controls),
        _ => {}
    }
}

/// The issuer's Open Badges `Profile`, with the id it signs as (a `did:key`, a `did:web`).
pub(super) fn issuer_profile(issuer: &Issuer, id: &str) -> Map<String, Value> {
    let mut address = Map::new();
    address.insert("type".into(), json!(["Address"]));
    address.insert("addressCountry".into(), issuer.country.clone().into());
    address.insert(
        "addressCountryCode".into(),
        issuer.country_code.clone().into(),
    );
    if let Some(region) = &issuer.region {
        address.insert("addressRegion".into(), region.clone().into());
    }
    let mut profile = Map::new();
    profile.insert("id".into(), id.into());
    profile.insert("type".into(), json!(["Profile"]));
    profile.insert("name".into(), issuer.name.clone().into());
    if let Some(url) = &issuer.url {
        profile.insert("url".into(), url.clone().into());
    }
    profile.insert("address".into(), Value::Object(address));
    profile
}

/// Issues the credential: built, with `endorsement` (the provider's
/// `EndorsementCredential` of `key`, ADR 0006) in the issuer's profile when given, then signed
/// by the issuer's key with `eddsa-rdfc-2022` through its `did:key`. An endorsement of another
/// key is refused: every verifier would refuse the credential.
pub fn issue(
    issuer: &Issuer,
    key: &SecretKey,
    award: &Award<'_>,
    endorsement: Option<&Value>,
    contexts: &Contexts,
) -> Result<Value, CredentialError> {
    let unsigned = unsigned_credential(issuer, &key.public_key(), award);
    sign_endorsed(unsigned, key, endorsement, &award.awarded, contexts)
}

/// `unsigned`, with `endorsement` (the provider's of `key`) in the issuer's profile when
/// given, signed by `key` at `created` through its `did:key`. An endorsement of another key
/// is refused: every verifier would refuse the credential.
pub(super) fn sign_endorsed(
    mut unsigned: Value,
    key: &SecretKey,
    endorsement: Option<&Value>,
    created: &DateTime<Utc>,
    contexts: &Contexts,
) -> Result<Value, CredentialError> {
    let public = key.public_key();
    if let Some(endorsement) = endorsement {
        let endorsed = endorsement
            .pointer("/credentialSubject/id")
            .and_then(Value::as_str);
        if endorsed != Some(public.to_did_key().as_str()) {
            return Err(CredentialError::BadEndorsement(format!(
                "it endorses {}, not the issuer key {}",
                endorsed.unwrap_or("no key"),
                public.to_did_key()
            )));
        }
        unsigned["issuer"]["endorsement"] = Value::Array(vec![endorsement.clone()]);
    }
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        created: timestamp(created),
        verification_method: public.to_verification_method(),
    };
    add_proof(&unsigned, key, &options, contexts)
}

/// The forms of participation as the EU's "Mode of learning and assessment" list names them
/// (ELM `mode`), each once: learning on the phone, offline, counts as online learning there;
/// a module that names none is learnt on the phone.
fn eu_modes(list: &[Participation]) -> Vec<&'static str> {
    let mut modes: Vec<&'static str> = Vec::new();
    let named = if list.is_empty() {
        &[Participation::OfflineOnPhone][..]
    } else {
        list
    };
    for participation in named {
        let mode = match participation {
            Participation::Online | Participation::OfflineOnPhone => "online",
            Participation::InPerson => "presential",
            Participation::WorkBased => "workbased",
        };
        if !modes.contains(&mode) {
            modes.push(mode);
        }
    }
    modes
}

/// Minutes as an ISO 8601 duration of hours and minutes (`PT15M`, `PT2H`, `PT1H30M`), as
/// ELM's `volumeOfLearning` takes it. The `T` is always written: `P60M` is sixty months.
pub(super) fn iso_duration(minutes: u32) -> String {
    let (hours, minutes) = (minutes / 60, minutes % 60);
    match (hours, minutes) {
        (0, m) => format!("PT{m}M"),
        (h, 0) => format!("PT{h}H"),
        (h, m) => format!("PT{h}H{m}M"),
    }
}

/// Hundredths as the shortest decimal text (`50` is `0.5`, `100` is `1`, `125` is `1.25`):
/// ELM's credit `point` is a string, so no number form enters the canonical form.
fn decimal_hundredths(hundredths: u32) -> String {
    let (whole, part) = (hundredths / 100, hundredths % 100);
    match part {
        0 => whole.to_string(),
        p if p % 10 == 0 => format!("{whole}.{}", p / 10),
        p => format!("{whole}.{p:02}"),
    }
}

fn assessment_sentence(kinds: &[AssessmentType]) -> String {
    let sentence = kinds
        .iter()
        .map(|k| k.sentence())
        .collect::<Vec<_>>()
        .join(", and ");
    let mut chars = sentence.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => sentence,
    }
}

/// A SHA-256 digest as VC 2.0 writes one: `u` and base64url (no padding) of the multihash.
pub(super) fn digest_multibase(hash: &ContentHash) -> String {
    use base64::Engine;
    let mut multihash = vec![0x12, 0x20];
    multihash.extend_from_slice(&hash.0);
    format!(
        "u{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(multihash)
    )
}
