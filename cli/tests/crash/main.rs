//! Crash safety: `skillpack device` processes (installs, uninstalls, scripted attempts) are
//! killed with SIGKILL at random moments, hundreds of times. After each kill the store must
//! open, every record whose outcome was printed must be there exactly once, the chain must
//! be intact, and every installed pack must be whole (every lesson readable). A test target
//! of its own: it takes minutes, so `cargo test --test it` stays quick; `.ci/run` runs both.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use skillpack_core::assess::SeededRng;
use skillpack_core::store::Store;
use skillpack_core::testing::{module_files, right_answers};

#[path = "../common/mod.rs"]
mod common;

use common::{assets, skillpack, text};

/// Kills to inflict (the issue asks for at least 200).
const KILLS: usize = 220;

/// Writes the fixture module with unlimited attempts and no cooldown, so attempts never stop.
fn write_module(dir: &Path, id: &str) -> skillpack_core::module::Module {
    let mut files = module_files(id);
    let toml = String::from_utf8_lossy(files.get("module.toml").unwrap())
        .replace("attempts = 3", "attempts = 0")
        .replace("cooldown_minutes = 30", "cooldown_minutes = 0");
    files.insert("module.toml", toml);
    for path in files.paths().map(str::to_owned).collect::<Vec<_>>() {
        let target = dir.join(id).join(&path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, files.get(&path).unwrap()).unwrap();
    }
    skillpack_core::module::compile(&files)
        .module
        .unwrap()
        .module
}

/// Starts `skillpack ARGS` in `dir` without waiting.
fn spawn(dir: &Path, args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_skillpack"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn killing_the_device_at_any_moment_loses_nothing_it_reported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let module = write_module(d, "crash-check");
    std::fs::write(
        d.join("answers.json"),
        serde_json::to_vec(&right_answers(&module)).unwrap(),
    )
    .unwrap();
    let key = assets().join("keys/demo-publisher.key");
    let built = skillpack(
        d,
        &[
            "build",
            "crash-check",
            "--key",
            key.to_str().unwrap(),
            "-o",
            "crash.skillpack",
        ],
    );
    assert!(built.status.success(), "{}", text(&built));
    let trust = assets().join("keys/demo-publisher.pub");
    let init = skillpack(
        d,
        &[
            "device",
            "init",
            "--store",
            "dev",
            "--trust",
            trust.to_str().unwrap(),
        ],
    );
    assert!(init.status.success(), "{}", text(&init));

    let mut rng = SeededRng::new(2026);
    let mut reported: BTreeSet<String> = BTreeSet::new();
    let (mut kills, mut finished, mut runs) = (0, 0, 0);
    let deadline = Instant::now() + Duration::from_secs(240);
    while kills < KILLS && Instant::now() < deadline {
        runs += 1;
        let args: &[&str] = match rng.below(4) {
            0 => &["device", "install", "--store", "dev", "crash.skillpack"],
            1 => &["device", "uninstall", "--store", "dev", "crash-check"],
            _ => &[
                "device",
                "take",
                "--store",
                "dev",
                "crash-check",
                "--answers",
                "answers.json",
                "--json",
            ],
        };
        let mut child = spawn(d, args);
        // Most runs take 5-40 ms here; kill anywhere in that span, sometimes later.
        std::thread::sleep(Duration::from_micros(rng.below(45_000)));
        let killed = child.try_wait().unwrap().is_none() && child.kill().is_ok();
        let out = child.wait_with_output().unwrap();
        if killed && !out.status.success() {
            kills += 1;
        } else {
            finished += 1;
        }
        // An outcome the learner saw was printed; its record must survive whatever comes next.
        if out.status.success() && args[1] == "take" {
            let taken: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            reported.insert(taken["record"].as_str().unwrap().to_owned());
        }
        check_store(&d.join("dev"), &reported);
    }
    assert!(
        kills >= KILLS,
        "only {kills} kills in {runs} runs before the time limit"
    );
    assert!(
        !reported.is_empty() && finished > 0,
        "some runs must finish too ({finished})"
    );
    eprintln!(
        "{kills} kills, {finished} runs finished, {} outcomes reported",
        reported.len()
    );
}

/// Opens the store (which checks the whole chain) and checks its invariants.
fn check_store(dir: &Path, reported: &BTreeSet<String>) {
    let store =
        Store::open(dir).unwrap_or_else(|e| panic!("the store must open after a kill: {e}"));
    let records = store.records().unwrap();
    let ids: Vec<&str> = records.iter().map(|r| r.record.id.as_str()).collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "no record twice");
    for id in reported {
        assert!(
            unique.contains(id.as_str()),
            "reported record {id} is missing"
        );
    }
    let attempts: BTreeSet<u32> = records.iter().map(|r| r.record.attempt).collect();
    assert_eq!(attempts.len(), records.len(), "one record per attempt");
    for entry in store.catalog(chrono::Utc::now()).unwrap() {
        for lesson in 0..entry.lessons as usize {
            store
                .lesson(&entry.id, lesson)
                .unwrap_or_else(|e| panic!("installed pack is not whole: {e}"));
        }
    }
}
