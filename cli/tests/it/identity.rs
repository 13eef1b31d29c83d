//! A learner's identity moves to a new phone: exported as an encrypted backup (a file and QR
//! codes), restored on another device, which then registers with the hub under the same
//! learner; a phone that already speaks for its own learner refuses a restore.

use super::{ok, skillpack, skillpack_env, text, Hub};

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
