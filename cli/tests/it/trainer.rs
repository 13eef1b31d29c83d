//! The trainer's commands: keys, check, build, verify, inspect, diff.

use std::path::Path;

use super::{assets, skillpack, text};

fn new_key(dir: &Path, name: &str) -> (String, String) {
    let out = skillpack(
        dir,
        &["keys", "new", "--out", &format!("keys/{name}"), "--json"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["fingerprint"].as_str().unwrap().len(), 29);
    (format!("keys/{name}.key"), format!("keys/{name}.pub"))
}

fn build(dir: &Path, key: &str, module: &str, out: &str) {
    let src = assets().join("modules").join(module);
    let res = skillpack(
        dir,
        &["build", src.to_str().unwrap(), "--key", key, "-o", out],
    );
    assert!(res.status.success(), "{}", text(&res));
}

#[test]
fn keys_new_writes_a_private_secret_and_never_overwrites_it() {
    let dir = tempfile::tempdir().unwrap();
    let (secret, _) = new_key(dir.path(), "ngo");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(&secret))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = skillpack(dir.path(), &["keys", "new", "--out", "keys/ngo"]);
    assert!(!again.status.success(), "must not overwrite a secret key");
}

#[test]
fn build_verify_and_inspect_a_sample_pack() {
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = new_key(dir.path(), "trainer");
    build(dir.path(), &key, "safe-riding", "safe.skillpack");

    let out = skillpack(
        dir.path(),
        &["verify", "safe.skillpack", "--trust", &public],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("(trusted)"));

    let out = skillpack(dir.path(), &["inspect", "safe.skillpack", "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["manifest"]["modules"][0]["id"], "safe-riding");
    let entries = report["manifest"]["entries"].as_array().unwrap();
    assert!(entries
        .iter()
        .any(|e| e["path"] == "safe-riding/lessons/01-pre-ride-check.md"));
}

#[test]
fn verify_fails_with_a_clear_message_on_any_changed_byte() {
    let dir = tempfile::tempdir().unwrap();
    let (key, _) = new_key(dir.path(), "trainer");
    build(dir.path(), &key, "talking-with-customers", "talk.skillpack");
    let original = std::fs::read(dir.path().join("talk.skillpack")).unwrap();
    for (at, expected) in [
        (3, "not a Skillpack pack"),
        (100, "signature does not match"),
        (200, "signature does not match"),
        (original.len() - 10, "is damaged"),
    ] {
        let mut bytes = original.clone();
        bytes[at] ^= 0x04;
        std::fs::write(dir.path().join("bad.skillpack"), bytes).unwrap();
        let out = skillpack(dir.path(), &["verify", "bad.skillpack"]);
        assert!(!out.status.success(), "byte {at} change went unnoticed");
        assert!(text(&out).contains(expected), "byte {at}: {}", text(&out));
    }
    std::fs::write(
        dir.path().join("short.skillpack"),
        &original[..original.len() / 2],
    )
    .unwrap();
    let out = skillpack(dir.path(), &["verify", "short.skillpack"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("truncated"), "{}", text(&out));
}

#[test]
fn verify_with_a_trust_list_refuses_another_publisher() {
    let dir = tempfile::tempdir().unwrap();
    let (key, _) = new_key(dir.path(), "someone");
    let (_, trusted) = new_key(dir.path(), "my-ngo");
    build(dir.path(), &key, "safe-riding", "safe.skillpack");
    let out = skillpack(
        dir.path(),
        &["verify", "safe.skillpack", "--trust", &trusted],
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("untrusted publisher (fingerprint"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_module_with_errors_is_not_built_and_every_error_is_listed() {
    let dir = tempfile::tempdir().unwrap();
    let (key, _) = new_key(dir.path(), "trainer");
    let module = dir.path().join("broken");
    std::fs::create_dir_all(module.join("lessons")).unwrap();
    std::fs::write(module.join("module.toml"), "id = \"broken\"\nversion = \"1\"\ntitle = \"B\"\nlanguage = \"en\"\nminutes = 30\noutcomes = [\"x\"]\n[assessment]\npass_mark = 70\ndraw = 1\n").unwrap();
    std::fs::write(
        module.join("lessons/01-a.md"),
        "# A\n\n![smile](smile.png)\n",
    )
    .unwrap();
    std::fs::write(module.join("questions.toml"), "[[question]]\nid = \"q\"\ntype = \"single\"\nprompt = \"?\"\noptions = [{ text = \"a\" }, { text = \"b\" }]\n").unwrap();
    let out = skillpack(
        dir.path(),
        &["build", "broken", "--key", &key, "-o", "broken.skillpack"],
    );
    let shown = text(&out);
    assert!(!out.status.success());
    for expected in [
        "broken/lessons/01-a.md:3: image \"smile.png\" not found in module folder",
        "broken/module.toml:2: version must look like 1.0.0",
        "broken/module.toml:5: warning: 30 minutes is long",
        "broken/questions.toml:1: question \"q\": a single-choice question needs exactly one correct option",
    ] {
        assert!(shown.contains(expected), "missing {expected:?} in:\n{shown}");
    }
    assert!(!dir.path().join("broken.skillpack").exists());
    assert!(!dir.path().join("broken.skillpack.partial").exists());
    let out = skillpack(dir.path(), &["check", "broken"]);
    assert!(!out.status.success());
}

#[test]
fn diff_reports_what_an_update_downloads() {
    let dir = tempfile::tempdir().unwrap();
    let (key, _) = new_key(dir.path(), "trainer");
    build(dir.path(), &key, "safe-riding", "a.skillpack");
    build(dir.path(), &key, "safe-riding", "b.skillpack");
    let out = skillpack(
        dir.path(),
        &["diff", "a.skillpack", "b.skillpack", "--json"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        d["new_chunks"], 0,
        "an identical rebuild shares every chunk"
    );
    assert!(d["changed"].as_array().unwrap().is_empty());
}

/// Copies a sample module folder into `dir`.
fn copy_module(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_module(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn check_refuses_what_build_refuses_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let (key, _) = new_key(dir.path(), "trainer");
    let module = dir.path().join("riding");
    copy_module(&super::assets().join("modules/safe-riding"), &module);
    let picture = std::fs::read(module.join("images/pre-ride-check.png")).unwrap();
    std::fs::write(module.join("images/aux.png"), &picture).unwrap();
    let long = format!("{}.png", "p".repeat(240));
    std::fs::write(module.join("images").join(&long), &picture).unwrap();
    std::fs::write(
        module.join("lessons/06-extra.md"),
        format!("# Extra\n\n![A check](../images/aux.png)\n\n![A long one](../images/{long})\n"),
    )
    .unwrap();
    std::fs::write(module.join("lessons/07-why?.md"), "# Why\n\nBecause.\n").unwrap();
    std::fs::write(module.join("lessons/08-Twice.md"), "# Twice\n\nOnce.\n").unwrap();
    std::fs::write(module.join("lessons/08-twice.md"), "# Twice\n\nTwice.\n").unwrap();

    let checked = skillpack(dir.path(), &["check", "riding"]);
    let shown = text(&checked);
    assert!(!checked.status.success(), "{shown}");
    for expected in [
        "riding/lessons/06-extra.md:3: \"images/aux.png\" cannot go in a pack",
        "riding/lessons/06-extra.md:5: \"images/pppp",
        "riding/lessons/07-why?.md: \"lessons/07-why?.md\" cannot go in a pack",
        "riding/lessons/08-twice.md: \"lessons/08-twice.md\" differs from \"lessons/08-Twice.md\" only by case",
    ] {
        assert!(shown.contains(expected), "missing {expected:?} in:\n{shown}");
    }
    assert!(!shown.contains(": ok:"), "{shown}");
    let built = skillpack(
        dir.path(),
        &["build", "riding", "--key", &key, "-o", "riding.skillpack"],
    );
    assert!(!built.status.success());
    assert!(
        text(&built).contains("riding/lessons/06-extra.md:3:"),
        "build reports the same: {}",
        text(&built)
    );
}
