//! The device's sync against a hub that hands out credentials badly: another learner's, a
//! changed one, one endorsed by a stranger, pages out of order. The device keeps only what
//! verifies and is its learner's, trusts only keys its publishers endorsed, and still takes
//! its packs.

use std::sync::{Arc, Mutex};

use skillpack_core::keys::SecretKey;
use skillpack_core::testing::{module_files, publisher_key, stranger_key};

use super::{catalog, device, json, pack, quick, ranged, sync, Script, ScriptedHub};

/// A credential for `learner` from the issuer `key`, for the bike-check module, numbered
/// by `id`'s last digit.
fn credential_for(learner: &str, key: &SecretKey, id: u8) -> serde_json::Value {
    use skillpack_core::credential::{self, AssessmentType, Award, Contexts, Issuer};
    let module = skillpack_core::module::compile(&module_files("bike-check"))
        .module
        .unwrap()
        .module;
    let award = Award {
        id: format!("urn:uuid:00000000-0000-4000-8000-00000000000{id}"),
        module: &module,
        learner: learner.to_owned(),
        learner_name: None,
        score_percent: 100,
        record: None,
        awarded: chrono::Utc::now() - chrono::Duration::hours(1),
        first_awarded: None,
        valid_until: None,
        status: None,
        assessment: vec![AssessmentType::AutomatedQuiz],
    };
    let issuer = Issuer {
        name: "Salama Riders Trust".into(),
        url: None,
        country_code: "KE".into(),
        country: "Kenya".into(),
        region: None,
    };
    credential::issue(&issuer, key, &award, None, Contexts::bundled()).unwrap()
}

#[test]
fn a_hub_cannot_give_a_learner_someone_elses_or_a_forged_credential_nor_make_a_stranger_trusted() {
    use skillpack_core::credential::IssuerEndorsement;
    use skillpack_core::protocol::{CredentialsResponse, IssuedCredential};

    let dir = tempfile::tempdir().unwrap();

    let rogue_issuer = SecretKey::from_seed(&[62; 32]);
    let learner = Arc::new(Mutex::new(String::new()));
    let who = learner.clone();
    let issuer_key = SecretKey::from_seed(&[61; 32]);
    let script: Script = Box::new(move |seen, _| {
        if seen.path != "/v1/credentials" {
            return catalog(&[]);
        }
        let mine = who.lock().unwrap().clone();
        let mut tampered = credential_for(&mine, &issuer_key, 3);
        tampered["credentialSubject"]["result"][0]["value"] = "10".into();
        let answer = CredentialsResponse {
            credentials: vec![
                IssuedCredential {
                    number: 1,
                    credential: credential_for(&mine, &issuer_key, 1),
                },
                IssuedCredential {
                    number: 2,
                    credential: credential_for(
                        &stranger_key().public_key().to_did_key(),
                        &issuer_key,
                        2,
                    ),
                },
                IssuedCredential {
                    number: 3,
                    credential: tampered,
                },
                IssuedCredential {
                    number: 4,
                    credential: credential_for(&mine, &rogue_issuer, 4),
                },
            ],
            endorsements: vec![
                IssuerEndorsement::sign(&publisher_key(), &issuer_key.public_key()).unwrap(),
                // The hub's own word for a key it made up counts for nothing.
                IssuerEndorsement::sign(&stranger_key(), &rogue_issuer.public_key()).unwrap(),
            ],
            more: false,
        };
        json(serde_json::to_string(&answer).unwrap())
    });
    let hub = ScriptedHub::start_announcing(script, Some(4));
    let device = device(dir.path(), &hub);
    *learner.lock().unwrap() = device.store().learner_did();

    let report = sync(&device, &hub, quick()).unwrap();
    assert_eq!(report.credentials, 2, "{report:?}");
    assert_eq!(report.credentials_refused.len(), 2, "{report:?}");
    let held = device.store().credentials().unwrap();
    let trusted: Vec<(bool, &str)> = held
        .iter()
        .map(|c| (c.trusted_issuer, &c.id[c.id.len() - 1..]))
        .collect();
    assert_eq!(trusted.len(), 2);
    assert!(
        trusted.contains(&(true, "1")),
        "endorsed by a trusted publisher"
    );
    assert!(
        trusted.contains(&(false, "4")),
        "kept, from an unknown issuer"
    );

    // Everything announced was taken: the next sync asks for nothing.
    sync(&device, &hub, quick()).unwrap();
    assert_eq!(hub.requests_for("/v1/credentials").len(), 1);
}

#[test]
fn a_hub_whose_credential_pages_are_out_of_order_is_reported_and_packs_still_come() {
    let dir = tempfile::tempdir().unwrap();
    let (bytes, entry) = pack("bike-check", &publisher_key());
    let script: Script = Box::new(move |seen, _| {
        match seen.path.as_str() {
        "/v1/credentials" => json(
            r#"{"credentials":[{"number":2,"credential":{}},{"number":1,"credential":{}}],"endorsements":[],"more":false}"#
                .into(),
        ),
        p if p.starts_with("/v1/catalog") => catalog(std::slice::from_ref(&entry)),
        _ => ranged(&bytes, seen),
    }
    });
    let hub = ScriptedHub::start_announcing(script, Some(2));
    let device = device(dir.path(), &hub);
    let report = sync(&device, &hub, quick()).unwrap();
    assert_eq!(report.installed.len(), 1, "{report:?}");
    assert!(
        report
            .credentials_refused
            .iter()
            .any(|refused| refused.reason.contains("rising order")),
        "{report:?}"
    );
}
