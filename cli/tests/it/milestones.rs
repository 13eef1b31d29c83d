//! Pathways from the trainer's side: `check` validates one alone and with its modules, a pack
//! whose pathway names a module it lacks is not built, and a trainer issues the milestone
//! offline from the learner's credentials for its parts, which any verifier then checks.

use std::path::Path;

use crate::{assets, ok, skillpack, text};

fn pathway() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../assets/pathways/rider-basics")
        .to_str()
        .unwrap()
        .to_owned()
}

fn module(id: &str) -> String {
    assets()
        .join("modules")
        .join(id)
        .to_str()
        .unwrap()
        .to_owned()
}

#[test]
fn check_validates_a_pathway_and_build_refuses_one_whose_parts_are_missing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let alone = ok(d, &["check", &pathway()]);
    assert!(
        alone.contains("a pathway of 2 parts, 2 required"),
        "{alone}"
    );
    let together = ok(
        d,
        &[
            "check",
            &pathway(),
            &module("safe-riding"),
            &module("talking-with-customers"),
        ],
    );
    assert!(together.contains("ok: a pathway"), "{together}");
    let short = skillpack(d, &["check", &pathway(), &module("safe-riding")]);
    assert!(!short.status.success());
    assert!(
        text(&short).contains("\"talking-with-customers\" is not a module of this pack"),
        "{}",
        text(&short)
    );
    ok(d, &["keys", "new", "--out", "trainer"]);
    let refused = skillpack(
        d,
        &[
            "build",
            &pathway(),
            &module("safe-riding"),
            "--key",
            "trainer.key",
            "--id",
            "riders",
            "--pack-version",
            "1.0.0",
            "-o",
            "riders.skillpack",
        ],
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("talking-with-customers"),
        "{}",
        text(&refused)
    );
    assert!(!d.join("riders.skillpack").exists());
}

#[test]
fn a_trainer_issues_a_milestone_offline_from_the_learners_part_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["keys", "new", "--out", "trainer"]);
    ok(d, &["keys", "new", "--out", "learner"]);
    ok(d, &["keys", "new", "--out", "other"]);
    std::fs::write(
        d.join("issuer.toml"),
        "name = \"Salama Riders Trust\"\ncountry_code = \"KE\"\ncountry = \"Kenya\"\n",
    )
    .unwrap();
    let did = |name: &str| {
        std::fs::read_to_string(d.join(format!("{name}.pub")))
            .unwrap()
            .split_whitespace()
            .find(|w| w.starts_with("did:key:"))
            .unwrap()
            .trim_end_matches(['.', ',', ')'])
            .to_owned()
    };
    let issue = |id: &str, to: &str, out: &str| {
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
                &module(id),
                "--learner",
                to,
                "-o",
                out,
            ],
        );
    };
    issue("safe-riding", &did("learner"), "riding.json");
    issue("talking-with-customers", &did("learner"), "talking.json");
    issue("talking-with-customers", &did("other"), "theirs.json");
    // A part the learner signed themselves, with their own key.
    ok(
        d,
        &[
            "credential",
            "issue",
            "--key",
            "learner.key",
            "--issuer",
            "issuer.toml",
            "--module",
            &module("talking-with-customers"),
            "--learner",
            &did("learner"),
            "-o",
            "self-signed.json",
        ],
    );
    let milestone = |parts: &[&str]| {
        let mut args = vec![
            "credential",
            "issue-milestone",
            "--key",
            "trainer.key",
            "--issuer",
            "issuer.toml",
            "--pathway",
        ];
        let path = pathway();
        args.push(&path);
        for part in parts {
            args.extend(["--part", part]);
        }
        args.extend(["-o", "milestone.json"]);
        skillpack(d, &args)
    };
    let one = milestone(&["riding.json"]);
    assert!(!one.status.success());
    assert!(text(&one).contains("1 of the 2 parts"), "{}", text(&one));
    let mixed = milestone(&["riding.json", "theirs.json"]);
    assert!(!mixed.status.success());
    assert!(
        text(&mixed).contains("the first part is"),
        "{}",
        text(&mixed)
    );
    let forged = milestone(&["riding.json", "self-signed.json"]);
    assert!(!forged.status.success());
    assert!(text(&forged).contains("does not name"), "{}", text(&forged));
    let issued = milestone(&["riding.json", "talking.json"]);
    assert!(issued.status.success(), "{}", text(&issued));
    assert!(
        text(&issued).contains("issued the milestone Rider basics"),
        "{}",
        text(&issued)
    );
    let checked = skillpack(
        d,
        &[
            "credential",
            "verify",
            "--offline",
            "--trust",
            "trainer.pub",
            "milestone.json",
        ],
    );
    // Valid and trusted; its revocation not checked offline (exit 4).
    assert_eq!(checked.status.code(), Some(4), "{}", text(&checked));
    assert!(
        text(&checked).contains("Rider basics"),
        "{}",
        text(&checked)
    );
}
