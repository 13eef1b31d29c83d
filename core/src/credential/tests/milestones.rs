//! Milestone credentials: a pathway's own credential, from the parts' credentials. It meets
//! Open Badges 3.0's schema, verifies, names each part by id and by the digest of its
//! canonical JSON, adds up the parts' workloads, and is refused when the parts do not earn it.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::schema_errors;
use crate::credential::milestone::{
    credential_digest, issue_milestone, module_of, progress, MilestoneAward, MILESTONE_TAG,
};
use crate::credential::{issue, verify, Award, Contexts, Issuer, CLOCK_TOLERANCE};
use crate::keys::SecretKey;
use crate::module::{compile, Module, SourceFiles, PATHWAY_TOML};

fn issuer() -> Issuer {
    Issuer {
        name: "Salama Riders Trust".into(),
        url: None,
        country_code: "KE".into(),
        country: "Kenya".into(),
        region: None,
    }
}

fn key() -> SecretKey {
    SecretKey::from_seed(&[61; 32])
}

fn learner() -> String {
    SecretKey::from_seed(&[62; 32]).public_key().to_did_key()
}

fn at() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T09:00:00Z")
        .expect("date")
        .with_timezone(&Utc)
}

fn pathway(required: u32) -> Module {
    let mut files = SourceFiles::new();
    files.insert(
        PATHWAY_TOML,
        format!(
            "id = \"rider-basics\"\nversion = \"1.0.0\"\ntitle = \"Rider basics\"\n\
             language = \"en\"\noutcomes = [\"Ride safely and serve customers well\"]\n\
             parts = [\"safe-riding\", \"talking-with-customers\", \"mobile-money-scams\"]\n\
             required = {required}\n"
        ),
    );
    compile(&files).module.expect("compiles").module
}

/// The credential for the module `id` (the fixture module under that id), to `to`.
fn part(id: &str, to: &str, minutes: u32) -> Value {
    let mut module = compile(&crate::testing::module_files(id))
        .module
        .expect("compiles")
        .module;
    module.recognition.workload_minutes = Some(minutes);
    issue(
        &issuer(),
        &key(),
        &Award {
            id: format!("urn:uuid:{}", uuid::Uuid::from_u128(u128::from(minutes))),
            module: &module,
            learner: to.to_owned(),
            learner_name: None,
            score_percent: 90,
            record: None,
            awarded: at(),
            first_awarded: None,
            valid_until: None,
            status: None,
            assessment: vec![],
        },
        None,
        Contexts::bundled(),
    )
    .expect("issues")
}

fn milestone(
    pathway: &Module,
    parts: &[Value],
) -> Result<Value, crate::credential::CredentialError> {
    issue_milestone(
        &issuer(),
        &key(),
        &MilestoneAward {
            id: "urn:uuid:6a3c1d2e-0000-4000-8000-000000000001".into(),
            pathway,
            learner: learner(),
            parts,
            awarded: at(),
            status: None,
        },
        None,
        Contexts::bundled(),
    )
}

#[test]
fn a_milestone_names_its_parts_by_digest_adds_their_workload_and_verifies() {
    let pathway = pathway(2);
    let parts = [
        part("safe-riding", &learner(), 15),
        part("talking-with-customers", &learner(), 90),
    ];
    let held: Vec<&str> = parts.iter().filter_map(module_of).collect();
    let (passed, earned) = progress(pathway.pathway.as_ref().expect("pathway"), &held);
    assert_eq!((passed.len(), earned), (2, true));
    let credential = milestone(&pathway, &parts).expect("issues");
    assert_eq!(
        schema_errors(&credential),
        Vec::<String>::new(),
        "{credential:#}"
    );
    let verified = verify(
        &credential,
        &[key().public_key()],
        at(),
        CLOCK_TOLERANCE,
        Contexts::bundled(),
    )
    .expect("verifies");
    assert_eq!(verified.achievement, "Rider basics");
    assert_eq!(verified.subject, learner());
    let achievement = &credential["credentialSubject"]["achievement"];
    assert_eq!(
        achievement["volumeOfLearning"], "PT1H45M",
        "15 + 90 minutes"
    );
    assert_eq!(achievement["tag"][0], MILESTONE_TAG);
    assert!(achievement["criteria"]["narrative"]
        .as_str()
        .expect("text")
        .contains("any 2 of these 3 modules"));
    assert!(credential["credentialSubject"].get("result").is_none());
    let evidence = credential["evidence"].as_array().expect("evidence");
    assert_eq!(evidence.len(), 2);
    for (entry, part) in evidence.iter().zip(&parts) {
        assert_eq!(entry["id"], part["id"]);
        assert_eq!(
            entry["digestMultibase"],
            credential_digest(part).expect("digest").as_str()
        );
    }
    // A changed part no longer matches the digest the milestone names.
    let mut changed = parts[0].clone();
    changed["credentialSubject"]["achievement"]["name"] = "Safe ridinG".into();
    assert_ne!(
        credential_digest(&changed).expect("digest"),
        evidence[0]["digestMultibase"].as_str().expect("text")
    );
}

#[test]
fn parts_that_do_not_earn_the_milestone_are_refused_by_name() {
    let pathway = pathway(2);
    let riding = part("safe-riding", &learner(), 15);
    let cases = [
        (vec![riding.clone()], "1 of the 2 parts"),
        (
            vec![riding.clone(), part("bike-check", &learner(), 10)],
            "not a part of rider-basics",
        ),
        (
            vec![riding.clone(), riding.clone()],
            "two credentials for the part",
        ),
        (
            vec![
                riding.clone(),
                part(
                    "talking-with-customers",
                    "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
                    90,
                ),
            ],
            "another learner's",
        ),
    ];
    for (parts, why) in cases {
        let refused = milestone(&pathway, &parts).unwrap_err().to_string();
        assert!(refused.contains(why), "{why}: {refused}");
    }
}
