//! Relay: results from an offline device reach the hub as a file a trainer carries; the hub
//! checks each record, takes each once, and refuses any the carrier changed.

use super::{assets, skillpack, text};

#[test]
fn results_carried_as_a_file_reach_the_hub_once_and_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key = assets().join("keys/demo-publisher.key");
    let src = assets().join("modules/talking-with-customers");
    assert!(skillpack(
        d,
        &[
            "build",
            src.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            "-o",
            "talk.skillpack"
        ]
    )
    .status
    .success());
    let trust = assets().join("keys/demo-publisher.pub");
    assert!(skillpack(
        d,
        &[
            "device",
            "init",
            "--store",
            "phone",
            "--trust",
            trust.to_str().unwrap()
        ]
    )
    .status
    .success());
    assert!(skillpack(
        d,
        &["device", "install", "--store", "phone", "talk.skillpack"]
    )
    .status
    .success());
    std::fs::write(d.join("none.json"), "{}").unwrap();
    let took = skillpack(
        d,
        &[
            "device",
            "take",
            "--store",
            "phone",
            "talking-with-customers",
            "--answers",
            "none.json",
        ],
    );
    assert!(took.status.success(), "{}", text(&took));

    let db = format!("sqlite://{}", d.join("hub.db").display());
    // The operator's commands open a hub database that exists; a mistyped one is an error.
    let typo = skillpack(
        d,
        &["relay", "import", "--db", &format!("{db}x"), "village.json"],
    );
    assert!(!typo.status.success());
    assert!(
        text(&typo).contains("holds no hub database"),
        "{}",
        text(&typo)
    );
    assert!(!d.join("hub.dbx").exists(), "nothing was created");
    let init = skillpack(d, &["hub", "init", "--db", &db]);
    assert!(init.status.success(), "{}", text(&init));

    // Without an enrolment code, the hub has no group to take a device it never saw into,
    // and the importer cannot vouch for one.
    let export = skillpack(
        d,
        &["relay", "export", "--store", "phone", "-o", "village.json"],
    );
    assert!(
        text(&export).contains("no enrolment code"),
        "{}",
        text(&export)
    );
    let unknown = skillpack(d, &["relay", "import", "--db", &db, "village.json"]);
    assert!(!unknown.status.success());
    assert!(
        text(&unknown).contains("refused (unknown_device)"),
        "{}",
        text(&unknown)
    );

    // The trainer's code, on paper, travels in the bundle signed by the device.
    let enrol = skillpack(d, &["hub", "enrol", "--db", &db, "--group", "village"]);
    assert!(enrol.status.success(), "{}", text(&enrol));
    let code = String::from_utf8_lossy(&enrol.stdout).trim().to_owned();
    let export = skillpack(
        d,
        &[
            "relay",
            "export",
            "--store",
            "phone",
            "--code",
            &code,
            "-o",
            "village.json",
        ],
    );
    assert!(
        text(&export).contains("1 records written"),
        "{}",
        text(&export)
    );
    let first = skillpack(d, &["relay", "import", "--db", &db, "village.json"]);
    assert!(
        text(&first).contains("1 accepted, 0 already had, 0 rejected"),
        "{}",
        text(&first)
    );
    let again = skillpack(d, &["relay", "import", "--db", &db, "village.json"]);
    assert!(
        text(&again).contains("0 accepted, 1 already had, 0 rejected"),
        "{}",
        text(&again)
    );

    // A carrier who edits a result cannot make the hub take it.
    let bundle = std::fs::read_to_string(d.join("village.json")).unwrap();
    let edited = bundle.replacen("\"passed\":false", "\"passed\":true", 1);
    assert_ne!(bundle, edited);
    let edited = edited.replacen("\"id\":\"", "\"id\":\"0", 1);
    std::fs::write(d.join("edited.json"), edited).unwrap();
    let refused = skillpack(d, &["relay", "import", "--db", &db, "edited.json"]);
    assert!(
        text(&refused).contains("0 accepted, 0 already had, 1 rejected"),
        "{}",
        text(&refused)
    );

    // Nor can a carrier move the bundle into another group by changing its code.
    let moved = bundle.replace(&code, "ABCD-EFGH-JKLM");
    assert_ne!(bundle, moved);
    std::fs::write(d.join("moved.json"), moved).unwrap();
    let refused = skillpack(d, &["relay", "import", "--db", &db, "moved.json"]);
    assert!(
        text(&refused).contains("refused (bad_enrolment)"),
        "{}",
        text(&refused)
    );

    let results = skillpack(d, &["hub", "results", "--db", &db, "--format", "csv"]);
    assert_eq!(
        String::from_utf8_lossy(&results.stdout).lines().count(),
        2,
        "header and the one true record"
    );
    assert!(
        !skillpack(d, &["relay", "import", "--db", &db, "none.json"])
            .status
            .success()
    );
}
