//! The device's sync against a hub that hands out credentials badly: another learner's, a
//! changed one, one endorsed by a stranger, pages out of order. The device keeps only what
//! verifies and is its learner's, trusts only keys its publishers endorsed, and still takes
//! its packs.

use std::sync::{Arc, Mutex};

use skillpack_core::keys::SecretKey;
use skillpack_core::testing::{module_files, publisher_key, stranger_key};

use super::{catalog, device, json, pack, quick, ranged, sync, Script, ScriptedHub};

/// A credential for `learner` from the issuer `key`, for the bike-check module, its id
/// ending in `id`.
fn credential_for(learner: &str, key: &SecretKey, id: u64) -> serde_json::Value {
    credential_naming(learner, key, id, None)
}

/// [`credential_for`], naming its bit in a status list.
fn credential_naming(
    learner: &str,
    key: &SecretKey,
    id: u64,
    status: Option<skillpack_core::credential::StatusEntry>,
) -> serde_json::Value {
    use skillpack_core::credential::{self, AssessmentType, Award, Contexts, Issuer};
    let module = skillpack_core::module::compile(&module_files("bike-check"))
        .module
        .unwrap()
        .module;
    let award = Award {
        id: format!("urn:uuid:00000000-0000-4000-8000-{id:012}"),
        module: &module,
        learner: learner.to_owned(),
        learner_name: None,
        score_percent: 100,
        record: None,
        awarded: chrono::Utc::now() - chrono::Duration::hours(1),
        first_awarded: None,
        valid_until: None,
        status,
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

/// Issued credentials poisoned (`testing::poisoned`, nine alike alignments under two alike
/// results) and a poisoned status list, signed as its issuer signs, for the one good
/// credential: the sync refuses each by the canonicaliser's work budget, keeps the good
/// credential, and ends (before the budget, ssi-rdf's canonicalisation of one such credential
/// took minutes, and a hostile hub held a sync for 760 s).
#[test]
fn a_hub_that_hands_out_poison_credentials_and_a_poison_status_list_cannot_hold_a_sync() {
    use skillpack_core::credential::{Contexts, IssuerEndorsement, StatusEntry};
    use skillpack_core::protocol::{CredentialsResponse, IssuedCredential};
    use skillpack_core::testing::poisoned;

    let dir = tempfile::tempdir().unwrap();
    let learner = Arc::new(Mutex::new(String::new()));
    let base = Arc::new(Mutex::new(String::new()));
    let (who, at) = (learner.clone(), base.clone());
    let issuer_key = SecretKey::from_seed(&[61; 32]);
    let script: Script = Box::new(move |seen, _| {
        let list_url = format!("{}/v1/status/1", at.lock().unwrap());
        let mine = who.lock().unwrap().clone();
        match seen.path.as_str() {
            "/v1/credentials" => {
                let status = StatusEntry {
                    list: list_url,
                    index: 5,
                };
                let good = credential_naming(&mine, &issuer_key, 1, Some(status));
                let mut credentials = vec![IssuedCredential {
                    number: 1,
                    credential: good,
                }];
                credentials.extend((2..=4).map(|n| IssuedCredential {
                    number: n,
                    credential: poisoned(&credential_for(&mine, &issuer_key, n), 9),
                }));
                let answer = CredentialsResponse {
                    credentials,
                    endorsements: vec![IssuerEndorsement::sign(
                        &publisher_key(),
                        &issuer_key.public_key(),
                    )
                    .unwrap()],
                    more: false,
                };
                json(serde_json::to_string(&answer).unwrap())
            }
            "/v1/status/1" => {
                let issuer = skillpack_core::credential::Issuer {
                    name: "Salama Riders Trust".into(),
                    url: None,
                    country_code: "KE".into(),
                    country: "Kenya".into(),
                    region: None,
                };
                let signed = skillpack_core::credential::status::status_list_credential(
                    &issuer,
                    &issuer_key,
                    &list_url,
                    &[],
                    chrono::Utc::now(),
                    Contexts::bundled(),
                )
                .unwrap();
                // The Open Badges context and its subject's type, so the poison's terms are
                // defined.
                let mut list = poisoned(&signed, 9);
                list["@context"]
                    .as_array_mut()
                    .unwrap()
                    .push("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json".into());
                list["credentialSubject"]["type"] =
                    serde_json::json!(["BitstringStatusList", "AchievementSubject"]);
                json(serde_json::to_string(&list).unwrap())
            }
            _ => catalog(&[]),
        }
    });
    let hub = ScriptedHub::start_announcing(script, Some(4));
    *base.lock().unwrap() = hub.url.clone();
    let device = device(dir.path(), &hub);
    *learner.lock().unwrap() = device.store().learner_did();

    let started = std::time::Instant::now();
    let report = sync(&device, &hub, quick()).unwrap();
    let took = started.elapsed();
    assert_eq!(report.credentials, 1, "{report:?}");
    assert_eq!(report.credentials_refused.len(), 3, "{report:?}");
    assert!(
        report
            .credentials_refused
            .iter()
            .all(|r| r.reason.contains("too alike")),
        "{report:?}"
    );
    assert_eq!(report.lists_unread.len(), 1, "{report:?}");
    assert!(
        report.lists_unread[0].reason.contains("too alike"),
        "{report:?}"
    );
    assert!(
        took < std::time::Duration::from_secs(60),
        "the sync took {took:?}"
    );
}

/// A credential from `issuer_key` naming its bit in the list at `list`.
fn naming_list(issuer_key: &SecretKey, list: String) -> serde_json::Value {
    let learner = stranger_key().public_key().to_did_key();
    let status = skillpack_core::credential::StatusEntry { list, index: 5 };
    credential_naming(&learner, issuer_key, 1, Some(status))
}

/// A verifier online against a revocation list's server that sends a byte every 200 ms
/// (once, a slow server kept `credential verify` busy 400 s: each wait for a byte was
/// bounded, the whole was not), and against one that redirects to a plain-http address on
/// another network: within the deadline, revocation is "not checked", with the reason.
#[test]
fn a_status_server_that_trickles_or_redirects_away_cannot_hold_or_send_a_verifier() {
    use skillpack_core::sync::{check_credential, RevocationStatus, STATUS_TIMEOUT};

    let script: Script = Box::new(move |seen, _| match seen.path.as_str() {
        "/v1/status/slow" => super::Answer::Trickle {
            body: vec![b' '; 100_000],
            piece: 1,
            every: std::time::Duration::from_millis(200),
        },
        "/v1/status/away" => super::Answer::Whole(
            302,
            vec![("Location".into(), "http://10.9.8.7/v1/status/1".into())],
            Vec::new(),
        ),
        _ => catalog(&[]),
    });
    let hub = ScriptedHub::start(script);
    let issuer_key = SecretKey::from_seed(&[61; 32]);
    let trusted = [issuer_key.public_key()];
    for (path, said) in [
        ("/v1/status/slow", "did not arrive within"),
        ("/v1/status/away", "302"),
    ] {
        let credential = naming_list(&issuer_key, format!("{}{path}", hub.url));
        let started = std::time::Instant::now();
        let checked = check_credential(&credential, &trusted, chrono::Utc::now(), true).unwrap();
        let took = started.elapsed();
        match &checked.revocation {
            RevocationStatus::NotChecked { why } => assert!(why.contains(said), "{path}: {why}"),
            other => panic!("{path}: {other:?}"),
        }
        assert!(
            took < STATUS_TIMEOUT + std::time::Duration::from_secs(5),
            "{path}: {took:?}"
        );
    }
}

/// Credentials a learner holds in the paging test: more than ten pages of twenty (a device
/// once took only the first 200 a sync and never asked for the rest).
const MANY: u64 = 250;

/// A hub that issued 250 credentials to the learner and answers every page as a hub does,
/// except that while `cutting` is set it cuts every answer from the second page on: the
/// first sync takes the page before the cut and stops; the next takes the other 230, twelve
/// pages, in one sync; a third asks for nothing.
#[test]
fn two_hundred_and_fifty_credentials_all_arrive_and_a_cut_sync_resumes_where_it_stopped() {
    use std::sync::atomic::{AtomicBool, Ordering};

    use skillpack_core::credential::IssuerEndorsement;
    use skillpack_core::protocol::{CredentialsRequest, CredentialsResponse, IssuedCredential};

    let dir = tempfile::tempdir().unwrap();
    let learner = Arc::new(Mutex::new(String::new()));
    let issued: Arc<Mutex<Vec<serde_json::Value>>> = Arc::default();
    let cutting = Arc::new(AtomicBool::new(true));
    let (who, all, cut) = (learner.clone(), issued.clone(), cutting.clone());
    let issuer_key = SecretKey::from_seed(&[61; 32]);
    let script: Script = Box::new(move |seen, asked_before| {
        if seen.path != "/v1/credentials" {
            return catalog(&[]);
        }
        if cut.load(Ordering::Relaxed) && asked_before >= 1 {
            return super::Answer::Cut {
                len: 10_000,
                body: b"{\"credentials\":[".to_vec(),
            };
        }
        let mut all = all.lock().unwrap();
        if all.is_empty() {
            let mine = who.lock().unwrap().clone();
            *all = (1..=MANY)
                .map(|n| credential_for(&mine, &issuer_key, n))
                .collect();
        }
        let body = zstd::decode_all(&seen.body[..]).unwrap_or_else(|_| seen.body.clone());
        let CredentialsRequest { after } = serde_json::from_slice(&body).unwrap();
        let page: Vec<IssuedCredential> = (after + 1..=MANY)
            .take(20)
            .map(|n| IssuedCredential {
                number: n,
                credential: all[(n - 1) as usize].clone(),
            })
            .collect();
        let more = page.last().is_some_and(|last| last.number < MANY);
        let answer = CredentialsResponse {
            credentials: page,
            endorsements: vec![
                IssuerEndorsement::sign(&publisher_key(), &issuer_key.public_key()).unwrap(),
            ],
            more,
        };
        json(serde_json::to_string(&answer).unwrap())
    });
    let hub = ScriptedHub::start_announcing(script, Some(MANY));
    let device = device(dir.path(), &hub);
    *learner.lock().unwrap() = device.store().learner_did();

    let cut_short = sync(&device, &hub, quick()).unwrap();
    assert_eq!(
        cut_short.credentials, 20,
        "the page before the cut: {cut_short:?}"
    );
    assert!(cut_short.unfinished.is_some(), "{cut_short:?}");
    cutting.store(false, Ordering::Relaxed);
    let rest = sync(&device, &hub, quick()).unwrap();
    assert_eq!(rest.credentials as u64, MANY - 20, "{rest:?}");
    assert!(rest.credentials_refused.is_empty(), "{rest:?}");
    assert_eq!(device.store().credentials().unwrap().len() as u64, MANY);
    let asked = hub.requests_for("/v1/credentials").len();
    sync(&device, &hub, quick()).unwrap();
    assert_eq!(
        hub.requests_for("/v1/credentials").len(),
        asked,
        "nothing left to ask for"
    );
}

/// A credential from a `did:web` issuer: online, the verifier reads the issuer's document
/// from where the DID says (`/.well-known/did.json`, here on loopback) and the credential
/// verifies; offline, or when the address holds another DID's document, its key is unknown.
#[test]
fn a_did_web_issuers_document_is_read_online_and_its_credential_verifies() {
    use skillpack_core::credential::{
        add_proof, Contexts, CredentialError, Cryptosuite, ProofOptions,
    };
    use skillpack_core::sync::check_credential;

    let claimed: Arc<Mutex<Option<String>>> = Arc::default();
    let listed: Arc<Mutex<Option<serde_json::Value>>> = Arc::default();
    let key = SecretKey::from_seed(&[81; 32]);
    let (answer, public, list) = (claimed.clone(), key.public_key(), listed.clone());
    let published: Arc<Mutex<Option<serde_json::Value>>> = Arc::default();
    let at_link = published.clone();
    let script: Script = Box::new(move |seen, _| {
        if seen.path == "/v1/status/1" {
            if let Some(list) = list.lock().unwrap().clone() {
                return json(list.to_string());
            }
        }
        if seen.path == "/credentials/4" {
            if let Some(credential) = at_link.lock().unwrap().clone() {
                return json(credential.to_string());
            }
        }
        let Some(did) = answer.lock().unwrap().clone() else {
            return catalog(&[]);
        };
        if seen.path != "/.well-known/did.json" {
            return catalog(&[]);
        }
        let method = format!("{did}#key-1");
        json(
            serde_json::json!({
                "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
                "id": did,
                "verificationMethod": [{
                    "id": method, "type": "Multikey", "controller": did,
                    "publicKeyMultibase": public.to_multibase(),
                }],
                "assertionMethod": [method],
            })
            .to_string(),
        )
    });
    let hub = ScriptedHub::start(script);
    let did = format!(
        "did:web:{}",
        hub.url.trim_start_matches("http://").replace(':', "%3A")
    );
    let mut unsigned = credential_for(&stranger_key().public_key().to_did_key(), &key, 1);
    unsigned.as_object_mut().unwrap().remove("proof");
    unsigned["issuer"]["id"] = did.clone().into();
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        created: "2026-12-01T00:00:00Z".into(),
        verification_method: format!("{did}#key-1"),
    };
    let signed = add_proof(&unsigned, &key, &options, Contexts::bundled()).unwrap();
    let now = chrono::Utc::now();

    *claimed.lock().unwrap() = Some(did.clone());
    let checked = check_credential(&signed, &[], now, true).expect("verifies online");
    assert_eq!(checked.verified.issuer, did);
    let offline = check_credential(&signed, &[], now, false);
    assert!(
        matches!(offline, Err(CredentialError::UnknownKey(_))),
        "{offline:?}"
    );
    *claimed.lock().unwrap() = Some("did:web:elsewhere.example".into());
    let elsewhere = check_credential(&signed, &[], now, true);
    assert!(
        matches!(elsewhere, Err(CredentialError::UnknownKey(_))),
        "{elsewhere:?}"
    );

    // A phone keeps the issuer's document when it adds the credential, and with it adds the
    // issuer's next credential after the document is gone from the web.
    let dir = tempfile::tempdir().unwrap();
    let phone = device(dir.path(), &hub);
    let learner = phone.store().learner_did();
    let signed_by_web = |unsigned: &mut serde_json::Value| {
        unsigned.as_object_mut().unwrap().remove("proof");
        unsigned["issuer"]["id"] = did.clone().into();
        add_proof(unsigned, &key, &options, Contexts::bundled()).unwrap()
    };
    let for_the_learner = |n: u64| signed_by_web(&mut credential_for(&learner, &key, n));
    let refused = phone.add_credential(&for_the_learner(1).to_string());
    assert!(refused.is_err(), "the address holds another DID's document");
    assert!(phone.store().issuer_documents().unwrap().is_empty());
    *claimed.lock().unwrap() = Some(did.clone());
    phone
        .add_credential(&for_the_learner(1).to_string())
        .expect("kept with the issuer's document");
    assert!(phone
        .store()
        .issuer_document_read_at(&did)
        .unwrap()
        .is_some());
    *claimed.lock().unwrap() = None;
    phone
        .add_credential(&for_the_learner(2).to_string())
        .expect("checked against the document the phone keeps");
    // A credential published at a link the learner scanned comes in the same way.
    *published.lock().unwrap() = Some(for_the_learner(4));
    let linked = phone
        .add_credential(&format!("{}/credentials/4", hub.url))
        .expect("read from the link and kept");
    assert_eq!(linked.issuer, did);
    assert!(phone
        .add_credential(&format!("{}/credentials/5", hub.url))
        .is_err());
    // And verifies any credential of that issuer offline, from the document it keeps.
    let offline = phone
        .verify_credential(&for_the_learner(3).to_string(), false)
        .unwrap();
    assert!(offline.valid, "{offline:?}");
    assert_eq!(offline.issuer, did);

    // Its revocation list, signed by the key its document lists, is read online.
    *claimed.lock().unwrap() = Some(did.clone());
    let list_url = format!("{}/v1/status/1", hub.url);
    let issuer = skillpack_core::credential::Issuer {
        name: "Web issuer".into(),
        url: None,
        country_code: "KE".into(),
        country: "Kenya".into(),
        region: None,
    };
    let mut list = skillpack_core::credential::status::status_list_credential(
        &issuer,
        &key,
        &list_url,
        &[],
        now,
        Contexts::bundled(),
    )
    .unwrap();
    *listed.lock().unwrap() = Some(signed_by_web(&mut list));
    let status = skillpack_core::credential::StatusEntry {
        list: list_url,
        index: 5,
    };
    let learner_elsewhere = stranger_key().public_key().to_did_key();
    let mut with_status = credential_naming(&learner_elsewhere, &key, 3, Some(status));
    let with_status = signed_by_web(&mut with_status);
    let checked = check_credential(&with_status, &[], now, true).expect("verifies");
    assert_eq!(
        checked.revocation,
        skillpack_core::sync::RevocationStatus::NotRevoked,
        "{checked:?}"
    );
}
