//! The device object on real SQLite files: an attempt taken through it, a folder with no
//! store refused, and the data-budget policy of syncing (against a port where no hub
//! listens, so what is counted is only what was really attempted).

use super::*;
use crate::assess::{Answer, QuestionViewKind};
use crate::testing::{publisher_key, sample_pack};

struct Fixture {
    _dir: tempfile::TempDir,
    device: Device,
}

fn device_with_sample() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let device = Device::create(&dir.path().join("device")).expect("creates");
    let pack = dir.path().join("sample.skillpack");
    std::fs::write(&pack, sample_pack()).expect("writes");
    device
        .store()
        .trust(&publisher_key().public_key(), "fixture")
        .expect("trusts");
    device.store().install(&pack).expect("installs");
    Fixture { _dir: dir, device }
}

#[test]
fn a_folder_without_a_store_is_refused_not_made_into_a_new_learner() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("typo");
    let err = Device::open(&missing).expect_err("refused");
    assert!(
        matches!(err, crate::Error::Store(StoreError::NoStore { .. })),
        "{err}"
    );
    assert!(!missing.exists(), "nothing was created");
    let learner = Device::create(&missing)
        .expect("creates")
        .store()
        .learner_did();
    let reopened = Device::open(&missing).expect("opens");
    assert_eq!(reopened.store().learner_did(), learner);
}

#[test]
fn an_attempt_through_the_device_resumes_with_its_answers_and_signs_a_record() {
    let f = device_with_sample();
    let view = f.device.start_attempt("bike-check").expect("starts");
    assert_eq!(view.number, 1);
    let seed_again = f
        .device
        .start_attempt_seeded("bike-check", 7)
        .expect("resumes");
    assert_eq!(seed_again.questions, view.questions, "the one in progress");
    // Whatever the draw put first, answered in its own shape.
    let first = &view.questions[0];
    let answer = match &first.kind {
        QuestionViewKind::Single { options } => Answer::Single(options[0].key),
        QuestionViewKind::Multiple { options } => Answer::Multiple(vec![options[0].key]),
        QuestionViewKind::Ordering { items } => {
            Answer::Ordering(items.iter().map(|i| i.key).collect())
        }
        QuestionViewKind::TrueFalse => Answer::TrueFalse(true),
        other => panic!("the sample has no {other:?} question"),
    };
    f.device
        .answer("bike-check", &first.id, answer.clone())
        .expect("answers");
    let resumed = f.device.start_attempt("bike-check").expect("resumes");
    assert_eq!(resumed.answers.get(&first.id), Some(&answer));
    let submitted = f.device.submit("bike-check").expect("submits");
    assert_eq!(submitted.seq, 1);
    let results = f.device.results().expect("results");
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].record_id, submitted.record_id);
    assert!(!results[0].synced);
    assert_eq!(
        f.device.clock.elapsed("bike-check"),
        std::time::Duration::ZERO
    );
}

#[test]
fn the_same_seed_draws_the_same_attempt() {
    let (a, b) = (device_with_sample(), device_with_sample());
    let va = a.device.start_attempt_seeded("bike-check", 42).expect("a");
    let vb = b.device.start_attempt_seeded("bike-check", 42).expect("b");
    assert_eq!(va.questions, vb.questions);
}

#[cfg(feature = "client")]
mod data_budget {
    use super::*;
    use crate::store::{LearnerSettings, Registration};
    use crate::sync::SyncError;

    /// A device registered with a hub address where nothing listens.
    fn registered_nowhere(settings: LearnerSettings) -> Fixture {
        let f = device_with_sample();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        f.device
            .store()
            .set_registration(&Registration {
                hub: format!("http://127.0.0.1:{port}"),
                group: "riders".into(),
            })
            .expect("registers");
        f.device
            .store()
            .set_learner_settings(&settings)
            .expect("settings");
        f
    }

    fn is_budget(e: &crate::Error) -> bool {
        matches!(e, crate::Error::Sync(SyncError::DataBudget))
    }

    #[test]
    fn unmetered_only_refuses_metered_sync_before_moving_a_byte() {
        let f = registered_nowhere(LearnerSettings {
            unmetered_only: true,
            ..LearnerSettings::default()
        });
        assert!(!f.device.may_sync(true).expect("asks"));
        assert!(f.device.may_sync(false).expect("asks"));
        let err = f.device.sync(true, &crate::progress::NoProgress);
        assert!(err.as_ref().is_err_and(is_budget), "{err:?}");
        assert_eq!(f.device.metered_use_this_month().expect("use"), 0);
        // On Wi-Fi it tries (and finds no hub); nothing is counted against the budget.
        let err = f.device.sync(false, &crate::progress::NoProgress);
        assert!(
            matches!(err, Err(crate::Error::Sync(SyncError::Offline(_)))),
            "{err:?}"
        );
        assert_eq!(f.device.metered_use_this_month().expect("use"), 0);
    }

    #[test]
    fn a_spent_budget_refuses_metered_sync_and_wifi_still_may() {
        let f = registered_nowhere(LearnerSettings {
            monthly_budget_mb: 1,
            ..LearnerSettings::default()
        });
        assert!(f.device.may_sync(true).expect("asks"));
        f.device
            .store()
            .add_metered_use(Utc::now(), 1_000_000)
            .expect("adds");
        assert!(!f.device.may_sync(true).expect("asks"));
        assert!(f.device.may_sync(false).expect("asks"));
        let err = f.device.sync(true, &crate::progress::NoProgress);
        assert!(err.as_ref().is_err_and(is_budget), "{err:?}");
        assert_eq!(f.device.metered_use_this_month().expect("use"), 1_000_000);
    }

    #[test]
    fn a_metered_sync_that_fails_still_counts_what_it_tried_to_move() {
        let f = registered_nowhere(LearnerSettings::default());
        let err = f.device.sync(true, &crate::progress::NoProgress);
        assert!(
            matches!(err, Err(crate::Error::Sync(SyncError::Offline(_)))),
            "{err:?}"
        );
        let used = f.device.metered_use_this_month().expect("use");
        assert!(used > 0, "the request it sent is counted");
        assert!(used < 10_000, "and only that: {used}");
    }

    #[test]
    fn an_unregistered_device_is_told_to_register() {
        let f = device_with_sample();
        let err = f.device.sync(false, &crate::progress::NoProgress);
        assert!(
            matches!(err, Err(crate::Error::Sync(SyncError::NotRegistered))),
            "{err:?}"
        );
    }
}

const PASSPHRASE: &str = "red bicycle at the river";

#[test]
fn a_learner_moves_to_a_new_phone_with_their_backup() {
    let old = device_with_sample();
    let learner = old.device.store().learner_did();
    let backup = old.device.export_identity(PASSPHRASE).expect("exports");

    // A new phone: its own device key, a fresh learner until the backup is restored.
    let dir = tempfile::tempdir().expect("tempdir");
    let new_dir = dir.path().join("new-phone");
    let fresh = Device::create(&new_dir).expect("creates");
    assert_ne!(fresh.store().learner_did(), learner);
    let keys = Store::file_keys(&new_dir);

    // A wrong passphrase changes nothing.
    let wrong = fresh.restore_identity(&keys, &backup.to_armored().expect("armors"), "wrong one!!");
    assert!(
        matches!(
            wrong,
            Err(crate::Error::Key(crate::keys::KeyError::WrongPassphrase))
        ),
        "{wrong:?}"
    );

    // From the QR codes, in any order.
    let mut parts = backup.to_qr_parts();
    parts.reverse();
    let restored = fresh
        .restore_identity(&keys, &parts.join("\n"), PASSPHRASE)
        .expect("restores");
    drop(fresh);
    assert_eq!(restored.store().learner_did(), learner);
    assert_ne!(
        restored.store().device_did(),
        old.device.store().device_did()
    );
    let binding = restored.store().binding().expect("binds");
    binding
        .check(&restored.store().device_did(), &learner)
        .expect("the learner's own key bound the new phone");
    drop(restored);

    // It stays restored across restarts.
    let reopened = Device::open(&new_dir).expect("opens");
    assert_eq!(reopened.store().learner_did(), learner);
}

#[test]
fn a_phone_with_results_of_its_own_learner_keeps_them() {
    let f = device_with_sample();
    let backup = Device::create(&f._dir.path().join("other"))
        .expect("creates")
        .export_identity(PASSPHRASE)
        .expect("exports");
    f.device.start_attempt("bike-check").expect("starts");
    let learner = f.device.store().learner_did();
    let keys = Store::file_keys(f.device.dir());
    let refused =
        f.device
            .restore_identity(&keys, &backup.to_armored().expect("armors"), PASSPHRASE);
    assert!(
        matches!(refused, Err(crate::Error::Store(StoreError::IdentityInUse))),
        "{refused:?}"
    );
    assert_eq!(
        Device::open(f.device.dir())
            .expect("opens")
            .store()
            .learner_did(),
        learner
    );
}

/// A credential dated ahead of the phone's clock (the phone's clock behind the issuer's):
/// what the device keeps it also calls valid, and what it calls not yet valid it does not
/// keep. One tolerance for both, so a kept credential never reads "not yet valid".
#[cfg(feature = "client")]
#[test]
fn the_clock_tolerance_is_the_same_for_a_kept_and_a_verified_credential() {
    use crate::credential::CLOCK_TOLERANCE;
    use crate::credential::{self, AssessmentType, Award, Contexts, CredentialError, Issuer};

    let f = device_with_sample();
    let module = f.device.store().module("bike-check").expect("module");
    let issuer = Issuer {
        name: "Salama Riders Trust".into(),
        url: None,
        country_code: "KE".into(),
        country: "Kenya".into(),
        region: None,
    };
    let dated_ahead = |ahead: chrono::Duration| {
        let award = Award {
            id: format!(
                "urn:uuid:{}",
                uuid::Uuid::from_u128(ahead.num_hours() as u128)
            ),
            module: &module,
            learner: f.device.store().learner_did(),
            learner_name: None,
            score_percent: 90,
            record: None,
            awarded: Utc::now() + ahead,
            first_awarded: None,
            valid_until: None,
            status: None,
            assessment: vec![AssessmentType::PracticalObserved],
        };
        credential::issue(&issuer, &publisher_key(), &award, None, Contexts::bundled())
            .expect("issues")
    };
    let hour = chrono::Duration::hours(1);

    let within = dated_ahead(CLOCK_TOLERANCE - hour);
    let check = f
        .device
        .verify_credential(&within.to_string(), false)
        .expect("checks");
    assert!(check.valid, "{check:?}");
    let kept = f.device.add_credential(&within.to_string()).expect("kept");
    let again = f.device.credential_json(&kept.id).expect("json");
    let check = f.device.verify_credential(&again, false).expect("checks");
    assert!(check.valid, "the kept one reads valid: {check:?}");

    let beyond = dated_ahead(CLOCK_TOLERANCE + hour);
    let check = f
        .device
        .verify_credential(&beyond.to_string(), false)
        .expect("checks");
    assert!(!check.valid);
    assert!(
        check
            .problem
            .as_deref()
            .is_some_and(|p| p.contains("not valid before")),
        "{check:?}"
    );
    let refused = f.device.add_credential(&beyond.to_string());
    assert!(
        matches!(
            refused,
            Err(crate::Error::Store(StoreError::Credential(
                CredentialError::NotYetValid(_)
            )))
        ),
        "{refused:?}"
    );
    assert_eq!(f.device.credentials().expect("list"), vec![kept]);
}
