//! Helpers every test target of the `skillpack` binary shares: run it as a user would, read
//! what it printed, find the sample assets.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `skillpack` with `args` in `dir`.
pub fn skillpack(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_skillpack"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("skillpack runs")
}

/// Runs `skillpack` with `args` in `dir`, which must succeed; returns what it printed on
/// standard output.
pub fn ok(dir: &Path, args: &[&str]) -> String {
    let out = skillpack(dir, args);
    assert!(out.status.success(), "{args:?}: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Builds the sample module `module` with the demo publisher's key into `dir`; returns the
/// pack's file name.
pub fn build_sample(dir: &Path, module: &str) -> String {
    let src = assets().join("modules").join(module);
    let key = assets().join("keys/demo-publisher.key");
    let out = format!("{module}.skillpack");
    ok(
        dir,
        &[
            "build",
            src.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            "-o",
            &out,
        ],
    );
    out
}

/// Standard output and error together, for messages.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The repository's sample assets.
pub fn assets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets")
}
