//! The trainer's commands: keys, check, build, verify (which holds modules to what a device
//! installs), inspect, diff.

use std::path::Path;

use super::{assets, copy_dir, skillpack, text};

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
fn verify_refuses_a_signed_pack_whose_module_no_device_would_install() {
    use skillpack_core::pack::{PackInfo, Variant};
    use skillpack_core::testing::{module_files, pack_with, publisher_key};
    let dir = tempfile::tempdir().unwrap();
    let info = PackInfo {
        id: "fixture".into(),
        version: "1.0.0".into(),
        variant: Variant::Text,
    };
    let unsound = pack_with(
        &[module_files("bike-check")],
        info,
        |m| m.assessment.draw = 99,
        &publisher_key(),
    );
    std::fs::write(dir.path().join("unsound.skillpack"), unsound).unwrap();
    let out = skillpack(dir.path(), &["verify", "unsound.skillpack"]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("module bike-check cannot be installed: "),
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

#[test]
fn check_refuses_what_build_refuses_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let (key, _) = new_key(dir.path(), "trainer");
    let module = dir.path().join("riding");
    copy_dir(&super::assets().join("modules/safe-riding"), &module);
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

/// Twenty-four text modules made from the samples, each with a paragraph of its own: enough
/// text for a build to train a shared dictionary.
fn many_modules(dir: &Path) -> Vec<String> {
    let words = [
        "brake", "helmet", "customer", "road", "light", "money", "phone", "order",
    ];
    let mut seed = 7u64;
    let mut folders = Vec::new();
    for base in ["safe-riding", "talking-with-customers"] {
        for i in 0..12 {
            let id = format!("{base}-{i}");
            let folder = dir.join("modules").join(&id);
            std::fs::create_dir_all(&folder).unwrap();
            copy_dir(&assets().join("modules").join(base), &folder);
            let toml = std::fs::read_to_string(folder.join("module.toml")).unwrap();
            let toml = toml.replacen(&format!("id = \"{base}\""), &format!("id = \"{id}\""), 1);
            std::fs::write(folder.join("module.toml"), toml).unwrap();
            for lesson in std::fs::read_dir(folder.join("lessons")).unwrap() {
                let path = lesson.unwrap().path();
                let mut text = std::fs::read_to_string(&path).unwrap();
                text.push_str("\n\n");
                for _ in 0..300 {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    text.push_str(words[(seed >> 33) as usize % words.len()]);
                    text.push(' ');
                }
                text.push('\n');
                std::fs::write(&path, text).unwrap();
            }
            folders.push(folder.to_str().unwrap().to_owned());
        }
    }
    folders
}

fn build_bundle(
    dir: &Path,
    key: &str,
    folders: &[String],
    version: &str,
    out: &str,
) -> std::process::Output {
    let mut args = vec!["build", "--key", key, "--variant", "text", "--id", "bundle"];
    args.extend(["--pack-version", version, "-o", out]);
    args.extend(folders.iter().map(String::as_str));
    let res = skillpack(dir, &args);
    assert!(res.status.success(), "{}", text(&res));
    res
}

#[test]
fn a_new_version_built_over_the_previous_one_reuses_its_dictionary_and_otherwise_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (key, _) = new_key(dir.path(), "trainer");
    let folders = many_modules(dir.path());
    build_bundle(dir.path(), &key, &folders, "1.0.0", "bundle.skillpack");
    std::fs::copy(
        dir.path().join("bundle.skillpack"),
        dir.path().join("v1.skillpack"),
    )
    .unwrap();
    let lesson = Path::new(&folders[3]).join("lessons/01-pre-ride-check.md");
    let edited = std::fs::read_to_string(&lesson)
        .unwrap()
        .replace("brake", "brakes");
    std::fs::write(&lesson, edited).unwrap();

    let over = build_bundle(dir.path(), &key, &folders, "1.0.1", "bundle.skillpack");
    assert!(
        String::from_utf8_lossy(&over.stdout)
            .contains("text dictionary reused from bundle.skillpack"),
        "{}",
        text(&over)
    );
    let diff = skillpack(
        dir.path(),
        &["diff", "v1.skillpack", "bundle.skillpack", "--json"],
    );
    let d: serde_json::Value = serde_json::from_slice(&diff.stdout).unwrap();
    assert_eq!(d["new_chunks"], 1, "only the edited module's text: {d}");
    assert_eq!(
        d["changed"],
        serde_json::json!(["safe-riding-3/lessons/01-pre-ride-check.md"])
    );

    let fresh = build_bundle(dir.path(), &key, &folders, "1.0.1", "fresh.skillpack");
    assert!(
        String::from_utf8_lossy(&fresh.stderr).contains("a new text dictionary was trained"),
        "{}",
        text(&fresh)
    );
    let diff = skillpack(
        dir.path(),
        &["diff", "v1.skillpack", "fresh.skillpack", "--json"],
    );
    let d: serde_json::Value = serde_json::from_slice(&diff.stdout).unwrap();
    assert!(
        d["new_chunks"].as_u64().unwrap() > 20,
        "every text chunk is new: {d}"
    );
}
