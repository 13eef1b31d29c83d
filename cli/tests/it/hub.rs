//! The hub from the command line: `skillpack serve` as a real process, an operator
//! registering a trainer, the trainer publishing with `skillpack publish`, and a graceful stop.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use skillpack_core::protocol::CatalogResponse;

use super::{assets, ok, skillpack, text};

#[test]
fn an_operator_registers_a_trainer_who_publishes_to_a_running_hub() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = format!("sqlite://{}", d.join("hub.db").display());
    let mut server = Command::new(env!("CARGO_BIN_EXE_skillpack"))
        .args(["serve", "--listen", "127.0.0.1:0", "--db", &db])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();

    let public = assets().join("keys/demo-publisher.pub");
    let added = skillpack(
        d,
        &[
            "hub",
            "add-publisher",
            "--db",
            &db,
            public.to_str().unwrap(),
        ],
    );
    assert!(added.status.success(), "{}", text(&added));

    let key = assets().join("keys/demo-publisher.key");
    let src = assets().join("modules/safe-riding");
    let built = skillpack(
        d,
        &[
            "build",
            src.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            "-o",
            "safe.skillpack",
        ],
    );
    assert!(built.status.success(), "{}", text(&built));
    let published = skillpack(
        d,
        &[
            "publish",
            "--hub",
            &url,
            "--key",
            key.to_str().unwrap(),
            "safe.skillpack",
            "--group",
            "riders",
            "--json",
        ],
    );
    assert!(published.status.success(), "{}", text(&published));
    let body: serde_json::Value = serde_json::from_slice(&published.stdout).unwrap();
    assert_eq!(body[0]["created"], true);

    let catalog: CatalogResponse = reqwest::blocking::get(format!("{url}/v1/catalog?group=riders"))
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(catalog.packs[0].id, "safe-riding");

    // A trainer the operator did not register is refused, with the reason.
    let other = skillpack(d, &["keys", "new", "--out", "stranger"]);
    assert!(other.status.success());
    let refused = skillpack(
        d,
        &[
            "publish",
            "--hub",
            &url,
            "--key",
            "stranger.key",
            "safe.skillpack",
        ],
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("not_your_pack") || text(&refused).contains("unknown_publisher"),
        "{}",
        text(&refused)
    );

    let enrol = skillpack(
        d,
        &[
            "hub",
            "enrol",
            "--db",
            &db,
            "--group",
            "riders",
            "--uses",
            "30",
            "--expires",
            "2099-12-31",
        ],
    );
    assert!(enrol.status.success(), "{}", text(&enrol));
    let code = String::from_utf8_lossy(&enrol.stdout).trim().to_owned();
    assert_eq!(code.len(), 14, "XXXX-XXXX-XXXX: {code}");
    let bad_date = skillpack(
        d,
        &[
            "hub",
            "enrol",
            "--db",
            &db,
            "--group",
            "riders",
            "--expires",
            "next week",
        ],
    );
    assert!(!bad_date.status.success());

    // SIGTERM stops the hub cleanly.
    let term = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    assert!(
        server.wait().unwrap().success(),
        "a graceful shutdown exits 0"
    );
}

#[test]
fn a_trainer_reads_learners_results_and_flags_as_table_csv_and_xapi() {
    use skillpack_core::keys::SecretKey;
    use skillpack_core::ledger::VerifiedRecord;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = format!("sqlite://{}", d.join("hub.db").display());
    let device = SecretKey::from_seed(&[31; 32]);
    let learner_key = SecretKey::from_seed(&[32; 32]);
    let learner = learner_key.public_key().to_did_key();
    let chain = skillpack_core::testing::record_chain(&device, &learner, 3);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let hub = skillpack_hub::HubDb::open(&db).await.unwrap();
        let code = hub.create_enrolment("riders", None, None).await.unwrap();
        let binding =
            skillpack_core::ledger::DeviceBinding::sign(&learner_key, &device.public_key())
                .unwrap();
        let joined = skillpack_hub::ingest::join(
            &hub,
            device.public_key(),
            learner.clone(),
            Some(&binding),
            Some(code),
        );
        joined.await.unwrap().unwrap();
        let verified = [&chain[0], &chain[2]]
            .into_iter()
            .map(|r| VerifiedRecord::verify(r.clone()).unwrap())
            .collect();
        hub.ingest(device.public_key(), verified).await.unwrap();
    });

    let learners = skillpack(d, &["hub", "learners", "--db", &db]);
    assert!(
        text(&learners).contains(&format!(
            "riders       {learner} 2 records, 1 modules passed"
        )),
        "{}",
        text(&learners)
    );
    let groups = skillpack(d, &["hub", "groups", "--db", &db]);
    assert!(
        text(&groups).contains("riders       0 packs, 1 devices, 2 results, 1 open codes"),
        "{}",
        text(&groups)
    );
    let csv = skillpack(d, &["hub", "results", "--db", &db, "--format", "csv"]);
    let csv = String::from_utf8_lossy(&csv.stdout).into_owned();
    assert_eq!(csv.lines().count(), 3, "header and two records:\n{csv}");
    assert!(csv.lines().nth(1).unwrap().contains(",riders,"), "{csv}");
    let xapi = skillpack(
        d,
        &[
            "hub",
            "results",
            "--db",
            &db,
            "--format",
            "xapi",
            "--home-page",
            "https://hub.example.org",
        ],
    );
    let statements: Vec<serde_json::Value> = String::from_utf8_lossy(&xapi.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let verbs = |verb: &str| {
        statements
            .iter()
            .filter(|s| s["verb"]["id"] == format!("http://adlnet.gov/expapi/verbs/{verb}"))
            .count()
    };
    assert_eq!(
        (verbs("passed"), verbs("answered"), statements.len()),
        (2, 2, 4),
        "each record's module statement, then one per answered question"
    );
    assert_eq!(
        statements[0]["verb"]["id"],
        "http://adlnet.gov/expapi/verbs/passed"
    );
    assert_eq!(
        statements[0]["actor"]["account"]["homePage"],
        "https://hub.example.org"
    );
    let flags = skillpack(d, &["hub", "flags", "--db", &db]);
    assert!(text(&flags).contains("record 3: gap"), "{}", text(&flags));
    let bad = skillpack(d, &["hub", "results", "--db", &db, "--format", "pdf"]);
    assert!(!bad.status.success());
}

#[test]
fn an_operator_cannot_enrol_learners_in_a_group_no_request_could_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = format!("sqlite://{}", d.join("hub.db").display());
    super::ok(d, &["hub", "init", "--db", &db]);
    let long = "g".repeat(300);
    for bad in ["a&b", "", "a b", long.as_str()] {
        let enrol = skillpack(d, &["hub", "enrol", "--db", &db, "--group", bad]);
        assert!(!enrol.status.success(), "{bad:?}: {}", text(&enrol));
        assert!(text(&enrol).contains("a group name"), "{}", text(&enrol));
    }
    let groups = super::ok(d, &["hub", "groups", "--db", &db]);
    assert!(!groups.contains("a&b"), "{groups}");
    super::ok(d, &["hub", "enrol", "--db", &db, "--group", "riders_2"]);
}

/// The catalog of `group` at the hub `url`, as (id, version, variant).
fn offered(url: &str, group: &str) -> Vec<(String, String, String)> {
    let catalog: CatalogResponse =
        reqwest::blocking::get(format!("{url}/v1/catalog?group={group}"))
            .unwrap()
            .json()
            .unwrap();
    let mut packs: Vec<_> = catalog
        .packs
        .into_iter()
        .map(|p| (p.id, p.version, p.variant))
        .collect();
    packs.sort();
    packs
}

#[test]
fn a_pack_is_offered_to_two_groups_withdrawn_from_one_and_a_version_never_changes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let hub = super::Hub::start(d);
    let (url, db) = (hub.url.clone(), hub.db.clone());
    let key = assets().join("keys/demo-publisher.key");
    let (key, public) = (
        key.to_str().unwrap(),
        assets().join("keys/demo-publisher.pub"),
    );
    let src = assets().join("modules/safe-riding");
    for variant in ["full", "low"] {
        let out = format!("safe-{variant}.skillpack");
        ok(
            d,
            &[
                "build",
                src.to_str().unwrap(),
                "--key",
                key,
                "--variant",
                variant,
                "-o",
                &out,
            ],
        );
    }
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

    // Both variants at once, to two groups: stored once, offered to each.
    let both = ["safe-full.skillpack", "safe-low.skillpack"];
    let first = ok(
        d,
        &[
            &["publish", "--hub", &url, "--key", key, "--group", "riders"][..],
            &both[..],
        ]
        .concat(),
    );
    assert_eq!(
        first.matches(" published for group riders").count(),
        2,
        "{first}"
    );
    let second = ok(
        d,
        &[
            &[
                "publish", "--hub", &url, "--key", key, "--group", "cleaners",
            ][..],
            &both[..],
        ]
        .concat(),
    );
    assert_eq!(
        second.matches("was stored already; now offered").count(),
        2,
        "{second}"
    );
    let safe = |variant: &str| {
        (
            "safe-riding".to_owned(),
            "1.0.0".to_owned(),
            variant.to_owned(),
        )
    };
    for group in ["riders", "cleaners"] {
        assert_eq!(
            offered(&url, group),
            vec![safe("full"), safe("low")],
            "{group}"
        );
    }

    // Other content under the same version is refused with what to do.
    let changed = d.join("changed-source");
    super::copy_dir(&src, &changed);
    let lesson = changed.join("lessons/01-pre-ride-check.md");
    let text_before = std::fs::read_to_string(&lesson).unwrap();
    std::fs::write(&lesson, format!("{text_before}\nOne more line.\n")).unwrap();
    ok(
        d,
        &[
            "build",
            changed.to_str().unwrap(),
            "--key",
            key,
            "-o",
            "changed.skillpack",
        ],
    );
    let refused = skillpack(
        d,
        &[
            "publish",
            "--hub",
            &url,
            "--key",
            key,
            "--group",
            "riders",
            "changed.skillpack",
        ],
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("version_exists") && text(&refused).contains("new version"),
        "{}",
        text(&refused)
    );

    // Withdrawn from one group, still offered to the other.
    ok(
        d,
        &[
            "hub",
            "withdraw",
            "--db",
            &db,
            "--group",
            "riders",
            "safe-riding",
        ],
    );
    assert!(offered(&url, "riders").is_empty());
    assert_eq!(offered(&url, "cleaners").len(), 2);

    // Codes are listed and revoked.
    let code = ok(
        d,
        &[
            "hub", "enrol", "--db", &db, "--group", "riders", "--uses", "5",
        ],
    )
    .trim()
    .to_owned();
    let codes = ok(d, &["hub", "codes", "--db", &db]);
    assert!(
        codes.contains(&code) && codes.contains("5 uses left"),
        "{codes}"
    );
    ok(d, &["hub", "revoke-code", "--db", &db, &code]);
    assert!(ok(d, &["hub", "codes", "--db", &db]).contains("revoked"));
    ok(d, &["device", "init", "--store", "phone"]);
    let refused = skillpack(
        d,
        &[
            "device", "register", "--store", "phone", "--hub", &url, "--code", &code,
        ],
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("bad_enrolment_code"),
        "{}",
        text(&refused)
    );
}

/// A busy hub backed up while it takes records: the copy holds every record committed before
/// it began, passes its integrity check, and restores in place of the destroyed hub. (A plain
/// copy of the file of a hub in WAL mode may hold none of them; it is printed, not judged.)
#[test]
fn a_busy_hub_is_backed_up_while_it_serves_and_the_backup_restores() {
    use skillpack_core::keys::SecretKey;
    use skillpack_core::ledger::VerifiedRecord;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let path = d.join("hub.db");
    let db = format!("sqlite://{}", path.display());
    let device = SecretKey::from_seed(&[41; 32]);
    let learner_key = SecretKey::from_seed(&[42; 32]);
    let learner = learner_key.public_key().to_did_key();
    let chain = skillpack_core::testing::record_chain(&device, &learner, 200);
    let verified = |range: std::ops::Range<usize>| -> Vec<VerifiedRecord> {
        chain[range]
            .iter()
            .map(|r| VerifiedRecord::verify(r.clone()).unwrap())
            .collect()
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let hub = runtime.block_on(async {
        let hub = skillpack_hub::HubDb::open(&db).await.unwrap();
        let code = hub.create_enrolment("riders", None, None).await.unwrap();
        let binding =
            skillpack_core::ledger::DeviceBinding::sign(&learner_key, &device.public_key())
                .unwrap();
        skillpack_hub::ingest::join(
            &hub,
            device.public_key(),
            learner.clone(),
            Some(&binding),
            Some(code),
        )
        .await
        .unwrap()
        .unwrap();
        hub.ingest(device.public_key(), verified(0..30))
            .await
            .unwrap();
        hub
    });
    // The hub stays open (its log not folded into the file) and keeps taking records while
    // the backup runs.
    let writer = {
        let hub = hub.clone();
        let rest: Vec<Vec<VerifiedRecord>> =
            (3..20).map(|n| verified(n * 10..n * 10 + 10)).collect();
        let device = device.public_key();
        runtime.spawn(async move {
            for batch in rest {
                hub.ingest(device, batch).await.unwrap();
            }
        })
    };
    let naive = d.join("copied.db");
    std::fs::copy(&path, &naive).unwrap();
    let backed = skillpack(d, &["hub", "backup", "--db", &db, "-o", "backup.db"]);
    assert!(backed.status.success(), "{}", text(&backed));
    runtime.block_on(writer).unwrap();
    let said = text(&backed);
    let records: u64 = said
        .split(" records")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{said}"));
    assert!(
        records >= 30,
        "every record committed before the backup: {said}"
    );
    let naive_records: i64 = rusqlite::Connection::open(&naive)
        .and_then(|c| c.query_row("SELECT count(*) FROM records", [], |r| r.get(0)))
        .unwrap_or(0);
    println!("a plain copy of the running hub's file held {naive_records} of 30 records");
    // A backup never overwrites.
    let again = skillpack(d, &["hub", "backup", "--db", &db, "-o", "backup.db"]);
    assert!(!again.status.success());
    assert!(
        text(&again).contains("never overwrites"),
        "{}",
        text(&again)
    );

    // The hub is destroyed; the backup put in its place serves what it held.
    drop(hub);
    drop(runtime);
    for file in ["hub.db", "hub.db-wal", "hub.db-shm"] {
        let _ = std::fs::remove_file(d.join(file));
    }
    std::fs::copy(d.join("backup.db"), &path).unwrap();
    let learners = ok(d, &["hub", "learners", "--db", &db]);
    assert!(
        learners.contains(&format!("{learner} {records} records")),
        "{learners}"
    );
}

/// An operator's basics: the flags come from the environment as well, `--log-format json`
/// writes one JSON object a line with no colour escapes in a file, and `/ready` answers with
/// what it read from the database.
#[test]
fn serve_reads_its_flags_from_the_environment_logs_json_and_says_when_it_is_ready() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = format!("sqlite://{}", d.join("hub.db").display());
    // An operator key named only in the environment is read (here: one that is not there).
    let missing = Command::new(env!("CARGO_BIN_EXE_skillpack"))
        .args(["serve", "--listen", "127.0.0.1:0", "--db", &db])
        .env("SKILLPACK_OPERATORS", d.join("nobody.pub"))
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(text(&missing).contains("nobody.pub"), "{}", text(&missing));

    let log = std::fs::File::create(d.join("hub.log")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_skillpack"))
        .args(["serve", "--listen", "127.0.0.1:0", "--db", &db])
        .env("SKILLPACK_LOG_FORMAT", "json")
        .env("SKILLPACK_PUBLIC_URL", "https://hub.example")
        .env("SKILLPACK_TRUSTED_PROXIES", "127.0.0.9,::1")
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();
    let client = reqwest::blocking::Client::new();
    let ready: serde_json::Value = client
        .get(format!("{url}/ready"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["db"], "sqlite");
    assert!(ready["schema"].as_u64().unwrap() >= 17, "{ready}");
    let refused = client.get(format!("{url}/v1/nowhere")).send().unwrap();
    assert_eq!(refused.status(), 404);
    let nonce = client.get(format!("{url}/v1/nonce")).send().unwrap();
    let request_id = nonce.headers()["x-request-id"].to_str().unwrap().to_owned();
    // A sign-in link's secret is in its path: the access log names the route instead.
    let _ = client
        .get(format!("{url}/web/signin/SECRET-TOKEN-12345"))
        .send()
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let written = std::fs::read_to_string(d.join("hub.log")).unwrap();
    assert!(
        !written.contains('\u{1b}'),
        "no colour escapes in a file: {written}"
    );
    let lines: Vec<serde_json::Value> = written
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    let said = |what: &str| lines.iter().any(|l| l["fields"]["message"] == what);
    assert!(
        said("hub listening") && said("request refused"),
        "{written}"
    );
    // One access line a routed request: method, route, status, time, client, request id.
    let access: Vec<&serde_json::Value> =
        lines.iter().filter(|l| l["target"] == "access").collect();
    let nonce_line = access
        .iter()
        .find(|l| l["fields"]["route"] == "/v1/nonce")
        .unwrap_or_else(|| panic!("{written}"));
    assert_eq!(nonce_line["fields"]["method"], "GET");
    assert_eq!(nonce_line["fields"]["status"], 200);
    assert_eq!(nonce_line["fields"]["client"], "127.0.0.1");
    assert_eq!(nonce_line["fields"]["request_id"], request_id.as_str());
    assert!(nonce_line["fields"]["millis"].is_u64());
    assert!(
        access
            .iter()
            .any(|l| l["fields"]["route"] == "/web/signin/{token}"),
        "{written}"
    );
    assert!(
        !written.contains("SECRET-TOKEN-12345"),
        "no secret of a path is logged"
    );
}

#[test]
fn an_older_hubs_packs_move_from_its_database_to_the_store_and_are_served_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = format!("sqlite://{}", d.join("hub.db").display());
    let public = assets().join("keys/demo-publisher.pub");
    ok(d, &["hub", "init", "--db", &db]);
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
    let hub = super::Hub::start(d);
    let pack = super::build_sample(d, "safe-riding");
    let key = assets().join("keys/demo-publisher.key");
    let published = ok(
        d,
        &[
            "publish",
            "--hub",
            &hub.url,
            "--key",
            key.to_str().unwrap(),
            &pack,
            "--group",
            "riders",
            "--json",
        ],
    );
    let body: serde_json::Value = serde_json::from_str(&published).unwrap();
    let hash = body[0]["hash"].as_str().unwrap().to_owned();
    let download = |url: &str| {
        reqwest::blocking::get(format!("{url}/v1/packs/{hash}"))
            .unwrap()
            .error_for_status()
            .unwrap()
            .bytes()
            .unwrap()
    };
    let served = download(&hub.url);
    drop(hub);

    // The pack is in the store beside the database (hub.db keeps them in hub-packs/).
    let object = d.join("hub-packs").join(format!("{hash}.skillpack"));
    assert!(std::fs::read(&object).unwrap() == served);
    assert!(ok(d, &["hub", "packs", "--db", &db]).contains("1 packs held, 0 missing"));

    // An older hub's: the bytes in its database, no object.
    let conn = rusqlite::Connection::open(d.join("hub.db")).unwrap();
    let raw = skillpack_core::hex::decode::<32>(&hash).unwrap();
    conn.execute(
        "INSERT INTO pack_bytes (hash, bytes) VALUES (?1, ?2)",
        rusqlite::params![raw.as_slice(), served.as_ref()],
    )
    .unwrap();
    conn.execute("UPDATE packs SET bytes_in_db = 1", [])
        .unwrap();
    drop(conn);
    std::fs::remove_file(&object).unwrap();
    let hub = super::Hub::start(d);
    assert!(
        download(&hub.url) == served,
        "served from the database meanwhile"
    );
    let said = ok(d, &["hub", "packs", "--db", &db]);
    assert!(
        said.contains(
            "0 packs held, 0 missing, 0 not named by the database, 1 still in the database"
        ),
        "{said}"
    );

    // Moved while the hub serves, once; served the same after.
    let moved = ok(d, &["hub", "move-packs", "--db", &db]);
    assert!(
        moved.contains(&format!("moved {hash}")) && moved.contains("1 packs moved"),
        "{moved}"
    );
    assert!(std::fs::read(&object).unwrap() == served);
    assert!(ok(d, &["hub", "move-packs", "--db", &db]).contains("0 packs moved"));
    assert!(download(&hub.url) == served, "served from the store after");
    let left: i64 = rusqlite::Connection::open(d.join("hub.db"))
        .unwrap()
        .query_row("SELECT count(*) FROM pack_bytes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0, "the database let go of its copy");

    // A backup lists the packs its copy names, to check a copy of the store against.
    ok(d, &["hub", "backup", "--db", &db, "-o", "backup.db"]);
    let listed = std::fs::read_to_string(d.join("backup.db.packs")).unwrap();
    assert_eq!(listed, format!("{hash} {}\n", served.len()));

    // A store that lost the pack: the check fails and names it, and a download is a server
    // error, not a short pack.
    std::fs::remove_file(&object).unwrap();
    let check = skillpack(d, &["hub", "packs", "--db", &db]);
    assert!(!check.status.success());
    assert!(
        text(&check).contains(&format!("missing {hash}")),
        "{}",
        text(&check)
    );
    let lost = reqwest::blocking::get(format!("{}/v1/packs/{hash}", hub.url)).unwrap();
    assert_eq!(lost.status().as_u16(), 500);
}
