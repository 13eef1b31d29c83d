//! What a terminal user of `skillpack device` can count on: a mistyped store folder is an
//! error, answers files name their mistakes before an attempt is used, the prompt takes an
//! attempt question by question, settings hold, and `--json` output is JSON even for errors
//! and survives a reader that stops early.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use skillpack_core::authoring::load_modules;
use skillpack_core::testing::right_answers;

use super::{assets, build_sample, ok, skillpack, text};

/// A device in `d/dev` trusting the demo publisher, with the talking-with-customers sample
/// installed; the pack is `d/t.skillpack`.
fn device_with_sample(d: &Path) {
    let pack = build_sample(d, "talking-with-customers");
    std::fs::rename(d.join(pack), d.join("t.skillpack")).unwrap();
    let trust = assets().join("keys/demo-publisher.pub");
    ok(
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
    ok(d, &["device", "install", "--store", "dev", "t.skillpack"]);
}

fn attempts_used(d: &Path) -> u64 {
    let catalog: serde_json::Value =
        serde_json::from_str(&ok(d, &["device", "catalog", "--store", "dev", "--json"])).unwrap();
    catalog[0]["attempts_used"].as_u64().unwrap()
}

fn take_with(d: &Path, answers: &serde_json::Value) -> std::process::Output {
    std::fs::write(d.join("answers.json"), answers.to_string()).unwrap();
    skillpack(
        d,
        &[
            "device",
            "take",
            "--store",
            "dev",
            "talking-with-customers",
            "--answers",
            "answers.json",
            "--json",
        ],
    )
}

#[test]
fn a_folder_without_a_store_is_an_error_not_a_new_learner() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for args in [
        vec!["device", "catalog", "--store", "typo"],
        vec!["device", "sync", "--store", "typo"],
        vec!["device", "settings", "--store", "typo"],
    ] {
        let out = skillpack(d, &args);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            text(&out).contains("holds no device store"),
            "{}",
            text(&out)
        );
    }
    assert!(!d.join("typo").exists(), "no store was made");
}

#[test]
fn an_answers_file_names_its_mistakes_before_an_attempt_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    device_with_sample(d);
    let questions: Vec<serde_json::Value> = serde_json::from_str(&ok(
        d,
        &[
            "device",
            "questions",
            "--store",
            "dev",
            "talking-with-customers",
            "--json",
        ],
    ))
    .unwrap();
    let single = questions
        .iter()
        .find(|q| q["kind"]["type"] == "single")
        .expect("a single-choice question");
    let (id, options) = (
        single["id"].as_str().unwrap(),
        single["kind"]["options"].as_array().unwrap().len(),
    );

    let unknown = take_with(d, &serde_json::json!({ "no-such-question": 1 }));
    assert!(!unknown.status.success());
    assert!(
        text(&unknown).contains("no-such-question"),
        "{}",
        text(&unknown)
    );

    let out_of_range = take_with(d, &serde_json::json!({ id: options + 1 }));
    assert!(!out_of_range.status.success());
    let why = text(&out_of_range);
    assert!(why.contains(id), "{why}");
    assert!(
        why.contains(&format!("is not a number from 1 to {options}")),
        "{why}"
    );
    let wrong_shape = take_with(d, &serde_json::json!({ id: {"type": "single"} }));
    assert!(!wrong_shape.status.success());
    assert!(text(&wrong_shape).contains(id), "{}", text(&wrong_shape));
    assert_eq!(attempts_used(d), 0, "no attempt was used up");
}

#[test]
fn answers_typed_as_at_the_prompt_score_like_the_core_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    device_with_sample(d);
    let module = load_modules(&[assets().join("modules/talking-with-customers")])
        .unwrap()
        .remove(0)
        .compiled
        .module;
    let mut answers = serde_json::to_value(right_answers(&module)).unwrap();
    // The numeric question as typed, with a decimal comma; a short answer as words.
    answers["change-due"] = serde_json::json!("220,0");
    answers["delay-new-time"] = serde_json::json!(module
        .questions
        .iter()
        .find_map(|q| match &q.kind {
            skillpack_core::module::QuestionKind::ShortText { accept } => Some(accept[0].clone()),
            _ => None,
        })
        .unwrap());
    let taken = take_with(d, &answers);
    assert!(taken.status.success(), "{}", text(&taken));
    let taken: serde_json::Value = serde_json::from_slice(&taken.stdout).unwrap();
    assert_eq!(
        taken["outcome"]["score"], taken["outcome"]["max_score"],
        "{taken}"
    );
}

#[test]
fn the_prompt_takes_an_attempt_and_the_end_of_input_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    device_with_sample(d);
    let take = |input: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_skillpack"))
            .args(["device", "take", "--store", "dev", "talking-with-customers"])
            .current_dir(d)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    // Input ends before the last question: nothing is submitted, the attempt waits.
    let kept = take("\n");
    assert!(kept.status.success(), "{}", text(&kept));
    assert!(text(&kept).contains("not submitted"), "{}", text(&kept));
    assert!(
        text(&kept).contains("1/"),
        "questions are numbered: {}",
        text(&kept)
    );
    assert!(ok(d, &["device", "records", "--store", "dev"])
        .trim()
        .is_empty());
    // A wrong entry is explained and asked again; empty lines skip; then submit. What is
    // wrong depends on the first question the draw put first, which its prompt's hint names.
    // Only the first question's prompt: the empty line skipped it, so the output also holds
    // the second question's, whose hint must not decide.
    let printed = String::from_utf8_lossy(&kept.stdout).into_owned();
    let first_prompt = printed
        .find(" > ")
        .map_or(printed.as_str(), |end| &printed[..end + 3])
        .to_owned();
    let wrong = if first_prompt.contains("t or f >") {
        "maybe"
    } else if first_prompt.contains("a number >") {
        "abc"
    } else if first_prompt.contains("your answer >") {
        ""
    } else {
        "99"
    };
    let mut input = format!("{wrong}\n");
    input.push_str(&"\n".repeat(40));
    let submitted = take(&input);
    let shown = text(&submitted);
    assert!(submitted.status.success(), "{shown}");
    // One prompt per question an assessor does not check, and one more for the retry.
    let stdout = String::from_utf8_lossy(&submitted.stdout);
    let questions: usize = stdout
        .split_once("1/")
        .and_then(|(_, rest)| rest.split_whitespace().next()?.parse().ok())
        .unwrap();
    let checklists = stdout.matches("an assessor checks this in person").count();
    let retries = usize::from(!wrong.is_empty());
    assert_eq!(
        stdout.matches(" > ").count(),
        questions - checklists + retries,
        "asked again after {wrong:?}: {stdout}"
    );
    assert!(shown.contains("signed and kept for sync"), "{shown}");
    assert_eq!(attempts_used(d), 1, "the attempt it took up again");
}

#[test]
fn settings_hold_and_a_bad_language_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["device", "init", "--store", "dev"]);
    let set: serde_json::Value = serde_json::from_str(&ok(
        d,
        &[
            "device",
            "settings",
            "--store",
            "dev",
            "--language",
            "sw-KE",
            "--media",
            "low",
            "--budget-mb",
            "50",
            "--unmetered-only",
            "true",
            "--json",
        ],
    ))
    .unwrap();
    assert_eq!(set["language"], "sw-KE");
    assert_eq!(set["media"], "low");
    assert_eq!(set["monthly_budget_mb"], 50);
    assert_eq!(set["unmetered_only"], true);
    let bad = skillpack(
        d,
        &[
            "device",
            "settings",
            "--store",
            "dev",
            "--language",
            "not a tag!",
        ],
    );
    assert!(!bad.status.success());
    let again: serde_json::Value =
        serde_json::from_str(&ok(d, &["device", "settings", "--store", "dev", "--json"])).unwrap();
    assert_eq!(again, set, "nothing changed");
}

#[test]
fn json_errors_are_json_and_a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let missing = skillpack(d, &["inspect", "missing.skillpack", "--json"]);
    assert!(!missing.status.success());
    let error: serde_json::Value = serde_json::from_slice(&missing.stdout).unwrap();
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("missing.skillpack"),
        "{error}"
    );

    device_with_sample(d);
    // The reader goes away before the command writes, as `| head -0` would.
    let mut child = Command::new(env!("CARGO_BIN_EXE_skillpack"))
        .args(["inspect", "t.skillpack", "--json"])
        .current_dir(d)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}
