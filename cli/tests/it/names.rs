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
    the_csv_reads_as_a_spreadsheet_reads_it(d, &db);

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
    statements_read_as_an_lrs_reads_them(&xapi);
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

/// The CSV as a spreadsheet reads it: a byte-order mark when asked, CRLF line ends, module
/// titles beside ids, whole numbers only (no decimal separator for a locale to misread), a
/// row per attempt, and the summary a row per learner and module.
fn the_csv_reads_as_a_spreadsheet_reads_it(d: &std::path::Path, db: &str) {
    let out = skillpack(
        d,
        &["hub", "results", "--db", db, "--format", "csv", "--bom"],
    );
    assert!(out.status.success());
    let bytes = out.stdout;
    assert!(
        bytes.starts_with("\u{FEFF}".as_bytes()),
        "a byte-order mark"
    );
    let csv = String::from_utf8(bytes).unwrap();
    let csv = csv.trim_start_matches('\u{FEFF}');
    assert!(
        csv.ends_with("\r\n") && !csv.replace("\r\n", "").contains('\n'),
        "CRLF only"
    );
    let rows: Vec<Vec<&str>> = csv
        .split_terminator("\r\n")
        .map(|l| l.split(',').collect())
        .collect();
    let header = &rows[0];
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    assert_eq!(rows.len(), 3, "a header and one row per attempt: {csv}");
    for row in &rows[1..] {
        assert_eq!(row[at("module_title")], "Spotting mobile-money scams");
        for number in [
            "percent",
            "points",
            "max_points",
            "attempt",
            "duration_seconds",
        ] {
            let cell = row[at(number)];
            assert!(
                !cell.is_empty() && cell.bytes().all(|b| b.is_ascii_digit()),
                "{number}: {cell}"
            );
        }
        assert!(["yes", "no"].contains(&row[at("passed")]));
    }
    let summary = ok(
        d,
        &["hub", "results", "--db", db, "--format", "summary-csv"],
    );
    let lines: Vec<&str> = summary.split_terminator("\r\n").collect();
    assert!(lines[0].starts_with("learner,name,group,module,module_title,attempts,best_percent"));
    assert_eq!(lines.len(), 3, "one row per learner and module: {summary}");
    assert!(
        lines.iter().any(|l| l
            .contains(",Achieng Otieno,riders,mobile-money-scams,Spotting mobile-money scams,1,")),
        "{summary}"
    );
}

/// The statements as a Learning Record Store and its users read them (xAPI 1.0.3 / IEEE
/// 9274.1.1): unique UUID ids, no `stored`, the module's statement and one `answered` per
/// question with a valid interaction type, activities namespaced by publisher with names in
/// the module's language, a context with language, platform, a registration per attempt and
/// the pack, durations to a hundredth of a second.
fn statements_read_as_an_lrs_reads_them(xapi: &str) {
    let statements: Vec<serde_json::Value> = xapi
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut ids = std::collections::HashSet::new();
    let uuid = |v: &serde_json::Value| {
        let s = v.as_str().unwrap_or("");
        s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4
    };
    for s in &statements {
        assert!(
            uuid(&s["id"]) && ids.insert(s["id"].as_str().unwrap().to_owned()),
            "{s}"
        );
        assert!(s.get("stored").is_none(), "the LRS sets stored: {s}");
        assert!(uuid(&s["context"]["registration"]), "{s}");
        assert_eq!(s["context"]["platform"], "Skillpack");
        assert_eq!(s["context"]["language"], "en");
        let object = s["object"]["id"].as_str().unwrap();
        assert!(
            object.starts_with("urn:skillpack:module:z6Mk"),
            "namespaced by publisher: {object}"
        );
        assert!(
            s["context"]["extensions"]["https://w3id.org/skillpack/xapi/extensions/received"]
                .is_string()
        );
        assert!(s["timestamp"].as_str().unwrap().ends_with('Z'));
    }
    let modules: Vec<_> = statements
        .iter()
        .filter(|s| s["verb"]["id"] != "http://adlnet.gov/expapi/verbs/answered")
        .collect();
    let answered: Vec<_> = statements
        .iter()
        .filter(|s| s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered")
        .collect();
    assert_eq!(modules.len(), 2, "one per attempt");
    for m in &modules {
        assert_eq!(
            m["object"]["definition"]["name"]["en"],
            "Spotting mobile-money scams"
        );
        let duration = m["result"]["duration"].as_str().unwrap();
        let fraction = duration
            .split('.')
            .nth(1)
            .map_or(0, |f| f.trim_end_matches('S').len());
        assert!(duration.starts_with("PT") && fraction <= 2, "{duration}");
    }
    assert!(
        answered.iter().all(|a| modules
            .iter()
            .any(|m| m["context"]["registration"] == a["context"]["registration"])),
        "each answer is in the registration of its attempt"
    );
    const TYPES: [&str; 10] = [
        "true-false",
        "choice",
        "fill-in",
        "long-fill-in",
        "matching",
        "performance",
        "sequencing",
        "likert",
        "numeric",
        "other",
    ];
    for a in &answered {
        let kind = a["object"]["definition"]["interactionType"]
            .as_str()
            .unwrap();
        assert!(TYPES.contains(&kind) && kind != "other", "{kind}");
        assert_eq!(
            a["object"]["definition"]["type"],
            "http://adlnet.gov/expapi/activities/cmi.interaction"
        );
        assert!(a["result"]["response"].is_string());
        assert!(a["context"]["contextActivities"]["parent"][0]["id"]
            .as_str()
            .unwrap()
            .starts_with("urn:skillpack:module:"));
    }
}

#[test]
fn the_operators_views_read_a_running_hub_with_the_operators_key() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["keys", "new", "--out", "operator"]);
    ok(d, &["keys", "new", "--out", "stranger"]);
    let operator = d.join("operator.pub");
    let hub = Hub::start_with(d, &["--operator", operator.to_str().unwrap()]);
    let (url, db) = (hub.url.clone(), hub.db.clone());
    let code = ok(d, &["hub", "enrol", "--db", &db, "--group", "riders"])
        .trim()
        .to_owned();
    ok(
        d,
        &[
            "device",
            "init",
            "--store",
            "phone",
            "--name",
            "Achieng Otieno",
        ],
    );
    ok(
        d,
        &[
            "device", "register", "--store", "phone", "--hub", &url, "--code", &code,
        ],
    );

    let remote = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--hub", url.as_str(), "--key", "operator.key"]);
        ok(d, &all)
    };
    let groups = remote(&["hub", "groups"]);
    assert_eq!(
        groups,
        ok(d, &["hub", "groups", "--db", &db]),
        "the same view either way"
    );
    assert!(
        groups.contains("riders       0 packs, 1 devices"),
        "{groups}"
    );
    let learners = remote(&["hub", "learners"]);
    assert!(learners.contains("Achieng Otieno did:key:"), "{learners}");
    assert!(remote(&["hub", "flags"]).contains("no gaps or forks"));
    assert_eq!(
        remote(&["hub", "codes"]),
        ok(d, &["hub", "codes", "--db", &db]),
        "the codes either way"
    );
    let csv = remote(&["hub", "results", "--format", "csv", "--group", "riders"]);
    assert!(csv.starts_with("record_id,"), "{csv}");

    let refused = skillpack(
        d,
        &["hub", "groups", "--hub", &url, "--key", "stranger.key"],
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("not_operator"),
        "{}",
        text(&refused)
    );
    let neither = skillpack(d, &["hub", "groups"]);
    assert!(!neither.status.success());
}
