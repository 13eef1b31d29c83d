//! Another attempt for a learner who used all of theirs, end to end as real processes over
//! loopback: the learner fails the one attempt a module allows and syncs; the trainer grants
//! another (refused until something can sign it, then signed with the provider's issuer key);
//! at the next sync, with nothing to send, the device takes the grant, tells the learner who
//! gave it, and the learner may try again; once they pass, no more is granted.

use super::{assets, ok, skillpack, text, Hub};

const MODULE: &str = r#"id = "one-try"
version = "1.0.0"
title = "One try only"
language = "en"
minutes = 5
outcomes = ["Answer one question"]

[assessment]
pass_mark = 100
draw = 1
attempts = 1
cooldown_minutes = 0

[quality_assurance]
description = "Checked by two trainers."
"#;

const BANK: &str = r#"[[question]]
id = "helmet"
type = "true-false"
prompt = "A helmet protects your head."
answer = true
explanation = "It does."
"#;

#[test]
fn a_trainers_grant_reaches_the_learner_at_the_next_sync_and_opens_another_attempt() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let hub = Hub::start(d);
    let (url, db) = (hub.url.clone(), hub.db.clone());
    let (key, public) = (
        assets().join("keys/demo-publisher.key"),
        assets().join("keys/demo-publisher.pub"),
    );
    let (key, public) = (key.to_str().unwrap(), public.to_str().unwrap());
    let src = d.join("one-try");
    std::fs::create_dir_all(src.join("lessons")).unwrap();
    std::fs::write(src.join("module.toml"), MODULE).unwrap();
    std::fs::write(src.join("questions.toml"), BANK).unwrap();
    std::fs::write(src.join("lessons/01-helmet.md"), "# Helmet\n\nWear it.\n").unwrap();
    ok(
        d,
        &[
            "build",
            src.to_str().unwrap(),
            "--key",
            key,
            "-o",
            "one.skillpack",
        ],
    );
    ok(d, &["hub", "add-publisher", "--db", &db, public]);
    ok(
        d,
        &[
            "publish",
            "--hub",
            &url,
            "--key",
            key,
            "--group",
            "riders",
            "one.skillpack",
        ],
    );
    let code = ok(d, &["hub", "enrol", "--db", &db, "--group", "riders"])
        .trim()
        .to_owned();
    ok(
        d,
        &[
            "device", "init", "--store", "phone", "--trust", public, "--name", "Baraka",
        ],
    );
    ok(
        d,
        &[
            "device", "register", "--store", "phone", "--hub", &url, "--code", &code,
        ],
    );
    ok(d, &["device", "sync", "--store", "phone"]);
    std::fs::write(d.join("wrong.json"), r#"{"helmet": false}"#).unwrap();
    let take = [
        "device",
        "take",
        "--store",
        "phone",
        "one-try",
        "--answers",
        "wrong.json",
    ];
    ok(d, &take);
    ok(d, &["device", "sync", "--store", "phone"]);
    let again = skillpack(d, &take);
    assert!(!again.status.success());
    assert!(
        text(&again).contains("attempts allowed have been used"),
        "{}",
        text(&again)
    );

    let learners = ok(d, &["hub", "learners", "--db", &db]);
    let learner = learners
        .lines()
        .find(|l| l.contains("Baraka"))
        .and_then(|l| l.split_whitespace().find(|w| w.starts_with("did:key:")))
        .expect("the learner's key")
        .to_owned();
    let grant = |more: &[&str]| {
        let mut args = vec![
            "hub",
            "grant",
            "--db",
            &db,
            "--learner",
            &learner,
            "--module",
            "one-try",
            "--by",
            "Wanjiru",
        ];
        args.extend_from_slice(more);
        skillpack(d, &args)
    };

    // Nothing can sign yet: the provider has no issuer here, and no key was given.
    let refused = grant(&[]);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("no issuer on this hub"),
        "{}",
        text(&refused)
    );
    // Another publisher's key cannot sign for this module.
    let stranger = assets().join("keys/demo-assessor.key");
    let refused = grant(&["--key", stranger.to_str().unwrap()]);
    assert!(
        text(&refused).contains("not the publisher"),
        "{}",
        text(&refused)
    );
    // A module the learner never tried is not granted.
    let never = skillpack(
        d,
        &[
            "hub",
            "grant",
            "--db",
            &db,
            "--learner",
            &learner,
            "--module",
            "other",
            "--by",
            "W",
        ],
    );
    assert!(text(&never).contains("holds no result"), "{}", text(&never));

    let issuer = assets().join("issuer.toml");
    ok(
        d,
        &[
            "hub",
            "issuer",
            "--db",
            &db,
            "--key",
            key,
            "--issuer",
            issuer.to_str().unwrap(),
            "--hub-url",
            &url,
        ],
    );
    let granted = grant(&[]);
    assert!(granted.status.success(), "{}", text(&granted));
    assert!(
        text(&granted).contains("1 more attempt at one-try"),
        "{}",
        text(&granted)
    );
    assert!(ok(d, &["hub", "audit", "--db", &db]).contains("grant_attempts"));
    // More grants than one answer carries (20): a sync takes them all.
    for _ in 1..GRANTS {
        let granted = grant(&[]);
        assert!(granted.status.success(), "{}", text(&granted));
    }

    // Nothing is waiting to be sent, yet the sync asks, and brings every grant.
    let synced = ok(d, &["device", "sync", "--store", "phone"]);
    assert_eq!(
        synced
            .matches("Wanjiru gave you 1 more attempt at one-try")
            .count(),
        GRANTS,
        "{synced}"
    );
    let catalog = ok(d, &["device", "catalog", "--store", "phone"]);
    assert!(
        catalog.contains(&format!("attempts 1 (+{GRANTS} granted)")),
        "{catalog}"
    );
    std::fs::write(d.join("right.json"), r#"{"helmet": true}"#).unwrap();
    let passed = ok(
        d,
        &[
            "device",
            "take",
            "--store",
            "phone",
            "one-try",
            "--answers",
            "right.json",
        ],
    );
    assert!(passed.to_lowercase().contains("pass"), "{passed}");
    // Taken once: another sync brings nothing more.
    let synced = ok(d, &["device", "sync", "--store", "phone"]);
    assert!(!synced.contains("gave you"), "{synced}");
    // Passed now: the command line refuses more attempts at it, as the web page does.
    let after_pass = grant(&[]);
    assert!(!after_pass.status.success());
    assert!(
        text(&after_pass).contains("the learner passed module one-try"),
        "{}",
        text(&after_pass)
    );
    assert_eq!(
        ok(d, &["hub", "audit", "--db", &db])
            .matches("grant_attempts")
            .count(),
        GRANTS,
        "nothing more was granted"
    );
}

/// Grants the trainer gives before the learner's next sync.
const GRANTS: usize = 25;
