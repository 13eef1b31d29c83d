//! `skillpack device`: a learner's whole offline flow, scripted, on the real sample packs.

use std::path::Path;

use skillpack_core::authoring::load_modules;
use skillpack_core::ledger::{verify_chain, SignedRecord};
use skillpack_core::testing::right_answers;

use super::{assets, build_sample, ok, skillpack, text};

#[test]
fn a_learner_installs_reads_takes_an_assessment_and_finds_a_signed_record() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pack = build_sample(d, "talking-with-customers");
    let trust = assets().join("keys/demo-publisher.pub");
    ok(
        d,
        &[
            "device",
            "init",
            "--store",
            "dev",
            "--trust",
            trust.to_str().unwrap(),
        ],
    );
    ok(d, &["device", "install", "--store", "dev", &pack]);

    let catalog: serde_json::Value =
        serde_json::from_str(&ok(d, &["device", "catalog", "--store", "dev", "--json"])).unwrap();
    assert_eq!(catalog[0]["id"], "talking-with-customers");
    assert_eq!(catalog[0]["state"]["state"], "new");

    let lesson = ok(
        d,
        &[
            "device",
            "lesson",
            "--store",
            "dev",
            "talking-with-customers",
            "2",
        ],
    );
    assert!(
        lesson.contains("[media] images/delay-message.png (image/png"),
        "{lesson}"
    );

    let module = load_modules(&[assets().join("modules/talking-with-customers")])
        .unwrap()
        .remove(0)
        .compiled
        .module;
    std::fs::write(
        d.join("answers.json"),
        serde_json::to_vec(&right_answers(&module)).unwrap(),
    )
    .unwrap();
    let taken: serde_json::Value = serde_json::from_str(&ok(
        d,
        &[
            "device",
            "take",
            "--store",
            "dev",
            "talking-with-customers",
            "--answers",
            "answers.json",
            "--seed",
            "11",
            "--json",
        ],
    ))
    .unwrap();
    assert_eq!(taken["outcome"]["passed"], true, "{taken}");
    assert_eq!(taken["outcome"]["score"], taken["outcome"]["max_score"]);

    let records: Vec<SignedRecord> =
        serde_json::from_str(&ok(d, &["device", "records", "--store", "dev", "--json"])).unwrap();
    assert_eq!(records.len(), 1);
    verify_chain(&records).expect("a valid signed chain");
    assert_eq!(records[0].record.module, "talking-with-customers");
    assert!(ok(d, &["device", "check", "--store", "dev"]).contains("1 waiting to sync"));

    let catalog: serde_json::Value =
        serde_json::from_str(&ok(d, &["device", "catalog", "--store", "dev", "--json"])).unwrap();
    assert_eq!(catalog[0]["state"]["state"], "passed");
    assert_eq!(catalog[0]["lessons_opened"], 1);
}

#[test]
fn an_untrusted_pack_is_refused_with_the_fingerprint_to_check() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pack = build_sample(d, "safe-riding");
    ok(d, &["device", "init", "--store", "dev"]);
    let out = skillpack(d, &["device", "install", "--store", "dev", &pack]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("fingerprint 1b98-7b50-11ab-2ab2-a046-a4f0"),
        "{}",
        text(&out)
    );
    let catalog = ok(d, &["device", "catalog", "--store", "dev"]);
    assert!(catalog.contains("no modules installed"));
    // The publisher's did:key, as a sync names a publisher the device does not trust, is
    // enough to trust it; a malformed one is refused and trusts nothing.
    let public = std::fs::read_to_string(super::assets().join("keys/demo-publisher.pub")).unwrap();
    let did = public.lines().last().unwrap().trim();
    let refused = skillpack(
        d,
        &["device", "trust", "--store", "dev", "did:key:z6MkNotAKey"],
    );
    assert!(!refused.status.success(), "{}", text(&refused));
    let trusted = ok(d, &["device", "trust", "--store", "dev", did]);
    assert!(
        trusted.contains("trusts publisher 1b98-7b50-11ab-2ab2-a046-a4f0"),
        "{trusted}"
    );
    ok(d, &["device", "install", "--store", "dev", &pack]);
}

#[test]
fn check_fails_when_a_record_was_edited() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pack = build_sample(d, "safe-riding");
    let trust = assets().join("keys/demo-publisher.pub");
    ok(
        d,
        &[
            "device",
            "init",
            "--store",
            "dev",
            "--trust",
            trust.to_str().unwrap(),
        ],
    );
    ok(d, &["device", "install", "--store", "dev", &pack]);
    std::fs::write(d.join("none.json"), "{}").unwrap();
    ok(
        d,
        &[
            "device",
            "take",
            "--store",
            "dev",
            "safe-riding",
            "--answers",
            "none.json",
        ],
    );
    let db = d.join("dev/skillpack.db");
    edit_record(&db);
    let out = skillpack(d, &["device", "check", "--store", "dev"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("record 1 was changed"),
        "{}",
        text(&out)
    );
}

/// Flips `"passed":false` to true inside the stored record, as someone editing the file would.
fn edit_record(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let changed = conn
        .execute(
            "UPDATE records SET body = replace(body, '\"passed\":false', '\"passed\":true')",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
}
