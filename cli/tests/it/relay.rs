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
    assert!(
        !refused.status.success(),
        "a rejected record is a failed import"
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

/// The village gets its answer back by file: a learner who never reaches the hub passes, the
/// trainer carries the bundle to the hub and the answer back, and the phone keeps the
/// credential the pass earned (verified, from a trusted issuer, checked against the carried
/// revocation list); the hub shows the learner's chosen name. Once the trainer revokes it, the
/// next answer marks it revoked on the phone, with the reason. Another learner's phone takes
/// nothing of an answer.
#[test]
fn a_village_learners_credential_and_its_revocation_return_by_file() {
    use skillpack_core::authoring::load_modules;
    use skillpack_core::testing::right_answers;

    use super::{ok, Hub};

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let hub = Hub::start(d);
    let (key, public) = (
        assets().join("keys/demo-publisher.key"),
        assets().join("keys/demo-publisher.pub"),
    );
    let (key, public) = (key.to_str().unwrap(), public.to_str().unwrap());
    let src = assets().join("modules/mobile-money-scams");
    ok(
        d,
        &[
            "build",
            src.to_str().unwrap(),
            "--key",
            key,
            "-o",
            "scams.skillpack",
        ],
    );
    ok(d, &["hub", "add-publisher", "--db", &hub.db, public]);
    std::fs::write(
        d.join("issuer.toml"),
        "name = \"Salama Riders Trust\"\ncountry_code = \"KE\"\ncountry = \"Kenya\"\n",
    )
    .unwrap();
    ok(
        d,
        &[
            "hub",
            "issuer",
            "--db",
            &hub.db,
            "--key",
            key,
            "--issuer",
            "issuer.toml",
            "--hub-url",
            &hub.url,
        ],
    );
    ok(
        d,
        &[
            "publish",
            "--hub",
            &hub.url,
            "--key",
            key,
            "scams.skillpack",
            "--group",
            "village",
        ],
    );
    let code = ok(d, &["hub", "enrol", "--db", &hub.db, "--group", "village"])
        .trim()
        .to_owned();

    // In the village: the pack from a memory card, the assessment passed, nothing synced.
    ok(
        d,
        &[
            "device",
            "init",
            "--store",
            "phone",
            "--trust",
            public,
            "--name",
            "Amina Wanjiru",
        ],
    );
    ok(
        d,
        &["device", "install", "--store", "phone", "scams.skillpack"],
    );
    let module = load_modules(&[src]).unwrap().remove(0).compiled.module;
    std::fs::write(
        d.join("right.json"),
        serde_json::to_vec(&right_answers(&module)).unwrap(),
    )
    .unwrap();
    ok(
        d,
        &[
            "device",
            "take",
            "--store",
            "phone",
            "mobile-money-scams",
            "--answers",
            "right.json",
        ],
    );
    ok(
        d,
        &[
            "relay",
            "export",
            "--store",
            "phone",
            "-o",
            "amina.bundle",
            "--code",
            &code,
        ],
    );

    // At the hub: the bundle in, the answer out.
    let imported = ok(
        d,
        &[
            "relay",
            "import",
            "--db",
            &hub.db,
            "amina.bundle",
            "--answers",
            "answers",
        ],
    );
    assert!(imported.contains("1 credentials"), "{imported}");
    let learners = ok(d, &["hub", "learners", "--db", &hub.db]);
    assert!(learners.contains("Amina Wanjiru"), "{learners}");

    // Back in the village: the phone keeps the credential, trusted and checked.
    let answer = "answers/amina.answer.json";
    ok(
        d,
        &["device", "init", "--store", "neighbour", "--trust", public],
    );
    let refused = skillpack(d, &["relay", "take", "--store", "neighbour", answer]);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("another learner"),
        "{}",
        text(&refused)
    );
    let taken = ok(d, &["relay", "take", "--store", "phone", answer]);
    assert!(taken.contains("took 1 credential,"), "{taken}");
    let held: serde_json::Value = serde_json::from_str(&ok(
        d,
        &["device", "credentials", "--store", "phone", "--json"],
    ))
    .unwrap();
    let held = held.as_array().unwrap();
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0]["trusted_issuer"], true);
    assert_eq!(held[0]["revocation"]["state"], "not_revoked", "{held:?}");
    let id = held[0]["id"].as_str().unwrap().to_owned();

    // The trainer revokes it; the next answer carries the list that says so.
    ok(
        d,
        &[
            "hub",
            "revoke",
            "--db",
            &hub.db,
            &id,
            "--reason",
            "taken by someone else",
            "--by",
            "Wanjiru",
        ],
    );
    ok(
        d,
        &[
            "relay",
            "import",
            "--db",
            &hub.db,
            "amina.bundle",
            "--answers",
            "answers",
        ],
    );
    let taken = ok(d, &["relay", "take", "--store", "phone", answer]);
    assert!(
        taken.contains("REVOKED") && taken.contains("taken by someone else"),
        "{taken}"
    );
}
