use super::*;
use crate::module::MediaKind;
use crate::module::Participation;

const MODULE: &str = r#"id = "greeting"
version = "1.0.0"
title = "Greeting customers"
language = "en"
minutes = 10
outcomes = ["Greet a customer"]

[assessment]
pass_mark = 70
draw = 2
attempts = 3
cooldown_minutes = 30

[quality_assurance]
description = "Checked by two trainers."
"#;

const BANK: &str = r#"[[question]]
id = "first"
type = "single"
prompt = "What first?"
explanation = "Greet first."
options = [{ text = "Hello", correct = true }, { text = "Nothing" }]

[[question]]
id = "second"
type = "true-false"
prompt = "Smile?"
answer = true
explanation = "Yes."
"#;

fn files() -> SourceFiles {
    let mut f = SourceFiles::new();
    f.insert("module.toml", MODULE);
    f.insert("questions.toml", BANK);
    f.insert(
        "lessons/01-hello.md",
        "# Hello\n\n![A smile](../images/smile.png)\n",
    );
    f.insert("images/smile.png", vec![0u8; 10]);
    f.insert("images/smile.low.webp", vec![0u8; 5]);
    f
}

#[test]
fn a_good_module_compiles_with_its_media_and_low_variant() {
    let c = compile(&files());
    assert!(c.diagnostics.is_empty(), "{}", c.diagnostics);
    let m = c.module.expect("compiled");
    assert_eq!(m.module.lessons[0].title, "Hello");
    assert_eq!(
        m.module.lessons[0].media,
        vec!["images/smile.png".to_owned()]
    );
    assert_eq!(m.module.questions.len(), 2);
    assert_eq!(
        m.media,
        vec![MediaFile {
            path: "images/smile.png".into(),
            kind: MediaKind::Image,
            low: Some("images/smile.low.webp".into()),
            shown_at: ("lessons/01-hello.md".into(), 3),
        }]
    );
}

#[test]
fn every_problem_is_reported_at_once_with_file_and_line() {
    let mut f = files();
    f.insert(
        "lessons/02-greeting.md",
        "# Greeting\n\nText.\n\n![smile](smile.png)\n[more](https://example.org)\n[bad](notes.pdf)\n",
    );
    f.insert("lessons/03-untitled.md", "No title here.\n");
    f.insert(
        "module.toml",
        MODULE
            .replace("draw = 2", "draw = 5")
            .replace("\"en\"", "\"english!\""),
    );
    f.insert("stray.txt", "x");
    let c = compile(&f);
    assert!(c.module.is_none());
    let report = c.diagnostics.to_string();
    for expected in [
        "lessons/02-greeting.md:5: image \"smile.png\" not found in module folder",
        "lessons/02-greeting.md:7: link \"notes.pdf\" is not a lesson",
        "lessons/03-untitled.md:1: a lesson needs a title",
        "module.toml:4: language \"english!\" is not a BCP 47 tag",
        "module.toml:10: draw = 5 but the bank has only 2 questions",
        "stray.txt: warning: not used by any lesson or question",
    ] {
        assert!(
            report.contains(expected),
            "missing {expected:?} in:\n{report}"
        );
    }
}

#[test]
fn missing_module_toml_and_bank_are_errors() {
    let mut f = SourceFiles::new();
    f.insert("lessons/01.md", "# One\n");
    let report = compile(&f).diagnostics.to_string();
    assert!(report.contains("module.toml: not found"), "{report}");

    let mut f = files();
    f.insert(
        "module.toml",
        MODULE.replace(
            "cooldown_minutes = 30",
            "cooldown_minutes = 30\nbanks = [\"moodle.gift\"]",
        ),
    );
    let report = compile(&f).diagnostics.to_string();
    assert!(
        report.contains("moodle.gift: question bank not found"),
        "{report}"
    );
}

#[test]
fn gift_banks_compile_beside_toml_banks() {
    let mut f = files();
    f.insert(
        "module.toml",
        MODULE.replace(
            "cooldown_minutes = 30",
            "cooldown_minutes = 30\nbanks = [\"questions.toml\", \"extra.gift\"]",
        ),
    );
    f.insert(
        "extra.gift",
        "::third::Helmet?{TRUE####Always.}\n\n::first::Dup?{T}\n",
    );
    let c = compile(&f);
    let report = c.diagnostics.to_string();
    assert!(
        report.contains("extra.gift:3: question id \"first\" is already used at questions.toml:1"),
        "{report}"
    );
}

#[test]
fn a_broken_module_toml_still_lets_the_banks_be_checked() {
    let mut f = files();
    f.insert("module.toml", "id = \"greeting\"\ntitel = 1\n");
    f.insert(
        "questions.toml",
        BANK.replace("answer = true", "answer = \"yes\""),
    );
    let report = compile(&f).diagnostics.to_string();
    assert!(
        report.contains("module.toml:2: unknown field `titel`"),
        "{report}"
    );
    assert!(
        report.contains("questions.toml:8: question \"second\""),
        "{report}"
    );
    assert!(
        !report.contains("not used"),
        "no guesses about unused files: {report}"
    );
}

#[test]
fn a_bank_with_a_syntax_error_does_not_also_blame_draw() {
    let mut f = files();
    f.insert("questions.toml", "[[question]\n");
    let report = compile(&f).diagnostics.to_string();
    assert!(report.contains("questions.toml:1:"), "{report}");
    assert!(!report.contains("draw ="), "{report}");
}

#[test]
fn images_anywhere_in_a_question_are_found_at_the_question_line() {
    let mut f = files();
    f.insert(
        "questions.toml",
        BANK.replace(
            "{ text = \"Nothing\" }",
            "{ text = \"Nothing\", feedback = \"See ![sign](images/sign.png)\" }",
        ),
    );
    let report = compile(&f).diagnostics.to_string();
    assert!(
        report.contains("questions.toml:1: image \"images/sign.png\" not found"),
        "{report}"
    );
    f.insert("images/sign.png", vec![1u8; 4]);
    let c = compile(&f);
    let media: Vec<_> = c
        .module
        .expect("compiles")
        .media
        .into_iter()
        .map(|m| m.path)
        .collect();
    assert!(media.contains(&"images/sign.png".to_owned()), "{media:?}");
}

#[test]
fn matching_distractors_and_options_are_checked_like_what_a_learner_reads() {
    let mut f = files();
    f.insert(
        "questions.toml",
        format!("{BANK}\n[[question]]\nid = \"m\"\ntype = \"matching\"\nprompt = \"?\"\nexplanation = \"e\"\n\
                 pairs = [{{ left = \"a\", right = \"Stop\" }}, {{ left = \"b\", right = \"Go\" }}]\n\
                 distractors = [\" stop \", \"x\", \"x\"]\n\n[[question]]\nid = \"yes\"\ntype = \"single\"\n\
                 prompt = \"?\"\nexplanation = \"e\"\noptions = [{{ text = \"Yes\", correct = true }}, {{ text = \"yes\" }}]\n"),
    );
    let report = compile(&f).diagnostics.to_string();
    assert!(
        report.contains("the distractor \"stop\" is also a right answer"),
        "{report}"
    );
    assert!(
        report.contains("two distractors read the same: \"x\""),
        "{report}"
    );
    assert!(
        report.contains("question \"yes\": two options read the same"),
        "{report}"
    );
}

#[test]
fn linking_a_low_variant_directly_is_explained_not_packed_twice() {
    let mut f = files();
    f.insert(
        "lessons/02-more.md",
        "# More\n\n![A smile](../images/smile.low.webp)\n",
    );
    let report = compile(&f).diagnostics.to_string();
    assert!(
        report.contains("lessons/02-more.md:3: \"images/smile.low.webp\" is the low-data variant of \"images/smile.png\""),
        "{report}"
    );
}

#[test]
fn untitled_gift_questions_take_their_ids_from_a_slugified_file_name() {
    let mut f = files();
    f.insert(
        "module.toml",
        MODULE.replace(
            "cooldown_minutes = 30",
            "cooldown_minutes = 30\nbanks = [\"questions.toml\", \"My_Bank.gift\"]",
        ),
    );
    f.insert("My_Bank.gift", "Helmet?{TRUE####Always.}\n");
    let c = compile(&f);
    let ids: Vec<_> = c
        .module
        .expect("compiles")
        .module
        .questions
        .into_iter()
        .map(|q| q.id)
        .collect();
    assert!(ids.contains(&"my-bank-1".to_owned()), "{ids:?}");
}

#[test]
fn a_translation_names_the_module_it_translates_and_nothing_else() {
    let mut f = files();
    let translated = MODULE.replace(
        "language = \"en\"",
        "language = \"sw\"\ntranslates = \"greeting-en\"",
    );
    f.insert("module.toml", translated.as_str());
    let compiled = compile(&f).module.expect("compiles");
    assert_eq!(compiled.module.translates.as_deref(), Some("greeting-en"));

    for (value, says) in [
        ("greeting", "translates names this module itself"),
        ("Greeting EN", "translates must name a module id"),
    ] {
        let mut f = files();
        let wrong = MODULE.replace(
            "language = \"en\"",
            &format!("language = \"sw\"\ntranslates = \"{value}\""),
        );
        f.insert("module.toml", wrong.as_str());
        let report = compile(&f).diagnostics.to_string();
        assert!(
            report.contains(&format!("module.toml:5: {says}")),
            "{report}"
        );
    }
}

#[test]
fn what_a_credential_states_is_read_from_module_toml_and_checked() {
    let mut f = files();
    let stated = MODULE.replace(
        "outcomes = [\"Greet a customer\"]",
        "outcomes = [\"Greet a customer\"]\nworkload_minutes = 30\nects = 0.5\n\
         participation = [\"offline-on-phone\", \"in-person\"]\n\n[level]\neqf = 2",
    );
    f.insert("module.toml", stated.as_str());
    let compiled = compile(&f);
    let module = compiled.module.expect("compiles").module;
    let r = &module.recognition;
    assert_eq!(r.workload_minutes, Some(30));
    assert_eq!(r.ects_hundredths, Some(50));
    assert_eq!(r.eqf_level, Some(2));
    assert_eq!(
        r.participation,
        vec![Participation::OfflineOnPhone, Participation::InPerson]
    );
    assert_eq!(
        r.quality_assurance.as_ref().map(|q| q.description.as_str()),
        Some("Checked by two trainers.")
    );
    assert!(
        compiled
            .diagnostics
            .to_string()
            .contains("ects = 0.5 stands for"),
        "half a credit is not 30 minutes of work: {}",
        compiled.diagnostics
    );

    for (line, says) in [
        (
            "workload_minutes = 5",
            "workload_minutes (5) is less than minutes (10)",
        ),
        ("ects = 0.333", "has more than two decimals"),
        ("ects = 0", "ects must be more than 0 and at most 60"),
        (
            "participation = [\"classroom\"]",
            "unknown variant `classroom`",
        ),
        ("participation = []", "participation is empty"),
        (
            "participation = [\"online\", \"online\"]",
            "participation lists \"online\" twice",
        ),
        (
            "level = { eqf = 9 }",
            "level.eqf must be a whole number from 1 to 8",
        ),
        ("level = { nqf = 2 }", "unknown field `nqf`"),
    ] {
        let mut f = files();
        let wrong = MODULE.replace(
            "outcomes = [\"Greet a customer\"]",
            &format!("outcomes = [\"Greet a customer\"]\n{line}"),
        );
        f.insert("module.toml", wrong.as_str());
        let report = compile(&f).diagnostics.to_string();
        assert!(report.contains(says), "{line}: {report}");
    }
    let mut f = files();
    let without = MODULE.replace(
        "[quality_assurance]\ndescription = \"Checked by two trainers.\"\n",
        "",
    );
    f.insert("module.toml", without.as_str());
    let report = compile(&f).diagnostics.to_string();
    assert!(
        report.contains("warning: no [quality_assurance]"),
        "{report}"
    );
}

mod weights;
