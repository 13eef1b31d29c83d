//! `skillpack demo`, the README's main command, run as a user runs it: the whole journey
//! prints its steps in order, leaves no hub answering and no files behind, and with `--keep`
//! leaves a hub database and a device store that agree on the learner's result.

use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use base64::Engine;
use skillpack_core::store::Store;
use skillpack_hub::storage::ResultQuery;
use skillpack_hub::HubDb;

use super::{assets, skillpack_env, text};

/// The titles of the demo's steps, in order.
const STEPS: &[&str] = &[
    "1. The trainer builds a signed pack of each sample module",
    "2. An operator sets up a hub",
    "3. The hub starts on this computer",
    "4. The trainer sets up credentials for the provider (skillpack hub issuer)",
    "5. The trainer publishes the packs to the hub, over the network",
    "6. A learner sets up the app on a phone",
    "7. The phone joins the trainer's group with the enrolment code",
    "8. The phone syncs: it downloads and installs the packs",
    "9. The phone loses its connection",
    "10. Offline, the learner reads a lesson",
    "11. Offline, the learner takes the assessment",
    "12. The phone tries to sync, with no connection",
    "13. The connection is back: the phone syncs again",
    "14. What the trainer sees (skillpack hub results)",
    "15. The learner's credential: an Open Badges 3.0 credential on the phone",
    "16. The demo stops the hub",
];

/// Runs `skillpack demo` with `extra` arguments in `dir`, its temporary files under `tmp`.
fn demo(dir: &Path, tmp: &Path, extra: &[&str]) -> Output {
    let assets = assets();
    let mut args = vec!["demo", "--assets", assets.to_str().unwrap()];
    args.extend_from_slice(extra);
    skillpack_env(dir, &args, &[("TMPDIR", tmp.to_str().unwrap())])
}

/// Checks that every step was printed, in order, and gives the hub's address.
fn steps_in_order(shown: &str) -> SocketAddr {
    let mut from = 0;
    for step in STEPS {
        let at = shown[from..]
            .find(step)
            .unwrap_or_else(|| panic!("{step:?} missing or out of order in:\n{shown}"));
        from += at + step.len();
    }
    let url = shown
        .split("it listens on http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no hub address in:\n{shown}"));
    url.parse().unwrap()
}

/// Nothing answers at `address` any more.
fn nothing_listens(address: SocketAddr) {
    let connected = TcpStream::connect_timeout(&address, Duration::from_secs(2));
    assert!(connected.is_err(), "something still listens on {address}");
}

#[test]
fn demo_runs_the_whole_journey_and_leaves_nothing_behind() {
    let (dir, tmp) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let out = demo(dir.path(), tmp.path(), &[]);
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    let address = steps_in_order(&shown);
    for line in [
        "all 8 packs check out against the demo publisher's key",
        "after the trainer edits one lesson, an update downloads",
        "a copy with one byte changed is refused",
        "8 packs uploaded",
        "installed mobile-money-scams 1.0.0",
        "of mobile data used (the packs with full pictures would take",
        "passed (the pass mark is 70%)",
        "no connection: nothing is lost; 1 result waiting on the phone",
        "1 result sent and acknowledged by the hub; 0 waiting",
        "mobile-money-scams       attempt 1 8/8 passed did:key:",
        "in words: the learner passed the mobile-money-scams assessment",
        "no longer answers",
        "The demo's files are removed",
    ] {
        assert!(shown.contains(line), "{line:?} missing in:\n{shown}");
    }
    nothing_listens(address);
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "the demo left {left:?}");
    let made: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(made.is_empty(), "the demo wrote {made:?} where it ran");
}

#[test]
fn demo_keep_leaves_a_hub_and_a_device_that_agree_on_the_result() {
    let (dir, tmp) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let kept = dir.path().join("kept");
    let out = demo(dir.path(), tmp.path(), &["--keep", kept.to_str().unwrap()]);
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    nothing_listens(steps_in_order(&shown));
    assert!(shown.contains(&format!(
        "Everything the demo made is in {}",
        kept.display()
    )));
    assert!(kept
        .join("packs/mobile-money-scams-low.skillpack")
        .is_file());

    let store = Store::open(&kept.join("device")).unwrap();
    let records = store.records().unwrap();
    assert_eq!(records.len(), 1, "one result on the device");
    assert!(
        store.outbox().unwrap().is_empty(),
        "the hub acknowledged it"
    );
    let on_device = &records[0].record;
    assert!(on_device.passed);

    let db = format!("sqlite://{}", kept.join("hub.db").display());
    let at_hub = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let hub = HubDb::open_existing(&db, None).await.unwrap();
        hub.results(ResultQuery::everything()).await.unwrap()
    });
    assert_eq!(at_hub.len(), 1, "one result at the hub");
    assert_eq!(
        at_hub[0].record, records[0],
        "the very record the device signed"
    );
    assert_eq!(at_hub[0].group, "demo");
    assert_eq!(on_device.module, "mobile-money-scams");
    assert_eq!(on_device.learner, store.learner_did());

    the_kept_credential_is_the_learners_and_verifies_anywhere(&kept, &store, &records[0]);
}

/// The credential `--keep` leaves: the learner's, for the passing record, verified offline by
/// the core and by `skillpack credential verify` from its file and from its QR code's PNG,
/// stating the micro-credential elements, and valid under the Open Badges 3.0 JSON Schema.
fn the_kept_credential_is_the_learners_and_verifies_anywhere(
    kept: &Path,
    store: &Store,
    record: &skillpack_core::ledger::SignedRecord,
) {
    use skillpack_core::credential::{self, Contexts};

    let file = kept.join("credential.json");
    let credential: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let verified = credential::verify(
        &credential,
        &store.trusted_issuers().unwrap(),
        chrono::Utc::now(),
        credential::CLOCK_TOLERANCE,
        Contexts::bundled(),
    )
    .unwrap();
    assert!(verified.trusted_issuer, "endorsed by the demo publisher");
    assert_eq!(verified.subject, store.learner_did());
    let evidence = credential["evidence"][0]["id"].as_str().unwrap();
    assert_eq!(evidence, format!("urn:uuid:{}", record.record.id));
    // The record's SHA-256, as VC 2.0 writes a digest: u, then base64url of the multihash.
    let mut multihash = vec![0x12, 0x20];
    multihash.extend_from_slice(&record.hash().unwrap().0);
    assert_eq!(
        credential["evidence"][0]["digestMultibase"],
        format!(
            "u{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(multihash)
        )
    );

    // The elements of the 2022 Council Recommendation a reader looks for.
    let achievement = &credential["credentialSubject"]["achievement"];
    assert_eq!(credential["issuer"]["address"]["addressCountryCode"], "KE");
    assert_eq!(credential["issuer"]["name"], "Salama Riders Trust");
    assert_eq!(achievement["name"], "Spotting mobile-money scams");
    for element in [
        "criteria",
        "volumeOfLearning",
        "provenBy",
        "mode",
        "additionalNote",
        "inLanguage",
    ] {
        assert!(achievement.get(element).is_some(), "{element} missing");
    }
    assert!(credential.get("validFrom").is_some());
    assert!(credential.get("credentialStatus").is_some());
    // Only published contexts and an inline map to published vocabularies: nothing a
    // verifier elsewhere would have to load from us.
    assert!(
        !credential.to_string().contains("skillpack.example"),
        "a placeholder name in the credential"
    );

    let schema: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../core/tests/vectors/ob3/ob_v3p0_achievementcredential_schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft201909)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&credential)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert_eq!(errors, Vec::<String>::new());

    for how in [vec!["credential.json"], vec!["--qr", "credential.png"]] {
        let mut args = vec![
            "credential",
            "verify",
            "--offline",
            "--json",
            "--trust",
            &verified.issuer,
        ];
        args.extend(how.iter().copied());
        let out = super::skillpack(kept, &args);
        // Valid; offline, revocation is not checked, and the exit code says so.
        assert_eq!(out.status.code(), Some(4), "{how:?}: {}", text(&out));
        let said: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(said["valid"], true);
        assert_eq!(said["learner"], store.learner_did());
        assert_eq!(said["trusted_issuer"], true, "the issuer's did:key given");
        assert_eq!(said["revocation"], "not checked (offline)");
    }
}

#[test]
fn demo_keep_refuses_a_folder_that_holds_anything() {
    let (dir, tmp) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let out = demo(dir.path(), tmp.path(), &["--keep", "."]);
    assert!(!out.status.success());
    assert!(text(&out).contains("is not empty"), "{}", text(&out));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn demo_without_its_assets_says_where_they_are_looked_for() {
    let (dir, tmp) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let out = skillpack_env(
        dir.path(),
        &["demo", "--assets", "no-such-folder"],
        &[("TMPDIR", tmp.path().to_str().unwrap())],
    );
    assert!(!out.status.success());
    let shown = text(&out);
    assert!(shown.contains("sample assets not found"), "{shown}");
    assert!(shown.contains("--assets DIR"), "{shown}");

    std::fs::create_dir_all(dir.path().join("keyless/modules")).unwrap();
    let out = skillpack_env(
        dir.path(),
        &["demo", "--assets", "keyless"],
        &[("TMPDIR", tmp.path().to_str().unwrap())],
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("reading the demo publisher's key"),
        "{}",
        text(&out)
    );
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}
