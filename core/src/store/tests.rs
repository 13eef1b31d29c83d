//! The device store on real SQLite files: installs, updates, shared chunks, lessons,
//! progress, the attempt flow to a signed record, and damage being found.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::*;
use crate::assess::{Answer, AssessError};
use crate::pack::{PackError, PackInfo, Variant};
use crate::testing::{module_files, pack_of, pack_with, publisher_key, stranger_key};

pub(super) fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).expect("valid")
}

/// A device store in a folder of its own that trusts the fixture publisher.
pub(super) struct Device {
    _dir: tempfile::TempDir,
    pub(super) path: std::path::PathBuf,
    pub(super) store: Store,
}

pub(super) fn device() -> Device {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("store");
    let store = Store::open(&path).expect("opens");
    store
        .trust(&publisher_key().public_key(), "fixture publisher")
        .expect("trusts");
    Device {
        _dir: dir,
        path,
        store,
    }
}

fn write_pack(dev: &Device, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dev.path.parent().expect("parent").join(name);
    std::fs::write(&path, bytes).expect("write pack");
    path
}

fn install_fixture(dev: &Device) -> InstallReport {
    let pack = write_pack(dev, "bike.skillpack", &crate::testing::sample_pack());
    dev.store.install(&pack).expect("installs")
}

fn count(dev: &Device, table: &str) -> i64 {
    let conn = Connection::open(dev.path.join(db::DB_FILE)).expect("open");
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}

#[test]
fn first_open_makes_keys_and_reopening_keeps_them() {
    let dev = device();
    let (learner, device_did) = (dev.store.learner_did(), dev.store.device_did());
    assert!(learner.starts_with("did:key:z6Mk"));
    assert_ne!(learner, device_did);
    drop(dev.store);
    let again = Store::open(&dev.path).expect("reopens");
    assert_eq!(again.learner_did(), learner);
    assert_eq!(again.device_did(), device_did);
}

#[test]
fn install_then_read_a_lesson_with_its_media_in_the_chosen_rendition() {
    let dev = device();
    let report = install_fixture(&dev);
    assert_eq!(report.modules, vec!["bike-check".to_owned()]);
    let lesson = dev.store.lesson("bike-check", 0).expect("lesson");
    assert_eq!(lesson.title, "Brakes");
    assert!(lesson.markdown.contains("Squeeze both brake levers"));
    let files = module_files("bike-check");
    assert_eq!(
        lesson.media[0].bytes.as_deref(),
        files.get("images/brake.png")
    );
    assert!(lesson.blocks.contains(&crate::module::LessonBlock::Image {
        media: 0,
        alt: "Brake lever".into()
    }));
    dev.store
        .set_media_rendition(crate::pack::Rendition::Low)
        .expect("setting");
    let lesson = dev.store.lesson("bike-check", 0).expect("lesson");
    assert_eq!(
        lesson.media[0].bytes.as_deref(),
        files.get("images/brake.low.png")
    );
    assert!(dev.store.lesson("bike-check", 9).is_err());
}

#[test]
fn an_untrusted_publisher_is_refused_with_its_fingerprint_and_nothing_is_stored() {
    let dev = device();
    let pack = write_pack(
        &dev,
        "x.skillpack",
        &pack_of(
            &[module_files("bike-check")],
            Variant::Text,
            &stranger_key(),
        ),
    );
    match dev.store.install(&pack) {
        Err(StoreError::Pack(PackError::Untrusted(fp))) => {
            assert_eq!(fp, stranger_key().public_key().fingerprint())
        }
        other => panic!("expected Untrusted, got {other:?}"),
    }
    assert_eq!(count(&dev, "packs"), 0);
    assert_eq!(count(&dev, "chunks"), 0);
}

#[test]
fn a_tampered_pack_is_refused_and_nothing_is_stored() {
    let dev = device();
    let mut bytes = crate::testing::sample_pack();
    let last = bytes.len() - 3;
    bytes[last] ^= 1;
    let pack = write_pack(&dev, "bad.skillpack", &bytes);
    assert!(matches!(dev.store.install(&pack), Err(StoreError::Pack(_))));
    assert_eq!(count(&dev, "packs"), 0);
}

#[test]
fn packs_share_chunks_and_uninstalling_frees_only_what_nothing_else_uses() {
    let dev = device();
    install_fixture(&dev);
    let chunks_one = count(&dev, "chunks");
    // Another pack whose image is the same bytes: that chunk is stored once.
    let info = PackInfo {
        id: "fixture-two".into(),
        version: "1.0.0".into(),
        variant: Variant::Full,
    };
    let other = pack_with(&[module_files("bike-two")], info, |_| {}, &publisher_key());
    let path = write_pack(&dev, "two.skillpack", &other);
    let report = dev.store.install(&path).expect("installs");
    assert!(report.shared_chunks >= 2, "{report:?}");
    assert_eq!(count(&dev, "chunks"), chunks_one + report.new_chunks as i64);
    dev.store.uninstall("fixture").expect("uninstalls");
    assert_eq!(
        count(&dev, "chunks"),
        report.new_chunks as i64 + report.shared_chunks as i64
    );
    assert!(matches!(
        dev.store.uninstall("fixture"),
        Err(StoreError::NotInstalled { .. })
    ));
}

#[test]
fn an_update_keeps_progress_and_attempts_and_an_older_version_is_refused() {
    let dev = device();
    install_fixture(&dev);
    dev.store
        .record_progress("bike-check", 0, Duration::from_secs(40), Some(2))
        .expect("progress");
    dev.store
        .start_attempt("bike-check", now(), 1)
        .expect("starts");
    let info = PackInfo {
        id: "fixture".into(),
        version: "1.1.0".into(),
        variant: Variant::Full,
    };
    let newer = pack_with(
        &[module_files("bike-check")],
        info,
        |_| {},
        &publisher_key(),
    );
    let newer = write_pack(&dev, "newer.skillpack", &newer);
    let report = dev.store.install(&newer).expect("updates");
    assert_eq!(report.replaced.as_deref(), Some("1.0.0"));
    let entry = &dev.store.catalog(now()).expect("catalog")[0];
    assert_eq!((entry.lessons_opened, entry.time_spent_ms), (1, 40_000));
    let lesson = dev.store.lesson("bike-check", 0).expect("lesson");
    assert_eq!(
        lesson.resume_block,
        Some(2),
        "the reading place survives an update"
    );
    assert!(dev
        .store
        .current_attempt("bike-check")
        .expect("reads")
        .is_some());
    let older = write_pack(&dev, "older.skillpack", &crate::testing::sample_pack());
    assert!(matches!(
        dev.store.install(&older),
        Err(StoreError::NotNewer { .. })
    ));
}

fn take_and_submit(
    dev: &Device,
    seed: u64,
    right: bool,
) -> (crate::assess::Outcome, crate::ledger::SignedRecord) {
    dev.store
        .start_attempt("bike-check", now(), seed)
        .expect("starts");
    let answers = [
        ("brakes-first", Answer::Single(if right { 0 } else { 1 })),
        ("tyre-hard", Answer::TrueFalse(right)),
        (
            "order",
            Answer::Ordering(if right { vec![0, 1, 2] } else { vec![2, 1, 0] }),
        ),
    ];
    let attempt = dev
        .store
        .current_attempt("bike-check")
        .expect("reads")
        .expect("open");
    for (id, answer) in answers {
        if attempt.questions.iter().any(|q| q.id == id) {
            dev.store
                .answer("bike-check", id, answer, Duration::from_secs(5))
                .expect(id);
        }
    }
    dev.store
        .submit("bike-check", now(), Duration::from_secs(60), &[])
        .expect("submits")
}

#[test]
fn a_submitted_attempt_becomes_a_signed_chained_record_in_the_outbox() {
    let dev = device();
    install_fixture(&dev);
    let (outcome, record) = take_and_submit(&dev, 3, true);
    assert!(outcome.passed);
    record.verify().expect("signed by the device");
    assert_eq!(record.record.seq, 1);
    assert_eq!(record.record.learner, dev.store.learner_did());
    assert_eq!(dev.store.outbox().expect("outbox"), vec![record.clone()]);
    assert_eq!(
        dev.store.catalog(now()).expect("catalog")[0].state,
        ModuleState::Passed
    );
    let (_, second) = take_and_submit(&dev, 4, false);
    assert_eq!(second.record.prev, Some(record.hash().expect("hash")));
    assert_eq!(
        dev.store.check().expect("intact"),
        CheckReport {
            records: 2,
            outbox: 2
        }
    );
    dev.store
        .acknowledge(std::slice::from_ref(&record.record.id))
        .expect("acks");
    assert_eq!(dev.store.outbox().expect("outbox").len(), 1);
    assert_eq!(
        dev.store.records().expect("records").len(),
        2,
        "acknowledged records stay"
    );
}

#[test]
fn a_failed_attempt_starts_the_cooldown_and_a_double_submit_is_refused() {
    let dev = device();
    install_fixture(&dev);
    let (outcome, _) = take_and_submit(&dev, 5, false);
    assert!(!outcome.passed);
    assert!(matches!(
        dev.store.catalog(now()).expect("catalog")[0].state,
        ModuleState::CoolingDown { .. }
    ));
    assert!(matches!(
        dev.store.start_attempt("bike-check", now(), 6),
        Err(StoreError::Assess(AssessError::CoolingDown { .. }))
    ));
    assert!(matches!(
        dev.store.submit("bike-check", now(), Duration::ZERO, &[]),
        Err(StoreError::NoAttempt(_))
    ));
    assert_eq!(
        dev.store.records().expect("records").len(),
        1,
        "nothing lost, nothing doubled"
    );
}

#[test]
fn answers_to_questions_not_in_the_attempt_are_refused() {
    let dev = device();
    install_fixture(&dev);
    dev.store
        .start_attempt("bike-check", now(), 1)
        .expect("starts");
    let err = dev.store.answer(
        "bike-check",
        "no-such-question",
        Answer::TrueFalse(true),
        Duration::ZERO,
    );
    assert!(matches!(
        err,
        Err(StoreError::Assess(AssessError::NotInAttempt(_)))
    ));
}

#[test]
fn an_edited_record_row_is_found_on_open() {
    let dev = device();
    install_fixture(&dev);
    take_and_submit(&dev, 3, false);
    drop(dev.store);
    let conn = Connection::open(dev.path.join(db::DB_FILE)).expect("open");
    conn.execute(
        "UPDATE records SET body = replace(body, '\"passed\":false', '\"passed\":true')",
        [],
    )
    .expect("tamper");
    drop(conn);
    let err = Store::open(&dev.path).expect_err("damage is reported");
    assert!(err.to_string().contains("record 1 was changed"), "{err}");
}

/// Edits record `seq`'s body on disk the way a tamperer would; returns the body it had.
fn tamper_record(path: &std::path::Path, seq: i64) -> String {
    let conn = Connection::open(path.join(db::DB_FILE)).expect("open");
    let body: String = conn
        .query_row("SELECT body FROM records WHERE seq = ?1", [seq], |r| {
            r.get(0)
        })
        .expect("body");
    conn.execute(
        "UPDATE records SET body = replace(body, '\"score\":', '\"score\": ') WHERE seq = ?1",
        [seq],
    )
    .expect("tamper");
    body
}

fn restore_record(path: &std::path::Path, seq: i64, body: &str) {
    let conn = Connection::open(path.join(db::DB_FILE)).expect("open");
    conn.execute(
        "UPDATE records SET body = ?2 WHERE seq = ?1",
        rusqlite::params![seq, body],
    )
    .expect("restore");
}

#[test]
fn opening_checks_what_came_after_the_last_check_and_the_full_check_finds_the_rest() {
    let mut dev = device();
    install_fixture(&dev);
    take_and_submit(&dev, 3, true);
    dev.store = Store::open(&dev.path).expect("checks record 1 and keeps a checkpoint");
    take_and_submit(&dev, 4, false);
    dev.store = Store::open(&dev.path).expect("checks record 2 only");

    // The checkpoint's own record is read at every open.
    let body = tamper_record(&dev.path, 2);
    let err = Store::open(&dev.path).expect_err("the checkpoint no longer holds");
    assert!(err.to_string().contains("record 2"), "{err}");
    restore_record(&dev.path, 2, &body);
    Store::open(&dev.path).expect("restored");

    // A record before the checkpoint is not read at open: the full check finds it.
    tamper_record(&dev.path, 1);
    let store = Store::open(&dev.path).expect("opening reads nothing before the checkpoint");
    let err = store.check().expect_err("the full check reads everything");
    assert!(err.to_string().contains("record 1"), "{err}");
}

#[test]
fn a_record_written_after_the_last_check_is_checked_at_open() {
    let mut dev = device();
    install_fixture(&dev);
    take_and_submit(&dev, 3, true);
    dev.store = Store::open(&dev.path).expect("checkpoint at record 1");
    take_and_submit(&dev, 4, false);
    tamper_record(&dev.path, 2);
    let err = Store::open(&dev.path).expect_err("record 2 is new since the check");
    assert!(err.to_string().contains("record 2"), "{err}");
}

#[test]
fn a_damaged_database_is_moved_aside_and_reported_never_deleted() {
    let dev = device();
    drop(dev.store);
    let db_path = dev.path.join(db::DB_FILE);
    let _ = std::fs::remove_file(dev.path.join(format!("{}-wal", db::DB_FILE)));
    std::fs::write(&db_path, vec![0x42u8; 8192]).expect("damage");
    match Store::open(&dev.path) {
        Err(StoreError::Corrupt { moved_to }) => {
            assert!(
                std::path::Path::new(&moved_to).exists(),
                "the damaged file is kept"
            );
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[test]
fn settings_persist_and_a_bad_one_changes_nothing() {
    let dev = device();
    assert_eq!(
        dev.store.learner_settings().expect("read"),
        LearnerSettings::default()
    );
    assert_eq!(dev.store.registration().expect("read"), None);
    let chosen = LearnerSettings {
        language: Some("sw-KE".into()),
        media: crate::pack::Rendition::Low,
        unmetered_only: true,
        monthly_budget_mb: 200,
        display_name: Some("Achieng Otieno".into()),
    };
    dev.store.set_learner_settings(&chosen).expect("saves");
    assert_eq!(
        dev.store.name_to_send().expect("read").as_deref(),
        Some("Achieng Otieno"),
        "a new name goes to the hub"
    );
    dev.store.set_name_sent("Achieng Otieno").expect("saves");
    assert_eq!(dev.store.name_to_send().expect("read"), None, "once");
    let spoofed = LearnerSettings {
        display_name: Some("Achieng\u{202E}gnieh".into()),
        ..chosen.clone()
    };
    assert!(matches!(
        dev.store.set_learner_settings(&spoofed),
        Err(StoreError::BadSetting(_))
    ));
    let bad = LearnerSettings {
        language: Some("sw KE".into()),
        monthly_budget_mb: 1,
        ..chosen.clone()
    };
    assert!(matches!(
        dev.store.set_learner_settings(&bad),
        Err(StoreError::BadSetting(_))
    ));
    let reopened = Store::open(&dev.path).expect("reopens");
    assert_eq!(reopened.learner_settings().expect("read"), chosen);
    let cleared = LearnerSettings {
        language: None,
        display_name: None,
        ..chosen
    };
    reopened.set_learner_settings(&cleared).expect("saves");
    assert_eq!(reopened.learner_settings().expect("read"), cleared);
    assert_eq!(
        reopened.name_to_send().expect("read").as_deref(),
        Some(""),
        "the hub hears the learner stopped showing a name"
    );
    let registration = Registration {
        hub: "https://hub.example.org".into(),
        group: "riders".into(),
    };
    let november = DateTime::from_timestamp(1_795_000_000, 0).expect("valid");
    let december = DateTime::from_timestamp(1_797_000_000, 0).expect("valid");
    assert_eq!(reopened.metered_use(november).expect("read"), 0);
    reopened.add_metered_use(november, 700).expect("adds");
    reopened.add_metered_use(november, 300).expect("adds");
    assert_eq!(reopened.metered_use(november).expect("read"), 1000);
    assert_eq!(
        reopened.metered_use(december).expect("read"),
        0,
        "a new month"
    );
    reopened.add_metered_use(december, 5).expect("adds");
    assert_eq!(reopened.metered_use(december).expect("read"), 5);
    reopened.set_registration(&registration).expect("saves");
    assert_eq!(reopened.registration().expect("read"), Some(registration));
}

#[test]
fn a_typed_answer_is_saved_and_unreadable_text_clears_it_on_disk() {
    let dev = device();
    let mut files = module_files("bike-check");
    let toml = String::from_utf8(files.get("module.toml").expect("toml").to_vec()).expect("utf-8");
    files.insert("module.toml", toml.replace("draw = 2", "draw = 4"));
    let mut bank = files.get("questions.toml").expect("bank").to_vec();
    bank.extend_from_slice(
        b"\n[[question]]\nid = \"pressure\"\ntype = \"numeric\"\nprompt = \"Pressure in bar?\"\n\
          answer = 2.5\nexplanation = \"Printed on the tyre.\"\n",
    );
    files.insert("questions.toml", bank);
    let pack = crate::testing::pack_of(&[files], Variant::Full, &publisher_key());
    dev.store
        .install(&write_pack(&dev, "typed.skillpack", &pack))
        .expect("installs");
    dev.store
        .start_attempt("bike-check", now(), 3)
        .expect("starts");
    let typed = |text: &str| {
        dev.store
            .answer_typed("bike-check", "pressure", text, Duration::ZERO)
    };
    typed("2,5").expect("decimal comma");
    let saved = |store: &Store| {
        store
            .current_attempt("bike-check")
            .expect("reads")
            .expect("in progress")
            .answers
            .get("pressure")
            .cloned()
    };
    assert_eq!(saved(&dev.store), Some(Answer::Numeric(2.5)));
    assert!(matches!(
        typed("2,5 bar"),
        Err(StoreError::Assess(AssessError::InvalidAnswer { .. }))
    ));
    let reopened = Store::open(&dev.path).expect("reopens");
    assert_eq!(
        saved(&reopened),
        None,
        "the refusal cleared the answer on disk"
    );
}

#[test]
fn records_a_restored_hub_lost_go_back_to_the_outbox_and_no_others() {
    let dev = device();
    install_fixture(&dev);
    let (_, first) = take_and_submit(&dev, 3, true);
    let (_, second) = take_and_submit(&dev, 4, false);
    let ids = [first.record.id.clone(), second.record.id.clone()];
    let ack_all = || dev.store.acknowledge(&ids).expect("acks");
    let outbox_seqs = || -> Vec<u64> {
        let outbox = dev.store.outbox().expect("outbox");
        outbox.iter().map(|r| r.record.seq).collect()
    };
    ack_all();
    // Holds all (or more, carried by a relay): nothing to send.
    assert_eq!(dev.store.resend_lost(2, Some(2)).expect("marks"), 0);
    assert_eq!(dev.store.resend_lost(3, Some(3)).expect("marks"), 0);
    assert!(outbox_seqs().is_empty());
    // Holds the first only: the second goes again.
    assert_eq!(dev.store.resend_lost(1, Some(1)).expect("marks"), 1);
    assert_eq!(outbox_seqs(), vec![2]);
    ack_all();
    // Holds none.
    assert_eq!(dev.store.resend_lost(0, None).expect("marks"), 2);
    assert_eq!(outbox_seqs(), vec![1, 2]);
    ack_all();
    // Holds the second but not the first: not a prefix, so all go again.
    assert_eq!(dev.store.resend_lost(1, Some(2)).expect("marks"), 2);
    assert_eq!(outbox_seqs(), vec![1, 2]);
    dev.store.check().expect("the chain is untouched");
}

#[test]
fn a_format_1_pack_still_installs_and_reads_and_updates_to_format_2() {
    let dev = device();
    let old = write_pack(&dev, "v1.skillpack", &crate::testing::sample_pack_v1());
    dev.store.install(&old).expect("a format 1 pack installs");
    let lesson = dev.store.lesson("bike-check", 0).expect("reads");
    assert!(!lesson.markdown.is_empty());
    let info = PackInfo {
        id: "fixture".into(),
        version: "1.1.0".into(),
        variant: Variant::Full,
    };
    let newer = pack_with(
        &[module_files("bike-check")],
        info,
        |_| {},
        &publisher_key(),
    );
    let newer = write_pack(&dev, "v2.skillpack", &newer);
    let report = dev.store.install(&newer).expect("updates");
    assert_eq!(report.replaced.as_deref(), Some("1.0.0"));
    assert_eq!(
        dev.store.lesson("bike-check", 0).expect("reads").markdown,
        lesson.markdown,
        "the same lesson, read from format 2"
    );
}

#[test]
fn a_module_of_a_format_2_pack_is_read_through_its_part_and_a_spoiled_part_is_damage() {
    let dev = device();
    install_fixture(&dev);
    let conn = Connection::open(dev.path.join(db::DB_FILE)).expect("open");
    let (contents, part): (Vec<u8>, Vec<u8>) = conn
        .query_row(
            "SELECT contents, part FROM modules WHERE id = 'bike-check'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the module");
    assert!(contents.is_empty(), "no index of its own beside the part");
    dev.store
        .lesson("bike-check", 0)
        .expect("reads through the part");
    conn.execute(
        "UPDATE chunks SET stored = x'28b52ffd00' WHERE hash = ?1",
        [&part[..32]],
    )
    .expect("spoil the part");
    drop(conn);
    let reopened = Store::open(&dev.path).expect("opens");
    assert!(matches!(
        reopened.lesson("bike-check", 0),
        Err(StoreError::Damaged(_))
    ));
}

mod migrations;
