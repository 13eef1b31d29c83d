//! Helpers every test target of the `skillpack` binary shares: run it as a user would, read
//! what it printed, find the sample assets.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// Runs `skillpack` with `args` in `dir`.
pub fn skillpack(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_skillpack"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("skillpack runs")
}

/// Runs `skillpack` with `args` in `dir`, with `env` set.
pub fn skillpack_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_skillpack"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .output()
        .expect("skillpack runs")
}

/// A hub (`skillpack serve` on SQLite) on a free loopback port; stopped when dropped.
pub struct Hub {
    child: Child,
    /// Its base URL.
    pub url: String,
    /// Its database (`sqlite://…`), for operator commands.
    pub db: String,
}

impl Hub {
    /// Starts a hub whose database is `hub.db` in `dir`.
    pub fn start(dir: &Path) -> Self {
        Self::start_with(dir, &[])
    }

    /// Starts such a hub with more arguments for `skillpack serve` (`--operator KEY.pub`).
    pub fn start_with(dir: &Path, more: &[&str]) -> Self {
        Self::serve(dir, "127.0.0.1:0", more)
    }

    /// Starts the hub whose database is `hub.db` in `dir` on the address `listen`: the one
    /// a hub before it used, so that the URLs it put in credentials answer again.
    pub fn start_at(dir: &Path, listen: &str) -> Self {
        Self::serve(dir, listen, &[])
    }

    fn serve(dir: &Path, listen: &str, more: &[&str]) -> Self {
        let db = format!("sqlite://{}", dir.join("hub.db").display());
        let mut child = Command::new(env!("CARGO_BIN_EXE_skillpack"))
            .args(["serve", "--listen", listen, "--db", &db])
            .args(more)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the hub starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("the hub says where it listens");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .expect("listening on …")
            .to_owned();
        Self { child, url, db }
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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
