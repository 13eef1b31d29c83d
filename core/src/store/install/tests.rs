//! What a trusted publisher sends is still checked: a pack id stays with the publisher it was
//! installed from, and a hand-made `module.json` that breaks a rule of sense is refused before
//! anything is stored. Each pack here is signed by a trusted key and verifies byte for byte.

use super::*;
use crate::module::{Choice, QuestionKind, UnsoundModule};
use crate::pack::{PackError, PackInfo, Variant};
use crate::testing::{module_files, pack_with, publisher_key, stranger_key};

struct Device {
    dir: tempfile::TempDir,
    store: Store,
}

/// A device that trusts both fixture publishers.
fn device() -> Device {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("store")).expect("opens");
    store
        .trust(&publisher_key().public_key(), "first publisher")
        .expect("trusts");
    store
        .trust(&stranger_key().public_key(), "second publisher")
        .expect("trusts");
    Device { dir, store }
}

fn info(version: &str) -> PackInfo {
    PackInfo {
        id: "fixture".into(),
        version: version.into(),
        variant: Variant::Text,
    }
}

impl Device {
    fn install(&self, bytes: &[u8]) -> Result<InstallReport, StoreError> {
        let path = self.dir.path().join("pack.skillpack");
        std::fs::write(&path, bytes).expect("writes");
        self.store.install(&path)
    }

    /// Installs the fixture module after `edit` changed it, signed by the trusted publisher.
    fn install_edited(&self, edit: impl Fn(&mut Module)) -> Result<InstallReport, StoreError> {
        let files = [module_files("bike-check")];
        self.install(&pack_with(&files, info("1.0.0"), edit, &publisher_key()))
    }
}

#[test]
fn a_second_trusted_publisher_cannot_take_over_an_installed_pack_id() {
    let dev = device();
    let files = [module_files("bike-check")];
    dev.install(&pack_with(&files, info("1.0.0"), |_| {}, &publisher_key()))
        .expect("the first publisher installs");
    let takeover = pack_with(&files, info("9.0.0"), |_| {}, &stranger_key());
    match dev.install(&takeover) {
        Err(StoreError::NotYourPack { id, owner }) => {
            assert_eq!(id, "fixture");
            assert_eq!(owner, publisher_key().public_key().fingerprint());
        }
        other => panic!("expected NotYourPack, got {other:?}"),
    }
    let installed = dev.store.installed_packs().expect("lists");
    assert_eq!(installed.len(), 1);
    assert_eq!(installed[0].version, "1.0.0");
    assert_eq!(installed[0].publisher, publisher_key().public_key());
    // The owner still updates its own pack.
    let update = pack_with(&files, info("1.1.0"), |_| {}, &publisher_key());
    assert_eq!(
        dev.install(&update).expect("updates").replaced.as_deref(),
        Some("1.0.0")
    );
}

/// Installs the edited fixture and returns the rule it was refused for; nothing is stored.
fn refused(edit: impl Fn(&mut Module)) -> UnsoundModule {
    let dev = device();
    let why = match dev.install_edited(edit) {
        Err(StoreError::Pack(PackError::Unsound { module, why })) => {
            assert_eq!(module, "bike-check");
            why
        }
        other => panic!("expected Unsound, got {other:?}"),
    };
    assert!(dev.store.installed_packs().expect("lists").is_empty());
    why
}

fn options_of<'m>(m: &'m mut Module, id: &str) -> &'m mut Vec<Choice> {
    let q = m.questions.iter_mut().find(|q| q.id == id).expect("exists");
    match &mut q.kind {
        QuestionKind::Single { options, .. } => options,
        other => panic!("not single choice: {other:?}"),
    }
}

#[test]
fn the_fixture_itself_installs() {
    device().install_edited(|_| {}).expect("installs");
}

#[test]
fn points_that_would_overflow_a_score_are_refused() {
    let why = refused(|m| m.questions[0].points = u32::MAX);
    assert!(matches!(
        why,
        UnsoundModule::Points {
            points: u32::MAX,
            ..
        }
    ));
    assert!(matches!(
        refused(|m| m.questions[0].points = 0),
        UnsoundModule::Points { points: 0, .. }
    ));
}

#[test]
fn a_draw_above_the_bank_is_refused() {
    let why = refused(|m| m.assessment.draw = 4);
    assert_eq!(why, UnsoundModule::DrawAboveBank { draw: 4, bank: 3 });
}

#[test]
fn a_pass_mark_above_100_is_refused() {
    assert_eq!(
        refused(|m| m.assessment.pass_mark = 101),
        UnsoundModule::PassMark(101)
    );
}

#[test]
fn two_questions_with_one_id_are_refused() {
    let why = refused(|m| m.questions[1].id = m.questions[0].id.clone());
    assert_eq!(why, UnsoundModule::DuplicateQuestion("brakes-first".into()));
}

#[test]
fn a_single_choice_question_without_a_right_option_is_refused() {
    let why = refused(|m| {
        for o in options_of(m, "brakes-first") {
            o.correct = false;
        }
    });
    assert_eq!(why, UnsoundModule::NoRightOption("brakes-first".into()));
}

#[test]
fn an_empty_option_is_refused() {
    let why = refused(|m| options_of(m, "brakes-first")[1].text = " ".into());
    assert_eq!(why, UnsoundModule::EmptyOption("brakes-first".into()));
}
