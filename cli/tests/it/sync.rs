//! Device and hub end to end, as real processes over loopback: a trainer publishes, an
//! operator hands out a code, a device registers, syncs (gets the pack), studies and takes
//! an assessment offline, syncs again (sends the result), and a third sync sends nothing twice.

use super::{assets, copy_dir, ok, skillpack, text, Hub};

#[test]
fn a_device_syncs_with_a_hub_from_first_download_to_results() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let hub = Hub::start(d);
    let (url, db) = (hub.url.clone(), hub.db.clone());

    let (key, public) = (
        assets().join("keys/demo-publisher.key"),
        assets().join("keys/demo-publisher.pub"),
    );
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
            "scams.skillpack",
            "--group",
            "riders",
        ],
    );
    let code = ok(
        d,
        &[
            "hub", "enrol", "--db", &db, "--group", "riders", "--uses", "1",
        ],
    )
    .trim()
    .to_owned();

    ok(
        d,
        &[
            "device",
            "init",
            "--store",
            "phone",
            "--trust",
            public.to_str().unwrap(),
        ],
    );
    assert!(ok(
        d,
        &["device", "register", "--store", "phone", "--hub", &url, "--code", &code]
    )
    .contains("group riders"));
    // On mobile data with "unmetered only", nothing moves.
    ok(
        d,
        &[
            "device",
            "settings",
            "--store",
            "phone",
            "--unmetered-only",
            "true",
        ],
    );
    let refused = skillpack(d, &["device", "sync", "--store", "phone", "--metered"]);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("data settings"),
        "{}",
        text(&refused)
    );
    // With a monthly budget the metered sync runs, and counts what it moved.
    ok(
        d,
        &[
            "device",
            "settings",
            "--store",
            "phone",
            "--unmetered-only",
            "false",
            "--budget-mb",
            "5",
        ],
    );
    let first: serde_json::Value = serde_json::from_str(&ok(
        d,
        &["device", "sync", "--store", "phone", "--metered", "--json"],
    ))
    .unwrap();
    assert_eq!(
        first["installed"],
        serde_json::json!([{"id": "mobile-money-scams", "version": "1.0.0"}]),
        "{first}"
    );
    let pack_size = std::fs::metadata(d.join("scams.skillpack")).unwrap().len();
    let used = first["metered_use_this_month"].as_u64().unwrap();
    assert!(
        used > pack_size && used < pack_size + 20_000,
        "{used} bytes counted for a {pack_size}-byte pack"
    );

    std::fs::write(d.join("none.json"), "{}").unwrap();
    ok(
        d,
        &[
            "device",
            "take",
            "--store",
            "phone",
            "mobile-money-scams",
            "--answers",
            "none.json",
        ],
    );
    let second = ok(d, &["device", "sync", "--store", "phone"]);
    assert!(
        second.contains("sent 1 results (0 the hub already had, 0 refused); installed nothing new"),
        "{second}"
    );
    let third = ok(d, &["device", "sync", "--store", "phone"]);
    assert!(third.contains("sent 0 results"), "{third}");

    let results = ok(d, &["hub", "results", "--db", &db, "--format", "csv"]);
    assert_eq!(
        results
            .lines()
            .filter(|l| l.contains("mobile-money-scams"))
            .count(),
        1,
        "{results}"
    );
    assert!(ok(d, &["device", "check", "--store", "phone"]).contains("0 waiting to sync"));

    // A used-up code registers no second device.
    ok(
        d,
        &[
            "device",
            "init",
            "--store",
            "phone2",
            "--trust",
            public.to_str().unwrap(),
        ],
    );
    let refused = skillpack(
        d,
        &[
            "device", "register", "--store", "phone2", "--hub", &url, "--code", &code,
        ],
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("bad_enrolment_code"),
        "{}",
        text(&refused)
    );

    // A phone that does not trust the group's publisher hears which pack, and from whom.
    let second = ok(d, &["hub", "enrol", "--db", &db, "--group", "riders"])
        .trim()
        .to_owned();
    ok(d, &["device", "init", "--store", "phone3"]);
    ok(
        d,
        &[
            "device", "register", "--store", "phone3", "--hub", &url, "--code", &second,
        ],
    );
    let untrusting = ok(d, &["device", "sync", "--store", "phone3"]);
    assert!(
        untrusting.contains("not downloaded: mobile-money-scams")
            && untrusting.contains("from did:key:z6Mk")
            && untrusting.contains("installed nothing new"),
        "{untrusting}"
    );
}

#[test]
fn sync_without_a_reachable_hub_keeps_results_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["device", "init", "--store", "phone"]);
    let unregistered = skillpack(d, &["device", "sync", "--store", "phone"]);
    assert!(!unregistered.status.success());
    assert!(
        text(&unregistered).contains("not registered"),
        "{}",
        text(&unregistered)
    );
    // A hub address where nothing listens: port 9 on loopback (discard, closed here).
    let offline = skillpack(
        d,
        &[
            "device",
            "register",
            "--store",
            "phone",
            "--hub",
            "http://127.0.0.1:9",
            "--code",
            "X",
        ],
    );
    assert!(!offline.status.success());
    assert!(
        text(&offline).contains("cannot be reached"),
        "{}",
        text(&offline)
    );
}

/// Twenty modules made from the samples (with their pictures), each with a paragraph of its
/// own; returns their folders.
fn twenty_modules(d: &std::path::Path) -> Vec<String> {
    let mut folders = Vec::new();
    for (n, base) in ["safe-riding", "talking-with-customers"].iter().enumerate() {
        for i in 0..10 {
            let id = format!("{base}-{i}");
            let folder = d.join("modules").join(&id);
            copy_dir(&assets().join("modules").join(base), &folder);
            let toml = std::fs::read_to_string(folder.join("module.toml")).unwrap();
            let toml = toml.replacen(&format!("id = \"{base}\""), &format!("id = \"{id}\""), 1);
            std::fs::write(folder.join("module.toml"), toml).unwrap();
            let lesson = std::fs::read_dir(folder.join("lessons"))
                .unwrap()
                .map(|e| e.unwrap().path())
                .min()
                .unwrap();
            let mut text = std::fs::read_to_string(&lesson).unwrap();
            text.push_str(&format!("\n\nNotes for group {n}, module {i}.\n"));
            std::fs::write(&lesson, text).unwrap();
            folders.push(folder.to_str().unwrap().to_owned());
        }
    }
    folders
}

#[test]
fn an_update_downloads_what_changed_not_the_whole_pack() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let hub = Hub::start(d);
    let (url, db) = (hub.url.clone(), hub.db.clone());
    let key = assets().join("keys/demo-publisher.key");
    let public = assets().join("keys/demo-publisher.pub");
    let (key, public) = (key.to_str().unwrap(), public.to_str().unwrap());
    let folders = twenty_modules(d);
    let build = |version: &str| {
        let mut args = vec!["build", "--key", key, "--id", "field-course"];
        args.extend(["--pack-version", version, "-o", "course.skillpack"]);
        args.extend(folders.iter().map(String::as_str));
        ok(d, &args);
        ok(
            d,
            &[
                "publish",
                "--hub",
                &url,
                "--key",
                key,
                "course.skillpack",
                "--group",
                "riders",
            ],
        );
        std::fs::metadata(d.join("course.skillpack")).unwrap().len()
    };
    ok(d, &["hub", "add-publisher", "--db", &db, public]);
    build("1.0.0");
    let code = ok(d, &["hub", "enrol", "--db", &db, "--group", "riders"])
        .trim()
        .to_owned();
    ok(
        d,
        &["device", "init", "--store", "phone", "--trust", public],
    );
    ok(
        d,
        &["device", "settings", "--store", "phone", "--media", "full"],
    );
    ok(
        d,
        &[
            "device", "register", "--store", "phone", "--hub", &url, "--code", &code,
        ],
    );
    let sync = || -> serde_json::Value {
        serde_json::from_str(&ok(
            d,
            &["device", "sync", "--store", "phone", "--metered", "--json"],
        ))
        .unwrap()
    };
    let first = sync();
    assert_eq!(
        first["installed"],
        serde_json::json!([{"id": "field-course", "version": "1.0.0"}]),
        "{first}"
    );
    let before = first["metered_use_this_month"].as_u64().unwrap();

    // One lesson of one module changes; the trainer builds over the previous file.
    let lesson = std::path::Path::new(&folders[7]).join("lessons/02-helmet-and-being-seen.md");
    let edited =
        std::fs::read_to_string(&lesson).unwrap() + "\nA helmet is replaced after a fall.\n";
    std::fs::write(&lesson, edited).unwrap();
    let size = build("1.0.1");

    let second = sync();
    assert_eq!(
        second["installed"],
        serde_json::json!([{"id": "field-course", "version": "1.0.1"}]),
        "{second}"
    );
    let update = second["metered_use_this_month"].as_u64().unwrap() - before;
    // The figure docs/benchmarks.md gives (`--nocapture` shows it).
    eprintln!("one changed lesson: the sync used {update} bytes of a {size}-byte pack");
    assert!(
        update * 10 < size,
        "the update cost {update} bytes of a {size}-byte pack"
    );
    let read = ok(
        d,
        &["device", "lesson", "--store", "phone", "safe-riding-7", "2"],
    );
    assert!(
        read.contains("A helmet is replaced after a fall."),
        "{read}"
    );
    assert!(ok(d, &["device", "check", "--store", "phone"]).contains("0 waiting to sync"));
}
