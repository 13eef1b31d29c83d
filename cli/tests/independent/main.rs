//! The credentials `skillpack` issues, checked by verifiers that are not ours: Digital
//! Bazaar's libraries and the DCC's verifier-core, both from the npm registry, run by
//! `scripts/independent-verify/verify.mjs` (its README says what each is given). The
//! credentials come from the real binary: the demo's, one with the learner's name, one with
//! half an ECTS credit, a copy of the demo's with one character of the achievement's name
//! changed, the provider's endorsement of the hub's issuer key that the demo's credential
//! carries (alone, and changed inside a copy), and the demo's again once its hub has revoked
//! it. The published Open Badges 3.0
//! `eddsa-rdfc-2022` vector goes with them, so a failure of ours is told apart from a harness
//! that cannot say "valid". Needs `node` and `npm ci` in scripts/independent-verify
//! (scripts/test-all runs it; `.ci/run` installs npm): without them this test fails, it
//! never skips.
#![allow(clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{assets, ok, text, Hub};
use serde_json::Value;

/// The harness: scripts/independent-verify in the repository.
fn harness() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/independent-verify")
}

/// Runs verify.mjs with `args`; it must agree with every expectation. Returns its lines.
fn verify(args: &[&str]) -> String {
    let out = Command::new("node")
        .arg(harness().join("verify.mjs"))
        .args(args)
        .output()
        .expect("node runs (.ci/run installs it with npm; apt-get install npm)");
    let shown = text(&out);
    println!("{shown}");
    assert!(out.status.success(), "node verify.mjs {args:?}:\n{shown}");
    shown
}

/// The learner's did:key that `keys new` printed into `NAME.pub`.
fn did_of(dir: &Path, public: &str) -> String {
    let text = std::fs::read_to_string(dir.join(public)).unwrap();
    text.split_whitespace()
        .find_map(|w| {
            w.trim_end_matches(['.', ',', ')'])
                .strip_prefix("did:key:")
                .map(|k| format!("did:key:{k}"))
        })
        .unwrap()
}

/// `skillpack credential issue` for the module in `module` to `learner`, signed with the
/// trainer's key in `d`, written to `out`.
fn issue(d: &Path, module: &Path, learner: &str, more: &[&str], out: &str) {
    let mut args = vec![
        "credential",
        "issue",
        "--key",
        "trainer.key",
        "--issuer",
        "issuer.toml",
        "--module",
        module.to_str().unwrap(),
        "--learner",
        learner,
        "-o",
        out,
    ];
    args.extend_from_slice(more);
    ok(d, &args);
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// A copy of `credential` whose achievement's name has its first letter's case flipped: one
/// character, which its proof covers.
fn tampered(credential: &Value) -> Value {
    let mut copy = credential.clone();
    let name = &mut copy["credentialSubject"]["achievement"]["name"];
    let old = name.as_str().unwrap().to_owned();
    let mut chars = old.chars();
    let first = chars.next().unwrap();
    let flipped = if first.is_uppercase() {
        first.to_lowercase().collect::<String>()
    } else {
        first.to_uppercase().collect::<String>()
    };
    *name = Value::String(flipped + chars.as_str());
    assert_ne!(copy, *credential, "one character of {old:?} changed");
    copy
}

#[test]
fn issued_credentials_verify_with_digital_bazaar_and_verifier_core_and_bad_ones_do_not() {
    assert!(
        harness().join("node_modules/@digitalbazaar/vc").is_dir()
            && harness()
                .join("node_modules/@digitalcredentials/verifier-core")
                .is_dir(),
        "the verifiers are not installed: run `npm ci` in scripts/independent-verify \
         (scripts/test-all does)"
    );
    // The verifiers get the same bytes of each published context as our issuer signs under.
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/src/credential/contexts");
    for file in ["credentials-v2.jsonld", "ob-v3p0-context-3.0.3.json"] {
        assert!(
            std::fs::read(bundled.join(file)).unwrap()
                == std::fs::read(harness().join("contexts").join(file)).unwrap(),
            "core's {file} and the verifiers' differ"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    // The demo's credential, from the demo's hub brought back on the address its credential
    // names, so that its revocation list answers.
    let demo = d.join("demo");
    ok(
        d,
        &[
            "demo",
            "--assets",
            assets().to_str().unwrap(),
            "--keep",
            demo.to_str().unwrap(),
        ],
    );
    let credential = read_json(&demo.join("credential.json"));
    let list = credential["credentialStatus"]["statusListCredential"]
        .as_str()
        .expect("the demo's credential names its revocation list");
    let address = list
        .strip_prefix("http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap();
    let hub = Hub::start_at(&demo, address);

    // A trainer issues for what they saw: once with the learner's name, once for a module
    // worth half an ECTS credit (12.5 hours of notional workload).
    ok(d, &["keys", "new", "--out", "trainer"]);
    ok(d, &["keys", "new", "--out", "learner"]);
    std::fs::write(
        d.join("issuer.toml"),
        "name = \"Salama Riders Trust\"\ncountry_code = \"KE\"\ncountry = \"Kenya\"\n",
    )
    .unwrap();
    let learner = did_of(d, "learner.pub");
    let safe_riding = assets().join("modules/safe-riding");
    issue(
        d,
        &safe_riding,
        &learner,
        &["--name", "Amina Wanjiru"],
        "named.json",
    );
    assert_eq!(
        read_json(&d.join("named.json"))["credentialSubject"]["identifier"][0]["identityHash"],
        "Amina Wanjiru",
        "the name the learner chose, as Open Badges 3.0 carries it"
    );
    let half = d.join("half-credit");
    copy_dir(&safe_riding, &half);
    let toml = std::fs::read_to_string(half.join("module.toml")).unwrap();
    std::fs::write(
        half.join("module.toml"),
        format!("ects = 0.5\nworkload_minutes = 750\n{toml}"),
    )
    .unwrap();
    issue(d, &half, &learner, &[], "half-ects.json");
    assert_eq!(
        read_json(&d.join("half-ects.json"))["credentialSubject"]["achievement"]
            ["creditsAvailable"],
        0.5
    );

    std::fs::write(
        d.join("tampered.json"),
        serde_json::to_vec_pretty(&tampered(&credential)).unwrap(),
    )
    .unwrap();
    let vector = harness().join("vectors/ob3-eddsa-rdfc-2022");
    let signed = read_json(&vector.join("signed-openbadgecredential.json"));
    std::fs::write(
        d.join("vector-tampered.json"),
        serde_json::to_vec_pretty(&tampered(&signed)).unwrap(),
    )
    .unwrap();

    // The provider's endorsement of the hub's issuer key, inside the demo's credential (ADR
    // 0006): copied out into a file of its own, and changed by one character inside a copy,
    // which breaks the credential's own proof.
    let endorsement = &credential["issuer"]["endorsement"][0];
    assert_eq!(endorsement["type"][1], "EndorsementCredential");
    std::fs::write(
        d.join("endorsement.json"),
        serde_json::to_vec_pretty(endorsement).unwrap(),
    )
    .unwrap();
    let mut changed = credential.clone();
    let comment =
        &mut changed["issuer"]["endorsement"][0]["credentialSubject"]["endorsementComment"];
    *comment = Value::String(comment.as_str().unwrap().replace("issues", "Issues"));
    assert_ne!(changed, credential);
    std::fs::write(
        d.join("endorsement-tampered.json"),
        serde_json::to_vec_pretty(&changed).unwrap(),
    )
    .unwrap();

    let path = |name: &str| d.join(name).to_str().unwrap().to_owned();
    let said = verify(&[
        "--hub",
        &hub.url,
        "--controller",
        vector.join("controller-document.json").to_str().unwrap(),
        &format!(
            "valid={}",
            vector.join("signed-openbadgecredential.json").display()
        ),
        &format!("invalid={}", path("vector-tampered.json")),
        &format!("valid={}", demo.join("credential.json").display()),
        &format!("valid={}", path("named.json")),
        &format!("valid={}", path("half-ects.json")),
        &format!("invalid={}", path("tampered.json")),
        &format!("valid={}", path("endorsement.json")),
        &format!("invalid={}", path("endorsement-tampered.json")),
    ]);
    // Digital Bazaar's library, called on the endorsement inside the demo's credential, says
    // it is valid and that the demo's publisher key signed it.
    let publisher = std::fs::read_to_string(assets().join("keys/demo-publisher.pub")).unwrap();
    let publisher = publisher.lines().last().unwrap().trim();
    assert!(
        said.lines().any(|l| l.starts_with("ok")
            && l.contains("credential.json")
            && l.contains("endorsement")
            && l.contains(&format!("valid: signed by {publisher}"))),
        "{said}"
    );

    // The same credential once the operator revoked it: both read the hub's list again.
    std::fs::copy(demo.join("credential.json"), d.join("revoked.json")).unwrap();
    ok(
        d,
        &[
            "hub",
            "revoke",
            "--db",
            &hub.db,
            credential["id"].as_str().unwrap(),
            "--reason",
            "the assessment was taken by someone else",
            "--by",
            "Wanjiru",
        ],
    );
    verify(&[
        "--hub",
        &hub.url,
        &format!("revoked={}", path("revoked.json")),
    ]);
}

/// Copies a folder and what it holds to `to`, made if missing.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A platform's work record (as a did:key and as a did:web, whose document the harness
/// serves), and a worker's presentation of a learning credential and a work record, made by
/// the real binary: Digital Bazaar's library checks the presentation's proof over the client's
/// challenge and each credential in it. The same presentation is refused for another challenge
/// and with one character changed.
#[test]
fn work_records_and_a_workers_presentation_verify_with_digital_bazaar() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["keys", "new", "--out", "trainer"]);
    ok(d, &["keys", "new", "--out", "platform"]);
    std::fs::write(
        d.join("issuer.toml"),
        "name = \"Salama Riders Trust\"\ncountry_code = \"KE\"\ncountry = \"Kenya\"\n",
    )
    .unwrap();
    std::fs::write(
        d.join("platform.toml"),
        "name = \"Haraka Deliveries\"\ncountry_code = \"KE\"\ncountry = \"Kenya\"\n",
    )
    .unwrap();
    let init = ok(
        d,
        &[
            "device",
            "init",
            "--store",
            "phone",
            "--trust",
            "trainer.pub",
        ],
    );
    let worker = init
        .split_whitespace()
        .find(|w| w.starts_with("did:key:"))
        .unwrap()
        .to_owned();
    ok(
        d,
        &[
            "device",
            "init",
            "--store",
            "client",
            "--trust",
            "trainer.pub",
        ],
    );
    issue(
        d,
        &assets().join("modules/safe-riding"),
        &worker,
        &[],
        "riding.json",
    );
    std::fs::write(
        d.join("records.csv"),
        format!(
            "worker,occupation,occupation_name,start,end,tasks,rating,rating_min,rating_max\n\
             {worker},http://data.europa.eu/esco/occupation/e9c8a1f1-0b6d-4ae1-9f6b-6c3a4d1f2b7e,\
             Food delivery rider,2026-01-01,2026-06-30,1250,4.8,1,5\n"
        ),
    )
    .unwrap();
    std::fs::write(
        d.join("reviews.csv"),
        format!("worker,date,text,rating\n{worker},2026-03-04,\"Came early, food still hot.\",5\n"),
    )
    .unwrap();
    let issue_records = |out: &str, more: &[&str]| {
        let mut args = vec![
            "credential",
            "issue-work-record",
            "--key",
            "platform.key",
            "--issuer",
            "platform.toml",
            "--records",
            "records.csv",
            "--reviews",
            "reviews.csv",
            "-o",
            out,
        ];
        args.extend_from_slice(more);
        ok(d, &args);
        let mut files: Vec<PathBuf> = std::fs::read_dir(d.join(out))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().contains("-re"))
            .collect();
        files.sort();
        files
    };
    let by_key = issue_records("records", &[]);
    let by_web = issue_records("web", &["--did-web", "did:web:haraka.example"]);
    for file in ["riding.json", by_key[0].to_str().unwrap()] {
        ok(
            d,
            &["device", "credential", "add", "--store", "phone", file],
        );
    }
    let record_id = read_json(&by_key[0])["id"].as_str().unwrap().to_owned();
    let riding_id = read_json(&d.join("riding.json"))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let challenge = ok(
        d,
        &["device", "presentation", "challenge", "--store", "client"],
    )
    .trim()
    .to_owned();
    ok(
        d,
        &[
            "device",
            "presentation",
            "make",
            "--store",
            "phone",
            "--credential",
            &riding_id,
            "--credential",
            &record_id,
            "--challenge",
            &challenge,
            "-o",
            "presented.json",
        ],
    );
    let presented = std::fs::read_to_string(d.join("presented.json")).unwrap();
    assert!(presented.contains("Food delivery rider"));
    std::fs::write(
        d.join("presented-changed.json"),
        presented.replacen("Food delivery rider", "Food delivery ridеr", 1),
    )
    .unwrap();

    let path = |p: &Path| p.to_str().unwrap().to_owned();
    let said = verify(&[
        "--controller",
        &path(&d.join("web/did.json")),
        "--challenge",
        &challenge,
        &format!("valid={}", path(&by_key[0])),
        &format!("valid={}", path(&by_key[1])),
        &format!("valid={}", path(&by_web[0])),
        &format!("valid={}", path(&by_web[1])),
        &format!("valid={}", path(&d.join("presented.json"))),
        &format!("invalid={}", path(&d.join("presented-changed.json"))),
    ]);
    assert!(
        said.lines().any(|l| l.starts_with("ok")
            && l.contains("presented.json")
            && l.contains("2 credentials verified")),
        "{said}"
    );
    // Another challenge: the same presentation is no answer to it.
    verify(&[
        "--challenge",
        "another-challenge",
        &format!("invalid={}", path(&d.join("presented.json"))),
    ]);
}

/// A pathway end to end: a trainer builds a pack of two modules and the pathway over them,
/// the hub's provider issues; a learner passes both modules offline and syncs; the hub issues
/// the milestone at that sync, its evidence naming each part's credential by id and digest.
/// Both verifiers say the milestone is valid, its status read from the hub.
#[test]
fn a_milestone_the_hub_issues_for_a_pathways_parts_verifies_with_both() {
    use skillpack_core::authoring::load_modules;
    use skillpack_core::credential::milestone::credential_digest;
    use skillpack_core::testing::right_answers;

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let hub = Hub::start(d);
    let (url, db) = (hub.url.clone(), hub.db.clone());
    let key = assets().join("keys/demo-publisher.key");
    let public = assets().join("keys/demo-publisher.pub");
    let (key, public) = (key.to_str().unwrap(), public.to_str().unwrap());
    let modules =
        ["safe-riding", "talking-with-customers"].map(|m| assets().join("modules").join(m));
    let pathway = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/pathways/rider-basics");
    ok(
        d,
        &[
            "build",
            modules[0].to_str().unwrap(),
            modules[1].to_str().unwrap(),
            pathway.to_str().unwrap(),
            "--key",
            key,
            "--id",
            "rider-basics-pack",
            "--pack-version",
            "1.0.0",
            "-o",
            "riders.skillpack",
        ],
    );
    ok(d, &["hub", "add-publisher", "--db", &db, public]);
    std::fs::write(
        d.join("issuer.toml"),
        "name = \"Salama Riders Trust\"\ncountry_code = \"KE\"\ncountry = \"Kenya\"\n",
    )
    .unwrap();
    let set_up = ok(
        d,
        &[
            "hub",
            "issuer",
            "--db",
            &db,
            "--publisher",
            public,
            "--issuer",
            "issuer.toml",
            "--hub-url",
            &url,
        ],
    );
    let issuer_did = set_up
        .lines()
        .find_map(|l| l.trim().strip_prefix("issuer key:"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_owned();
    ok(
        d,
        &[
            "issuer",
            "endorse",
            "--key",
            key,
            "--issuer",
            &issuer_did,
            "-o",
            "endorsement.json",
        ],
    );
    ok(
        d,
        &[
            "hub",
            "issuer",
            "--db",
            &db,
            "--endorsement",
            "endorsement.json",
        ],
    );
    ok(
        d,
        &[
            "publish",
            "--hub",
            &url,
            "--key",
            key,
            "riders.skillpack",
            "--group",
            "riders",
        ],
    );
    let code = ok(d, &["hub", "enrol", "--db", &db, "--group", "riders"])
        .trim()
        .to_owned();
    ok(
        d,
        &["device", "init", "--store", "phone", "--trust", public],
    );
    ok(
        d,
        &[
            "device", "register", "--store", "phone", "--hub", &url, "--code", &code,
        ],
    );
    ok(d, &["device", "sync", "--store", "phone"]);
    let portfolio = |d: &Path| -> Value {
        serde_json::from_str(&ok(
            d,
            &["device", "portfolio", "--store", "phone", "--json"],
        ))
        .unwrap()
    };
    for (n, src) in modules.iter().enumerate() {
        let module = load_modules(std::slice::from_ref(src))
            .unwrap()
            .remove(0)
            .compiled
            .module;
        let answers = format!("right-{n}.json");
        std::fs::write(
            d.join(&answers),
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
                &module.id,
                "--answers",
                &answers,
            ],
        );
    }
    // Offline, the phone shows the progress its passes make.
    let offline = portfolio(d);
    let milestone_view = &offline["milestones"][0];
    assert_eq!(milestone_view["id"], "rider-basics");
    assert_eq!(
        (
            milestone_view["passed"].as_u64(),
            milestone_view["required"].as_u64()
        ),
        (Some(2), Some(2))
    );
    assert!(
        milestone_view["credential"].is_null(),
        "not issued before the sync"
    );
    // A milestone is no module to take.
    let refused = common::skillpack(d, &["device", "take", "--store", "phone", "rider-basics"]);
    assert!(!refused.status.success());
    assert!(text(&refused).contains("milestone"), "{}", text(&refused));
    let synced = ok(d, &["device", "sync", "--store", "phone"]);
    assert!(synced.contains("3 new credentials"), "{synced}");

    let synced_view = portfolio(d);
    assert!(
        synced_view["milestones"][0]["credential"].is_string(),
        "{synced_view:#}"
    );
    let kinds: Vec<&str> = synced_view["issuers"][0]["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"milestone") && kinds.contains(&"learning"),
        "{kinds:?}"
    );
    let held: Value = serde_json::from_str(&ok(
        d,
        &["device", "credentials", "--store", "phone", "--json"],
    ))
    .unwrap();
    let held = held.as_array().unwrap();
    let by_module = |m: &str| {
        held.iter().find(|c| c["module"] == m).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let export = |id: &str, out: &str| {
        ok(
            d,
            &[
                "device",
                "credential",
                "export",
                "--store",
                "phone",
                id,
                "-o",
                out,
            ],
        );
        read_json(&d.join(out))
    };
    let milestone = export(&by_module("rider-basics"), "milestone.json");
    let parts = [
        export(&by_module("safe-riding"), "part-1.json"),
        export(&by_module("talking-with-customers"), "part-2.json"),
    ];
    let evidence = milestone["evidence"].as_array().unwrap();
    assert_eq!(evidence.len(), 2, "{milestone:#}");
    for (entry, part) in evidence.iter().zip(&parts) {
        assert_eq!(entry["id"], part["id"]);
        assert_eq!(
            entry["digestMultibase"],
            credential_digest(part).unwrap().as_str()
        );
    }
    verify(&[
        "--hub",
        &url,
        &format!("valid={}", d.join("milestone.json").display()),
    ]);
}
