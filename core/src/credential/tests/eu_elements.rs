//! The EU elements in the words ELM takes: hours and minutes as an ISO 8601 duration with its
//! `T` (so 60 minutes never reads as 60 months), credits as the shortest decimal text, and our
//! finer forms of participation as the EU's modes, each once.

use super::*;
use crate::module::{compile, Participation};

fn achievement_of(edit: impl Fn(&mut crate::module::Module), kinds: Vec<AssessmentType>) -> Value {
    let mut module = compile(&crate::testing::module_files("bike-check"))
        .module
        .expect("compiles")
        .module;
    edit(&mut module);
    let award = Award {
        id: "urn:uuid:0b7f9c1e-3d4a-4f3e-9c1d-2a6b8e5f7d10".into(),
        module: &module,
        learner: SecretKey::from_seed(&[3; 32]).public_key().to_did_key(),
        learner_name: None,
        score_percent: 90,
        record: None,
        awarded: chrono::DateTime::from_timestamp(1_795_000_000, 0).expect("date"),
        first_awarded: None,
        valid_until: None,
        status: None,
        assessment: kinds,
    };
    let issuer = Issuer {
        name: "Salama Riders Trust".into(),
        url: None,
        country_code: "KE".into(),
        country: "Kenya".into(),
        region: None,
    };
    let key = SecretKey::from_seed(&[5; 32]).public_key();
    unsigned_credential(&issuer, &key, &award)["credentialSubject"]["achievement"].clone()
}

#[test]
fn workload_is_an_iso_duration_of_hours_and_minutes() {
    for (minutes, duration) in [(15, "PT15M"), (60, "PT1H"), (90, "PT1H30M"), (600, "PT10H")] {
        let achievement = achievement_of(
            |m| m.recognition.workload_minutes = Some(minutes),
            vec![AssessmentType::AutomatedQuiz],
        );
        assert_eq!(
            achievement["volumeOfLearning"], duration,
            "{minutes} minutes"
        );
    }
}

#[test]
fn credits_are_the_shortest_decimal_text_beside_open_badges_number() {
    for (hundredths, point, number) in [
        (50, "0.5", 0.5),
        (100, "1", 1.0),
        (125, "1.25", 1.25),
        (205, "2.05", 2.05),
    ] {
        let achievement = achievement_of(
            |m| m.recognition.ects_hundredths = Some(hundredths),
            vec![AssessmentType::AutomatedQuiz],
        );
        assert_eq!(achievement["creditPoint"][0]["point"], point);
        assert_eq!(achievement["creditPoint"][0]["framework"], "ECTS");
        assert_eq!(achievement["creditsAvailable"], number);
    }
    let none = achievement_of(|m| m.recognition.ects_hundredths = None, vec![]);
    assert!(none.get("creditPoint").is_none() && none.get("creditsAvailable").is_none());
}

#[test]
fn participation_becomes_the_eu_modes_each_once() {
    let achievement = achievement_of(
        |m| {
            m.recognition.participation = vec![
                Participation::OfflineOnPhone,
                Participation::Online,
                Participation::InPerson,
                Participation::WorkBased,
            ]
        },
        vec![AssessmentType::PracticalObserved],
    );
    assert_eq!(
        achievement["mode"],
        json!(["online", "presential", "workbased"])
    );
    let default = achievement_of(|m| m.recognition.participation.clear(), vec![]);
    assert_eq!(default["mode"], json!(["online"]));
}

/// The EU's assessment types have no concept for recognition of prior learning: such a
/// credential says it in its narrative, and names no type rather than a wrong one.
#[test]
fn assessment_types_are_the_eu_concepts_and_prior_learning_is_told_in_words() {
    let both = achievement_of(
        |_| {},
        vec![
            AssessmentType::AutomatedQuiz,
            AssessmentType::PracticalObserved,
        ],
    );
    assert_eq!(
        both["provenBy"],
        json!([
            {"type": ["LearningAssessmentSpecification"], "dcType": "quiz"},
            {"type": ["LearningAssessmentSpecification"], "dcType": "practical-assessment"}
        ])
    );
    let prior = achievement_of(|_| {}, vec![AssessmentType::RecognitionOfPriorLearning]);
    assert!(prior.get("provenBy").is_none());
    assert!(prior["criteria"]["narrative"]
        .as_str()
        .expect("narrative")
        .contains("Prior learning recognised by the trainer"));
}

/// A value outside the closed lists expands to nothing a verifier accepts: canonicalising
/// refuses it, as JSON-LD safe mode does, rather than signing a blank node that any other
/// word would sign alike.
#[test]
fn a_mode_outside_the_eu_list_is_refused_when_signing() {
    let mut document: Value =
        serde_json::from_str(include_str!("../examples/microcredential-unsigned.json"))
            .expect("json");
    rdfc::canonical_nquads(&document, Contexts::bundled()).expect("the example canonicalises");
    for (field, word) in [
        ("mode", json!(["offline-on-phone"])),
        ("mode", json!(["classroom"])),
    ] {
        let mut changed = document.clone();
        changed["credentialSubject"]["achievement"][field] = word.clone();
        assert!(
            matches!(
                rdfc::canonical_nquads(&changed, Contexts::bundled()),
                Err(CredentialError::JsonLd(why)) if why.contains("not an IRI")
            ),
            "{field}: {word}"
        );
    }
    document["credentialSubject"]["achievement"]["provenBy"][0]["dcType"] = "exam".into();
    assert!(rdfc::canonical_nquads(&document, Contexts::bundled()).is_err());
    let mut framework = document.clone();
    framework["credentialSubject"]["achievement"]["provenBy"][0]["dcType"] = "quiz".into();
    rdfc::canonical_nquads(&framework, Contexts::bundled()).expect("back to a listed word");
}
