//! Learners have names: a learner chooses one on the device, it reaches the hub with the
//! registration and again when it changes, and a trainer may label a learner; the trainer's
//! views, the CSV and the xAPI actor show it. A device that chose none shows only its key.

use super::{assets, ok, skillpack, text, Hub};

#[test]
fn a_learners_chosen_name_and_a_trainers_label_show_where_the_trainer_looks() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let hub = Hub::start(d);
    let (url, db) = (hub.url.clone(), hub.db.clone());
    let key = assets().join("keys/demo-publisher.key");
    let public = assets().join("keys/demo-publisher.pub");
    let src = assets().join("modules/mobile-money-scams");
    ok(
        d,
        &[
            "build",
            src.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            "-o",
            "scams.skillpack",
        ],
    );
    ok(
        d,
        &[
            "hub",
            "add-publisher",
            "--db",
            &db,
            public.to_str().unwrap(),
        ],
    );
    ok(
        d,
        &[
            "publish",
            "--hub",
            &url,
            "--key",
            key.to_str().unwrap(),
            "--group",
            "riders",
            "scams.skillpack",
        ],
    );
    let code = ok(d, &["hub", "enrol", "--db", &db, "--group", "riders"])
        .trim()
        .to_owned();

    // A name with a direction override is refused on the device, nothing kept.
    let refused = skillpack(
        d,
        &[
            "device",
            "init",
            "--store",
            "phone",
            "--name",
            "Ann\u{202E}nna",
        ],
    );
    assert!(!refused.status.success());
    assert!(text(&refused).contains("visible"), "{}", text(&refused));

    ok(
        d,
        &[
            "device",
            "init",
            "--store",
            "named",
            "--trust",
            public.to_str().unwrap(),
            "--name",
            " Achieng  Otieno ",
        ],
    );
    ok(
        d,
        &[
            "device",
            "init",
            "--store",
            "anonymous",
            "--trust",
            public.to_str().unwrap(),
        ],
    );
    for store in ["named", "anonymous"] {
        ok(
            d,
            &[
                "device", "register", "--store", store, "--hub", &url, "--code", &code,
            ],
        );
        ok(d, &["device", "sync", "--store", store]);
        std::fs::write(d.join("none.json"), "{}").unwrap();
        ok(
            d,
            &[
                "device",
                "take",
                "--store",
                store,
                "mobile-money-scams",
                "--answers",
                "none.json",
            ],
        );
        ok(d, &["device", "sync", "--store", store]);
    }
    let learners = ok(d, &["hub", "learners", "--db", &db]);
    assert!(
        learners.contains("riders       Achieng Otieno did:key:"),
        "{learners}"
    );
    assert_eq!(
        learners.lines().filter(|l| l.contains("did:key:")).count(),
        2
    );
    let csv = ok(d, &["hub", "results", "--db", &db, "--format", "csv"]);
    assert!(csv.lines().next().unwrap().contains(",name,"), "{csv}");
    assert!(csv.contains(",Achieng Otieno,"), "{csv}");

    // A changed name goes at the next sync, though nothing else is waiting.
    ok(
        d,
        &[
            "device",
            "settings",
            "--store",
            "named",
            "--name",
            "Achieng O.",
        ],
    );
    ok(d, &["device", "sync", "--store", "named"]);
    let xapi = ok(d, &["hub", "results", "--db", &db, "--format", "xapi"]);
    let actors: Vec<serde_json::Value> = xapi
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["actor"].clone())
        .collect();
    assert!(
        actors.iter().any(|a| a["name"] == "Achieng O."),
        "{actors:?}"
    );
    assert!(
        actors.iter().any(|a| a.get("name").is_none()),
        "the anonymous learner has none"
    );

    // A trainer's label shows before the learner's own name, and is audited.
    let learner = learners
        .lines()
        .find(|l| l.contains("Achieng"))
        .and_then(|l| l.split_whitespace().find(|w| w.starts_with("did:key:")))
        .unwrap()
        .to_owned();
    ok(
        d,
        &[
            "hub",
            "label",
            "--db",
            &db,
            "--learner",
            &learner,
            "--name",
            "Achieng (Tuesday class)",
            "--by",
            "Wanjiru",
        ],
    );
    let table = ok(d, &["hub", "results", "--db", &db]);
    assert!(
        table.contains(&format!("Achieng (Tuesday class) ({learner})")),
        "{table}"
    );
    assert!(ok(d, &["hub", "audit", "--db", &db]).contains("label_learner"));
}
