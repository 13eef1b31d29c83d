//! The facade's own promises, from Rust: callbacks that fail become errors, a closed store
//! answers `Closed`, and the core's errors arrive as the kinds a shell acts on. The whole
//! flow through the generated Kotlin is android/jvm-test.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::*;
use crate::assess::AssessError;
use crate::store::StoreError;
use chrono::Utc;

#[derive(Default)]
struct Keys(Mutex<HashMap<String, Vec<u8>>>);

impl PlatformKeyStore for Keys {
    fn load(&self, name: String) -> Result<Option<Vec<u8>>, SkillpackError> {
        Ok(self.0.lock().expect("lock").get(&name).cloned())
    }
    fn save(&self, name: String, seed: Vec<u8>) -> Result<(), SkillpackError> {
        self.0.lock().expect("lock").insert(name, seed);
        Ok(())
    }
}

struct Failing;

impl PlatformKeyStore for Failing {
    fn load(&self, _: String) -> Result<Option<Vec<u8>>, SkillpackError> {
        Err(SkillpackError::Internal {
            detail: "keystore locked".into(),
        })
    }
    fn save(&self, _: String, _: Vec<u8>) -> Result<(), SkillpackError> {
        Ok(())
    }
}

struct ShortSeeds;

impl PlatformKeyStore for ShortSeeds {
    fn load(&self, _: String) -> Result<Option<Vec<u8>>, SkillpackError> {
        Ok(Some(vec![7; 31]))
    }
    fn save(&self, _: String, _: Vec<u8>) -> Result<(), SkillpackError> {
        Ok(())
    }
}

fn dir() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().display().to_string();
    (dir, path)
}

#[test]
fn keys_live_in_the_platform_store_and_come_back() {
    let (_dir, path) = dir();
    let keys = Arc::new(Keys::default());
    let app = Skillpack::open(path, Some(keys.clone())).expect("opens");
    let learner = app.learner_did().expect("learner");
    assert_eq!(keys.0.lock().expect("lock").len(), 2);
    let (_other, other_path) = dir();
    let again = Skillpack::open(other_path, Some(keys)).expect("opens");
    assert_eq!(again.learner_did().expect("learner"), learner);
}

#[test]
fn a_failing_or_wrong_key_store_is_a_storage_error_not_a_crash() {
    let (_dir, path) = dir();
    match Skillpack::open(path.clone(), Some(Arc::new(Failing))) {
        Err(SkillpackError::Storage { detail }) => assert!(detail.contains("keystore locked")),
        other => panic!("{:?}", other.map(|_| ())),
    }
    match Skillpack::open(path, Some(Arc::new(ShortSeeds))) {
        Err(SkillpackError::Storage { detail }) => assert!(detail.contains("31 bytes")),
        other => panic!("{:?}", other.map(|_| ())),
    }
}

#[test]
fn a_closed_store_answers_closed() {
    let (_dir, path) = dir();
    let app = Skillpack::open(path, None).expect("opens");
    app.close_store();
    assert!(matches!(app.catalog(), Err(SkillpackError::Closed { .. })));
    assert!(matches!(
        app.install("x.skillpack".into()),
        Err(SkillpackError::Closed { .. })
    ));
}

#[test]
fn core_errors_arrive_as_the_kinds_a_shell_acts_on() {
    let until = Utc::now();
    let cooling: SkillpackError = StoreError::Assess(AssessError::CoolingDown { until }).into();
    assert!(matches!(cooling, SkillpackError::CoolingDown { until: u, .. } if u == until));
    let missing: SkillpackError = StoreError::NoAttempt("m".into()).into();
    assert!(matches!(missing, SkillpackError::NotFound { .. }));
    let (_dir, path) = dir();
    let app = Skillpack::open(path, None).expect("opens");
    assert!(matches!(
        app.install("/no/such/pack.skillpack".into()),
        Err(SkillpackError::Storage { .. })
    ));
    assert!(matches!(
        app.trust_publisher("did:key:nonsense".into(), "x".into()),
        Err(SkillpackError::InvalidInput { .. })
    ));
    assert!(matches!(
        app.sync_now(false, None),
        Err(SkillpackError::NotFound { .. })
    ));
}

#[test]
fn a_resumed_attempt_gives_back_what_was_typed_and_the_core_reads_it() {
    use crate::pack::Variant;
    use crate::testing::{module_files, pack_of, publisher_key};

    let (dir, path) = dir();
    let mut files = module_files("bike-check");
    let toml = String::from_utf8(files.get("module.toml").expect("toml").to_vec()).expect("utf-8");
    files.insert("module.toml", toml.replace("draw = 2", "draw = 4"));
    let mut bank = files.get("questions.toml").expect("bank").to_vec();
    bank.extend_from_slice(
        b"\n[[question]]\nid = \"pressure\"\ntype = \"numeric\"\nprompt = \"Bar?\"\nanswer = 2.5\n\
          explanation = \"On the tyre.\"\n",
    );
    files.insert("questions.toml", bank);
    let pack = dir.path().join("typed.skillpack");
    std::fs::write(&pack, pack_of(&[files], Variant::Full, &publisher_key())).expect("write");
    let app = Skillpack::open(path.clone(), None).expect("opens");
    app.trust_publisher(publisher_key().public_key().to_did_key(), String::new())
        .expect("trusts");
    app.install(pack.display().to_string()).expect("installs");
    app.start_attempt("bike-check".into()).expect("starts");
    let typed = |text: &str| app.answer_typed("bike-check".into(), "pressure".into(), text.into());
    match typed("2,500") {
        Err(SkillpackError::InvalidInput { detail }) => assert!(detail.contains("two ways")),
        other => panic!("{other:?}"),
    }
    typed("2,5").expect("decimal comma");
    app.close_store();
    let reopened = Skillpack::open(path, None).expect("reopens");
    let resumed = reopened
        .start_attempt("bike-check".into())
        .expect("resumes");
    assert_eq!(
        resumed.typed.get("pressure").map(String::as_str),
        Some("2.5")
    );
    assert_eq!(
        resumed.answers.get("pressure"),
        Some(&crate::assess::Answer::Numeric(2.5))
    );
}

#[test]
fn a_credential_given_as_a_file_is_kept_listed_handed_out_and_verified_and_a_changed_one_names_its_fault(
) {
    use crate::credential::{self, AssessmentType, Award, Contexts, Issuer};
    use crate::testing::{module_files, publisher_key};

    let dir = tempfile::tempdir().expect("temp");
    let app = Skillpack::open(dir.path().display().to_string(), None).expect("opens");
    app.trust_publisher(publisher_key().public_key().to_did_key(), "trainer".into())
        .expect("trusts");
    let module = crate::module::compile(&module_files("bike-check"))
        .module
        .expect("compiles")
        .module;
    let award = Award {
        id: "urn:uuid:00000000-0000-4000-8000-0000000000aa".into(),
        module: &module,
        learner: app.learner_did().expect("did"),
        learner_name: None,
        score_percent: 90,
        record: None,
        awarded: Utc::now() - chrono::Duration::hours(1),
        first_awarded: None,
        valid_until: None,
        status: None,
        assessment: vec![AssessmentType::PracticalObserved],
    };
    let issuer = Issuer {
        name: "Salama Riders Trust".into(),
        url: None,
        country_code: "KE".into(),
        country: "Kenya".into(),
        region: None,
    };
    let issued = credential::issue(&issuer, &publisher_key(), &award, None, Contexts::bundled())
        .expect("issues");
    let kept = app.add_credential(issued.to_string()).expect("kept");
    assert!(kept.trusted_issuer);
    assert_eq!(
        kept.revocation,
        super::RevocationView::Unknown,
        "not checked before a sync"
    );
    assert_eq!(kept.revocation_problem, None);
    assert_eq!(app.credentials().expect("list"), vec![kept.clone()]);

    let json = app.credential_json(kept.id.clone()).expect("json");
    let payload = app.credential_qr(kept.id.clone()).expect("qr");
    for text in [json.clone(), payload] {
        let check = app.verify_credential(text, false).expect("checks");
        assert!(check.valid, "{check:?}");
        assert!(check.trusted_issuer);
        assert_eq!(
            check.revocation,
            crate::sync::RevocationStatus::NotChecked {
                why: "offline".into()
            }
        );
    }
    let online = app.verify_credential(json.clone(), true).expect("checks");
    assert!(matches!(
        online.revocation,
        crate::sync::RevocationStatus::NotChecked { .. }
    ));

    let changed = json.replace("Checking your bike", "Checking a lorry");
    let check = app.verify_credential(changed, false).expect("checks");
    assert!(!check.valid);
    assert!(check.problem.expect("named").contains("signature"));
    let garbage = app
        .verify_credential("SP1:not base45 ~".into(), false)
        .expect("checks");
    assert!(!garbage.valid && garbage.problem.is_some());
    assert!(matches!(
        app.credential_json("urn:uuid:nothing".into()),
        Err(SkillpackError::NotFound { .. })
    ));
}
