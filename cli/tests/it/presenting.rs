//! A worker shows credentials to a new client: the client's device gives a challenge, the
//! worker's device signs a presentation of the credentials the worker chose, and the client's
//! device checks it offline. A replayed presentation, a changed byte and a credential of
//! someone else are refused, each with its reason.

use std::path::Path;

use serde_json::Value;
use skillpack_core::keys::SecretKey;
use skillpack_core::store::KeyStore;

use crate::{ok, skillpack, text};

/// A trainer's key pair and issuer description in `d`.
fn trainer(d: &Path) {
    ok(d, &["keys", "new", "--out", "trainer"]);
    std::fs::write(
        d.join("issuer.toml"),
        "name = \"Salama Riders Trust\"\ncountry_code = \"KE\"\ncountry = \"Kenya\"\n",
    )
    .unwrap();
}

/// A device in `d/store` trusting the trainer; its learner's did:key.
fn device(d: &Path, store: &str) -> String {
    let init = ok(
        d,
        &["device", "init", "--store", store, "--trust", "trainer.pub"],
    );
    init.split_whitespace()
        .find(|w| w.starts_with("did:key:"))
        .unwrap()
        .to_owned()
}

/// The trainer's credential for the sample module `module`, to `learner`, written to `out`.
fn issue(d: &Path, module: &str, learner: &str, out: &str) {
    let module = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../assets/modules")
        .join(module);
    ok(
        d,
        &[
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
        ],
    );
}

/// Keeps the credential file `file` on the device `store`; its id.
fn keep(d: &Path, store: &str, file: &str) -> String {
    ok(d, &["device", "credential", "add", "--store", store, file]);
    let credential: Value = serde_json::from_slice(&std::fs::read(d.join(file)).unwrap()).unwrap();
    credential["id"].as_str().unwrap().to_owned()
}

fn challenge(d: &Path) -> String {
    ok(
        d,
        &["device", "presentation", "challenge", "--store", "client"],
    )
    .trim()
    .to_owned()
}

/// `device presentation verify` on the client: its exit status and JSON.
fn verify(d: &Path, file: &str) -> (bool, Value) {
    let out = skillpack(
        d,
        &[
            "device",
            "presentation",
            "verify",
            "--store",
            "client",
            file,
            "--json",
        ],
    );
    let json: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", text(&out)));
    (out.status.success(), json)
}

#[test]
fn a_client_checks_a_workers_presentation_offline_once_and_refuses_changes_and_others_credentials()
{
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    trainer(d);
    let worker = device(d, "phone");
    device(d, "client");
    issue(d, "safe-riding", &worker, "riding.json");
    issue(d, "talking-with-customers", &worker, "talking.json");
    let riding = keep(d, "phone", "riding.json");
    let talking = keep(d, "phone", "talking.json");
    let record = work_record(d, &worker);

    // The worker's own view: learning credentials from the trusted trainer, the work record
    // and its review from a platform the phone does not know.
    let view: Value = serde_json::from_str(&ok(
        d,
        &["device", "portfolio", "--store", "phone", "--json"],
    ))
    .unwrap();
    let groups = view["issuers"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "{view:#}");
    assert_eq!(groups[0]["issuerName"], "Salama Riders Trust");
    assert_eq!(groups[0]["trusted"], true);
    assert_eq!(groups[1]["issuerName"], "Haraka Deliveries");
    let mut kinds: Vec<&str> = groups[1]["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["client-review", "work-record"]);
    let words = ok(d, &["device", "portfolio", "--store", "phone"]);
    assert!(
        words.contains("[work-record] Food delivery rider"),
        "{words}"
    );

    let asked = challenge(d);
    let made = ok(
        d,
        &[
            "device",
            "presentation",
            "make",
            "--store",
            "phone",
            "--credential",
            &riding,
            "--credential",
            &talking,
            "--credential",
            &record,
            "--challenge",
            &asked,
            "-o",
            "shown.json",
        ],
    );
    assert!(made.contains("3 credentials"), "{made}");
    let (valid, check) = verify(d, "shown.json");
    assert!(valid, "{check}");
    assert_eq!(check["holder"], worker.as_str());
    assert_eq!(check["answersChallenge"], true);
    let names: Vec<&str> = check["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["achievement"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Safe riding for delivery workers",
            "Talking with customers",
            "Food delivery rider"
        ]
    );
    let credentials = check["credentials"].as_array().unwrap();
    for learning in &credentials[..2] {
        assert_eq!(learning["trustedIssuer"], true, "{learning}");
        assert_eq!(learning["issuerName"], "Salama Riders Trust");
    }
    // The client has not said it trusts the platform: valid, from an issuer it does not know.
    assert_eq!(credentials[2]["issuerName"], "Haraka Deliveries");
    assert_eq!(credentials[2]["trustedIssuer"], false);

    // The same presentation again: its challenge is used up.
    let (valid, check) = verify(d, "shown.json");
    assert!(!valid);
    assert!(
        check["problem"].as_str().unwrap().contains("replay"),
        "{check}"
    );
    // And in words, without --json.
    let out = skillpack(
        d,
        &[
            "device",
            "presentation",
            "verify",
            "--store",
            "client",
            "shown.json",
        ],
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("NOT VALID"), "{}", text(&out));

    // One byte changed in a fresh presentation: the worker's signature no longer holds.
    let asked = challenge(d);
    ok(
        d,
        &[
            "device",
            "presentation",
            "make",
            "--store",
            "phone",
            "--credential",
            &riding,
            "--challenge",
            &asked,
            "-o",
            "fresh.json",
        ],
    );
    let fresh = std::fs::read_to_string(d.join("fresh.json")).unwrap();
    assert!(fresh.contains("Safe riding"));
    std::fs::write(
        d.join("changed.json"),
        fresh.replacen("Safe riding", "Safe ridinG", 1),
    )
    .unwrap();
    let (valid, check) = verify(d, "changed.json");
    assert!(!valid);
    assert!(
        check["problem"].as_str().unwrap().contains("signature"),
        "{check}"
    );
    // The unchanged one still answers its challenge: a refused copy did not use it up.
    assert!(verify(d, "fresh.json").0);

    // Across a table: the summary of four credentials in one QR code, scanned first; the
    // full presentation follows as a file and must be the one announced.
    let review = view["issuers"][1]["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "client-review")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let asked = challenge(d);
    let four = [&riding, &talking, &record, &review];
    let mut args = vec!["device", "presentation", "make", "--store", "phone"];
    for id in four {
        args.extend(["--credential", id.as_str()]);
    }
    args.extend([
        "--challenge",
        &asked,
        "-o",
        "four.json",
        "--summary-qr",
        "summary.png",
    ]);
    let made = ok(d, &args);
    let version: u32 = made
        .split("QR version ")
        .nth(1)
        .and_then(|v| v.split(',').next())
        .unwrap()
        .parse()
        .unwrap();
    println!("a summary of four credentials: {made}");
    assert!(
        version <= 15,
        "one code a phone's camera reads at arm's length: {made}"
    );
    let summary_check = |file: &str, summary: &str| {
        let out = skillpack(
            d,
            &[
                "device",
                "presentation",
                "verify",
                "--store",
                "client",
                file,
                "--summary",
                summary,
                "--json",
            ],
        );
        let json: Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", text(&out)));
        (out.status.success(), json)
    };
    // Another presentation than the one announced is refused, and uses up nothing.
    ok(
        d,
        &[
            "device",
            "presentation",
            "make",
            "--store",
            "phone",
            "--credential",
            &riding,
            "--challenge",
            &asked,
            "-o",
            "other.json",
        ],
    );
    let (valid, check) = summary_check("other.json", "summary.png");
    assert!(!valid);
    assert!(
        check["problem"].as_str().unwrap().contains("differ"),
        "{check}"
    );
    let (valid, check) = summary_check("four.json", "summary.png");
    assert!(valid, "{check}");
    assert_eq!(check["credentials"].as_array().unwrap().len(), 4);

    // Someone else's credential: the worker's phone will not keep or present it, and a
    // presentation signed by the worker's key around it (another program's doing) is refused.
    let other = device(d, "other");
    issue(d, "safe-riding", &other, "theirs.json");
    let refused = skillpack(
        d,
        &[
            "device",
            "credential",
            "add",
            "--store",
            "phone",
            "theirs.json",
        ],
    );
    assert!(!refused.status.success());
    let theirs: Value =
        serde_json::from_slice(&std::fs::read(d.join("theirs.json")).unwrap()).unwrap();
    let mine: Value =
        serde_json::from_slice(&std::fs::read(d.join("riding.json")).unwrap()).unwrap();
    let asked = challenge(d);
    let forged = skillpack_core::testing::presentation_of_anything(
        &learner_key(&d.join("phone")),
        &[mine, theirs],
        &asked,
    );
    std::fs::write(d.join("forged.json"), forged.to_string()).unwrap();
    let (valid, check) = verify(d, "forged.json");
    assert!(!valid);
    let problem = check["problem"].as_str().unwrap();
    assert!(
        problem.contains(&other) && problem.contains("not the holder"),
        "{problem}"
    );
}

/// A platform's export of one worker's record, as a CSV.
const RECORDS_CSV: &str = "worker,occupation,occupation_name,start,end,tasks,rating,rating_min,rating_max,ratings_count
WORKER,http://data.europa.eu/esco/occupation/e9c8a1f1-0b6d-4ae1-9f6b-6c3a4d1f2b7e,Food delivery rider,2026-01-01,2026-06-30,1250,4.8,1,5,310
";

/// The platform's key and description in `d`.
fn platform(d: &Path) {
    ok(d, &["keys", "new", "--out", "platform"]);
    std::fs::write(
        d.join("platform.toml"),
        "name = \"Haraka Deliveries\"\ncountry_code = \"KE\"\ncountry = \"Kenya\"\n",
    )
    .unwrap();
}

/// The platform issues `worker` a work record from its CSV, with a review beside it; the
/// worker's phone keeps both. The record's id.
fn work_record(d: &Path, worker: &str) -> String {
    platform(d);
    std::fs::write(d.join("records.csv"), RECORDS_CSV.replace("WORKER", worker)).unwrap();
    std::fs::write(
        d.join("reviews.csv"),
        format!("worker,date,text,rating\n{worker},2026-03-04,\"Came early, food still hot.\",5\n"),
    )
    .unwrap();
    let issued = ok(
        d,
        &[
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
            "records",
        ],
    );
    assert!(
        issued.contains("issued 2 credentials for 1 worker record"),
        "{issued}"
    );
    let mut files: Vec<String> = std::fs::read_dir(d.join("records"))
        .unwrap()
        .map(|e| format!("records/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    files.sort();
    assert!(files[0].ends_with("-record.json") && files[1].ends_with("-review-1.json"));
    let review = keep(d, "phone", &files[1]);
    assert!(review.starts_with("urn:uuid:"));
    keep(d, "phone", &files[0])
}

#[test]
fn a_platforms_export_with_a_wrong_row_issues_nothing_and_a_did_web_platform_gets_its_document() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    trainer(d);
    let worker = device(d, "phone");
    platform(d);
    let good = RECORDS_CSV.replace("WORKER", &worker);
    let wrong_scale = format!(
        "{good}{worker},http://data.europa.eu/esco/occupation/e9c8a1f1-0b6d-4ae1-9f6b-6c3a4d1f2b7e,Rider,2026-01-01,2026-06-30,3,9,1,5,\n"
    );
    std::fs::write(d.join("wrong.csv"), wrong_scale).unwrap();
    let args = |records: &'static str, out: &'static str| {
        vec![
            "credential",
            "issue-work-record",
            "--key",
            "platform.key",
            "--issuer",
            "platform.toml",
            "--records",
            records,
            "-o",
            out,
        ]
    };
    let refused = skillpack(d, &args("wrong.csv", "none"));
    assert!(!refused.status.success());
    let said = text(&refused);
    assert!(
        said.contains("record 2") && said.contains("not on the scale"),
        "{said}"
    );
    assert!(!d.join("none").exists(), "nothing written");

    std::fs::write(d.join("records.csv"), good).unwrap();
    let mut web = args("records.csv", "web");
    web.extend(["--did-web", "did:web:haraka.example"]);
    let issued = ok(d, &web);
    assert!(
        issued.contains("https://haraka.example/.well-known/did.json"),
        "{issued}"
    );
    let document: Value =
        serde_json::from_slice(&std::fs::read(d.join("web/did.json")).unwrap()).unwrap();
    assert_eq!(document["id"], "did:web:haraka.example");
    let record = std::fs::read_dir(d.join("web"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("-record.json"))
        .unwrap();
    let verified = skillpack(
        d,
        &[
            "credential",
            "verify",
            "--offline",
            "--controller",
            "web/did.json",
            record.to_str().unwrap(),
        ],
    );
    // Valid, its revocation not checked (exit 4): a work record names no status list.
    let said = text(&verified);
    assert_eq!(verified.status.code(), Some(4), "{said}");
    assert!(
        said.contains("issued by Haraka Deliveries (did:web:haraka.example)"),
        "{said}"
    );
}

/// The learner key a device keeps in its store folder.
fn learner_key(store: &Path) -> SecretKey {
    let keys = store.join(skillpack_core::store::KEYS_DIR);
    let name = std::fs::read_dir(&keys)
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .find_map(|f| {
            f.strip_suffix(".key")
                .filter(|n| n.starts_with("learner"))
                .map(str::to_owned)
        })
        .unwrap();
    skillpack_core::store::FileKeyStore::new(keys)
        .load(&name)
        .unwrap()
        .unwrap()
}
