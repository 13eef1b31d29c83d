//! Platform work records: a record with a rating and two reviews becomes three credentials,
//! each valid for Open Badges 3.0's schema and for our verifier, signed as a `did:key` or as a
//! `did:web` whose document the platform publishes; what a platform's export gets wrong is
//! refused by name before anything is signed.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::schema_errors;
use crate::credential::work_record::{
    achievement_type, controller_document, issue_work_record, PlatformSigner, WorkRecord,
    CLIENT_REVIEW, WORK_RECORD,
};
use crate::credential::{verify_with, Contexts, ControllerDocument, Issuer, CLOCK_TOLERANCE};
use crate::keys::SecretKey;

fn platform() -> Issuer {
    Issuer {
        name: "Haraka Deliveries".into(),
        url: Some("https://haraka.example".into()),
        country_code: "KE".into(),
        country: "Kenya".into(),
        region: None,
    }
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-07T10:00:00Z")
        .expect("date")
        .with_timezone(&Utc)
}

fn worker() -> SecretKey {
    SecretKey::from_seed(&[33; 32])
}

fn record() -> WorkRecord {
    serde_json::from_value(serde_json::json!({
        "worker": worker().public_key().to_did_key(),
        "occupation": "http://data.europa.eu/esco/occupation/e9c8a1f1-0b6d-4ae1-9f6b-6c3a4d1f2b7e",
        "occupation_name": "Food delivery rider",
        "start": "2026-01-01",
        "end": "2026-06-30",
        "tasks": 1250,
        "rating": {"value": 4.8, "min": 1, "max": 5, "count": 310},
        "reviews": [
            {"date": "2026-03-04", "text": "Came early, food still hot.", "rating": 5},
            {"date": "2026-05-19", "text": "Polite, found the gate in the rain."}
        ]
    }))
    .expect("a record")
}

fn issued(signer: PlatformSigner<'_>, record: &WorkRecord) -> Vec<Value> {
    let mut n = 0u128;
    issue_work_record(
        &platform(),
        signer,
        record,
        now(),
        &mut || {
            n += 1;
            format!("urn:uuid:{}", uuid::Uuid::from_u128(n))
        },
        Contexts::bundled(),
    )
    .expect("issues")
}

#[test]
fn a_record_and_each_review_are_credentials_that_verify_and_meet_the_schema() {
    let key = SecretKey::from_seed(&[44; 32]);
    let credentials = issued(
        PlatformSigner {
            key: &key,
            did_web: None,
        },
        &record(),
    );
    assert_eq!(credentials.len(), 3, "the record, then one per review");
    for credential in &credentials {
        assert_eq!(
            schema_errors(credential),
            Vec::<String>::new(),
            "{credential:#}"
        );
        let verified = verify_with(
            credential,
            &[],
            now(),
            CLOCK_TOLERANCE,
            Contexts::bundled(),
            &[],
        )
        .expect("verifies");
        assert_eq!(verified.subject, worker().public_key().to_did_key());
        assert_eq!(verified.issuer_name, "Haraka Deliveries");
        assert!(
            !verified.trusted_issuer,
            "no one trusts the platform here yet"
        );
    }
    let record = &credentials[0];
    assert_eq!(achievement_type(record), Some(WORK_RECORD));
    let subject = &record["credentialSubject"];
    assert_eq!(subject["activityStartDate"], "2026-01-01T00:00:00Z");
    assert_eq!(subject["activityEndDate"], "2026-06-30T23:59:59Z");
    assert_eq!(
        subject["achievement"]["alignment"][0]["targetFramework"],
        "ESCO"
    );
    let values: Vec<&str> = subject["result"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["value"].as_str().expect("text"))
        .collect();
    assert_eq!(values, ["1250", "4.8", "310"]);
    let scale = &subject["achievement"]["resultDescription"][1];
    assert_eq!(
        (&scale["resultType"], &scale["valueMin"], &scale["valueMax"]),
        (&"ScaledScore".into(), &"1".into(), &"5".into())
    );
    let review = &credentials[1];
    assert_eq!(achievement_type(review), Some(CLIENT_REVIEW));
    assert_eq!(
        review["evidence"][0]["narrative"],
        "Came early, food still hot."
    );
    assert_eq!(review["credentialSubject"]["result"][0]["value"], "5");
    assert!(
        credentials[2]["credentialSubject"].get("result").is_none(),
        "unrated"
    );
}

#[test]
fn a_platform_signing_as_a_did_web_verifies_with_the_document_it_publishes() {
    let key = SecretKey::from_seed(&[45; 32]);
    let did = "did:web:haraka.example";
    let credentials = issued(
        PlatformSigner {
            key: &key,
            did_web: Some(did),
        },
        &record(),
    );
    let document = ControllerDocument::from_value(&controller_document(did, &key.public_key()))
        .expect("reads");
    for credential in &credentials {
        assert_eq!(credential["issuer"]["id"], did);
        let verified = verify_with(
            credential,
            &[],
            now(),
            CLOCK_TOLERANCE,
            Contexts::bundled(),
            std::slice::from_ref(&document),
        )
        .expect("verifies");
        assert_eq!(verified.issuer, did);
        // Without the document the key is unknown.
        assert!(verify_with(
            credential,
            &[],
            now(),
            CLOCK_TOLERANCE,
            Contexts::bundled(),
            &[]
        )
        .is_err());
    }
}

/// A change that makes a record wrong.
type Change = Box<dyn Fn(&mut WorkRecord)>;

#[test]
fn what_a_platforms_export_gets_wrong_is_refused_by_name() {
    let key = SecretKey::from_seed(&[46; 32]);
    let signer = PlatformSigner {
        key: &key,
        did_web: None,
    };
    let cases: [(&str, Change); 6] = [
        (
            "not a did:key",
            Box::new(|r| r.worker = "someone@example.org".into()),
        ),
        (
            "not an ESCO occupation",
            Box::new(|r| r.occupation = "https://example.org/rider".into()),
        ),
        (
            "ends",
            Box::new(|r| r.end = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).expect("day")),
        ),
        (
            "not on the scale",
            Box::new(|r| r.rating.as_mut().expect("rated").value = 7.0),
        ),
        (
            "longer than",
            Box::new(|r| r.reviews[0].text = "x".repeat(1001)),
        ),
        (
            "at most 20",
            Box::new(|r| {
                let one = r.reviews[0].clone();
                r.reviews = vec![one; 21];
            }),
        ),
    ];
    for (why, change) in cases {
        let mut wrong = record();
        change(&mut wrong);
        let refused = issue_work_record(
            &platform(),
            signer,
            &wrong,
            now(),
            &mut || "urn:uuid:00000000-0000-4000-8000-000000000000".into(),
            Contexts::bundled(),
        )
        .unwrap_err();
        assert!(refused.to_string().contains(why), "{why}: {refused}");
    }
}
