//! A learner's identity moves to a new phone: exported as an encrypted backup (a file and QR
//! codes), restored on another device, which then registers with the hub under the same
//! learner; a phone that already speaks for its own learner refuses a restore.

use super::{assets, copy_dir, ok, skillpack, skillpack_env, text, Hub};

const PASSPHRASE: (&str, &str) = ("SKILLPACK_PASSPHRASE", "blue kettle market road");

#[test]
fn a_learner_restores_their_identity_on_a_new_phone_and_the_hub_sees_one_learner() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let hub = Hub::start(d);
    let code = ok(
        d,
        &[
            "hub", "enrol", "--db", &hub.db, "--group", "riders", "--uses", "3",
        ],
    )
    .trim()
    .to_owned();
    let register = |phone: &str| {
        ok(
            d,
            &[
                "device", "register", "--store", phone, "--hub", &hub.url, "--code", &code,
            ],
        )
    };

    ok(d, &["device", "init", "--store", "old-phone"]);
    register("old-phone");
    let weak = skillpack_env(
        d,
        &[
            "device",
            "identity",
            "export",
            "--store",
            "old-phone",
            "-o",
            "me.age",
        ],
        &[("SKILLPACK_PASSPHRASE", "short")],
    );
    assert!(!weak.status.success());
    assert!(
        text(&weak).contains("at least 10 characters"),
        "{}",
        text(&weak)
    );
    let export = skillpack_env(
        d,
        &[
            "device",
            "identity",
            "export",
            "--store",
            "old-phone",
            "-o",
            "me.age",
            "--qr",
        ],
        &[PASSPHRASE],
    );
    assert!(export.status.success(), "{}", text(&export));
    let armored = std::fs::read_to_string(d.join("me.age")).unwrap();
    assert!(armored.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
    let codes = std::fs::read_to_string(d.join("me.age.qr.txt")).unwrap();
    assert!(codes.lines().count() >= 2, "{codes}");
    assert!(
        text(&export).contains("QR code 2 of"),
        "drawn in the terminal"
    );
    let again = skillpack_env(
        d,
        &[
            "device",
            "identity",
            "export",
            "--store",
            "old-phone",
            "-o",
            "me.age",
        ],
        &[PASSPHRASE],
    );
    assert!(
        !again.status.success(),
        "an existing backup is never overwritten"
    );

    ok(d, &["device", "init", "--store", "new-phone"]);
    let wrong = skillpack_env(
        d,
        &[
            "device",
            "identity",
            "import",
            "--store",
            "new-phone",
            "me.age",
        ],
        &[("SKILLPACK_PASSPHRASE", "blue kettle market roads")],
    );
    assert!(!wrong.status.success());
    assert!(
        text(&wrong).contains("passphrase does not open"),
        "{}",
        text(&wrong)
    );
    let restored = skillpack_env(
        d,
        &[
            "device",
            "identity",
            "import",
            "--store",
            "new-phone",
            "me.age.qr.txt",
        ],
        &[PASSPHRASE],
    );
    assert!(restored.status.success(), "{}", text(&restored));
    register("new-phone");

    // The hub sees two devices of one learner.
    let learners = ok(d, &["hub", "learners", "--db", &hub.db]);
    let old = learner_of(d, "old-phone");
    assert_eq!(learner_of(d, "new-phone"), old);
    assert_eq!(
        learners.lines().filter(|l| l.contains(&old)).count(),
        2,
        "{learners}"
    );

    // The old phone speaks for its learner at the hub: it cannot take another identity.
    ok(d, &["device", "init", "--store", "third-phone"]);
    let other = skillpack_env(
        d,
        &[
            "device",
            "identity",
            "export",
            "--store",
            "third-phone",
            "-o",
            "other.age",
        ],
        &[PASSPHRASE],
    );
    assert!(other.status.success(), "{}", text(&other));
    let refused = skillpack_env(
        d,
        &[
            "device",
            "identity",
            "import",
            "--store",
            "old-phone",
            "other.age",
        ],
        &[PASSPHRASE],
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("fresh install"),
        "{}",
        text(&refused)
    );
    assert_eq!(learner_of(d, "old-phone"), old);
    assert!(skillpack(d, &["device", "check", "--store", "old-phone"])
        .status
        .success());
}

/// The learner a device speaks for.
fn learner_of(d: &std::path::Path, phone: &str) -> String {
    let out = ok(d, &["device", "identity", "show", "--store", phone]);
    out.lines()
        .find_map(|l| l.strip_prefix("learner "))
        .unwrap_or_else(|| panic!("no learner in {out:?}"))
        .to_owned()
}

/// A learner passes on phone A, backs up her identity, and restores it on phone B: after one
/// sync, B shows the module passed with the same attempts left as A, and holds her credential.
/// An "attempt 1" pushed again from a stale copy of A earns no second credential.
#[test]
fn a_restored_phone_gets_the_learners_history_and_credential_back() {
    use skillpack_core::authoring::load_modules;
    use skillpack_core::testing::right_answers;

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
            "riders",
        ],
    );
    let code = ok(
        d,
        &[
            "hub", "enrol", "--db", &hub.db, "--group", "riders", "--uses", "3",
        ],
    )
    .trim()
    .to_owned();
    let join = |phone: &str| {
        ok(
            d,
            &[
                "device", "register", "--store", phone, "--hub", &hub.url, "--code", &code,
            ],
        )
    };
    ok(
        d,
        &["device", "init", "--store", "phone-a", "--trust", public],
    );
    join("phone-a");
    let again = join("phone-a");
    assert!(
        again.contains("already registered") && again.contains("was not used"),
        "{again}"
    );
    // A group named like "riders" in other letters would be a second, empty group: refused.
    let twin = skillpack(d, &["hub", "enrol", "--db", &hub.db, "--group", "Riders"]);
    assert!(!twin.status.success());
    assert!(
        text(&twin).contains("already a group called riders"),
        "{}",
        text(&twin)
    );
    ok(d, &["device", "sync", "--store", "phone-a"]);
    let module = load_modules(&[src]).unwrap().remove(0).compiled.module;
    std::fs::write(
        d.join("right.json"),
        serde_json::to_vec(&right_answers(&module)).unwrap(),
    )
    .unwrap();
    // A copy of phone A as it was before the learner took the assessment: a stale backup of
    // the whole phone.
    copy_dir(&d.join("phone-a"), &d.join("stale-copy"));
    ok(
        d,
        &[
            "device",
            "take",
            "--store",
            "phone-a",
            "mobile-money-scams",
            "--answers",
            "right.json",
        ],
    );
    let synced = ok(d, &["device", "sync", "--store", "phone-a"]);
    assert!(synced.contains("credential"), "{synced}");
    let catalog_of = |phone: &str| -> serde_json::Value {
        serde_json::from_str(&ok(d, &["device", "catalog", "--store", phone, "--json"])).unwrap()
    };
    let on_a = catalog_of("phone-a");

    let export = skillpack_env(
        d,
        &[
            "device", "identity", "export", "--store", "phone-a", "-o", "me.age",
        ],
        &[PASSPHRASE],
    );
    assert!(export.status.success(), "{}", text(&export));
    ok(
        d,
        &["device", "init", "--store", "phone-b", "--trust", public],
    );
    let restored = skillpack_env(
        d,
        &[
            "device", "identity", "import", "--store", "phone-b", "me.age",
        ],
        &[PASSPHRASE],
    );
    assert!(restored.status.success(), "{}", text(&restored));
    join("phone-b");
    let synced = ok(d, &["device", "sync", "--store", "phone-b"]);
    assert!(
        synced.contains("took back 1 attempt") && synced.contains("credential"),
        "{synced}"
    );
    let on_b = catalog_of("phone-b");
    let scams = |catalog: &serde_json::Value| {
        catalog
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == "mobile-money-scams")
            .cloned()
            .unwrap()
    };
    let (a, b) = (scams(&on_a), scams(&on_b));
    for field in [
        "state",
        "attempts_used",
        "attempts_left",
        "attempts_granted",
    ] {
        assert_eq!(a[field], b[field], "{field}: A {a} B {b}");
    }
    assert_eq!(b["attempts_used"], 1, "{b}");
    let held: serde_json::Value = serde_json::from_str(&ok(
        d,
        &["device", "credentials", "--store", "phone-b", "--json"],
    ))
    .unwrap();
    assert_eq!(held.as_array().unwrap().len(), 1, "{held}");
    // Another sync takes nothing again.
    let again = ok(d, &["device", "sync", "--store", "phone-b"]);
    assert!(!again.contains("took back"), "{again}");

    // The stale copy of phone A takes "attempt 1" again and pushes it: the hub flags the
    // second record with that number from one device, and issues no second credential.
    ok(
        d,
        &[
            "device",
            "take",
            "--store",
            "stale-copy",
            "mobile-money-scams",
            "--answers",
            "right.json",
        ],
    );
    ok(d, &["device", "sync", "--store", "stale-copy"]);
    let credentials = ok(d, &["hub", "credentials", "--db", &hub.db, "--json"]);
    let credentials: serde_json::Value = serde_json::from_str(&credentials).unwrap();
    assert_eq!(credentials.as_array().unwrap().len(), 1, "{credentials}");
    let flags = ok(d, &["hub", "flags", "--db", &hub.db]);
    assert!(flags.contains("fork"), "{flags}");

    // The stale copy is retired; what it sends is refused with the reason, phone B goes on.
    let device = device_of(d, "stale-copy");
    let retired = ok(
        d,
        &[
            "hub",
            "retire-device",
            "--db",
            &hub.db,
            &device,
            "--reason",
            "an old copy",
            "--by",
            "Wanjiru",
        ],
    );
    assert!(retired.contains("retired"), "{retired}");
    // Nothing it carries is taken any more: a bundle it writes is refused at import.
    ok(
        d,
        &[
            "relay",
            "export",
            "--store",
            "stale-copy",
            "-o",
            "stale.bundle",
        ],
    );
    let refused = skillpack(d, &["relay", "import", "--db", &hub.db, "stale.bundle"]);
    assert!(
        !refused.status.success()
            && text(&refused).contains("device_retired")
            && text(&refused).contains("an old copy"),
        "{}",
        text(&refused)
    );
    ok(d, &["device", "sync", "--store", "phone-b"]);
}

/// A new learner joins from the enrolment link on the trainer's code sheet alone: the link
/// names the hub, the code and the group's publisher, so the first sync installs the group's
/// pack with nothing else typed; a link changed to another hub's plain http is refused.
#[test]
fn a_phone_joins_from_the_enrolment_link_alone_and_installs_the_groups_packs() {
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
            "riders",
        ],
    );
    let enrolled = ok(
        d,
        &[
            "hub",
            "enrol",
            "--db",
            &hub.db,
            "--group",
            "riders",
            "--hub-url",
            &hub.url,
        ],
    );
    let link = enrolled
        .lines()
        .find(|l| l.starts_with("skillpack://join?"))
        .unwrap_or_else(|| panic!("{enrolled}"))
        .to_owned();
    let publisher = std::fs::read_to_string(public).unwrap();
    let publisher = publisher.lines().last().unwrap().trim().to_owned();
    assert!(link.contains(&publisher.replace(':', "%3A")), "{link}");

    ok(d, &["device", "init", "--store", "phone"]);
    let forged = link.replace("http%3A%2F%2F127.0.0.1", "http%3A%2F%2Fhub.example.org");
    let refused = skillpack(
        d,
        &["device", "register", "--store", "phone", "--join", &forged],
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("not an https address"),
        "{}",
        text(&refused)
    );
    let joined = ok(
        d,
        &["device", "register", "--store", "phone", "--join", &link],
    );
    assert!(
        joined.contains("trusts publisher 1b98-7b50-11ab-2ab2-a046-a4f0")
            && joined.contains("in group riders"),
        "{joined}"
    );
    let synced = ok(d, &["device", "sync", "--store", "phone"]);
    assert!(synced.contains("mobile-money-scams"), "{synced}");
    let catalog = ok(d, &["device", "catalog", "--store", "phone"]);
    assert!(catalog.contains("mobile-money-scams"), "{catalog}");
}

/// The device key a phone signs with.
fn device_of(d: &std::path::Path, phone: &str) -> String {
    let out = ok(d, &["device", "identity", "show", "--store", phone]);
    out.lines()
        .find_map(|l| l.strip_prefix("device "))
        .unwrap_or_else(|| panic!("no device in {out:?}"))
        .trim()
        .to_owned()
}
