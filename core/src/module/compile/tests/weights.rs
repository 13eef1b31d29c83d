//! Weighted choice questions as trainers write them in `questions.toml` and in GIFT, and the
//! weights that cannot be scored as Moodle scores them, refused with their reason.

use super::*;
use crate::module::{check_sound, QuestionKind, UnsoundModule};

fn with_bank(name: &str, bank: &str) -> Compilation {
    let mut f = files();
    f.insert(
        "module.toml",
        MODULE.replace(
            "cooldown_minutes = 30",
            &format!("cooldown_minutes = 30\nbanks = [\"questions.toml\", \"{name}\"]"),
        ),
    );
    f.insert(name, bank);
    compile(&f)
}

const WEIGHTED_TOML: &str = r#"[[question]]
id = "gear"
type = "multiple"
scoring = "weighted"
prompt = "What do you wear on every ride?"
explanation = "What protects you."
options = [
  { text = "A helmet", weight = 50 },
  { text = "A reflective vest", weight = 50 },
  { text = "Sandals", weight = -100, feedback = "They slip off the pedals." },
]

[[question]]
id = "crash"
type = "single"
scoring = "weighted"
prompt = "Someone is hurt. What first?"
explanation = "112 sends help."
options = [
  { text = "Call 112", weight = 100 },
  { text = "Call a friend", weight = 50 },
  { text = "Ride on" },
]
"#;

#[test]
fn a_weighted_toml_bank_compiles_and_marks_right_what_its_weights_make_right() {
    let c = with_bank("weights.toml", WEIGHTED_TOML);
    assert!(!c.diagnostics.has_errors(), "{}", c.diagnostics);
    let module = c.module.expect("compiles").module;
    assert_eq!(check_sound(&module), Ok(()));
    let rights = |id: &str| -> Vec<bool> {
        match &module.questions.iter().find(|q| q.id == id).expect(id).kind {
            QuestionKind::Single { options, .. } | QuestionKind::Multiple { options, .. } => {
                options.iter().map(|o| o.correct).collect()
            }
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(rights("gear"), [true, true, false]);
    assert_eq!(
        rights("crash"),
        [true, false, false],
        "only the 100% option"
    );
    let json = serde_json::to_string(&module).expect("json");
    assert!(json.contains(r#""scoring":"weighted""#), "{json}");
    assert!(json.contains(r#""weight":-100"#), "{json}");
}

#[test]
fn weights_that_cannot_be_scored_as_moodle_scores_them_are_refused_with_their_reason() {
    let cases = [
        (
            "short.gift",
            "::short::Q{~%50%a ~%25%b ~c}",
            "positive weights add up to 75%",
        ),
        (
            "over.gift",
            "::over::Q{~%60%a ~%60%b ~%-100%c}",
            "positive weights add up to 120%",
        ),
        (
            "penalty.gift",
            "::penalty::Q{=a ~%-50%b ~c}",
            "cannot score below zero",
        ),
        (
            "nofull.toml",
            "[[question]]\nid = \"nofull\"\ntype = \"single\"\nscoring = \"weighted\"\nprompt = \"Q\"\n\
             options = [{ text = \"a\", weight = 50 }, { text = \"b\" }]\n",
            "one option must weigh 100",
        ),
        (
            "both.toml",
            "[[question]]\nid = \"both\"\ntype = \"multiple\"\nscoring = \"weighted\"\nprompt = \"Q\"\n\
             options = [{ text = \"a\", weight = 100, correct = true }, { text = \"b\" }]\n",
            "leave out correct",
        ),
        (
            "unweighted.toml",
            "[[question]]\nid = \"unweighted\"\ntype = \"multiple\"\nprompt = \"Q\"\n\
             options = [{ text = \"a\", correct = true, weight = 100 }, { text = \"b\" }]\n",
            "counts only with scoring = \"weighted\"",
        ),
        (
            "order.toml",
            "[[question]]\nid = \"order\"\ntype = \"ordering\"\nscoring = \"weighted\"\nprompt = \"Q\"\n\
             items = [\"a\", \"b\"]\n",
            "only single- and multiple-choice questions are scored by weights",
        ),
        (
            "range.toml",
            "[[question]]\nid = \"range\"\ntype = \"multiple\"\nscoring = \"weighted\"\nprompt = \"Q\"\n\
             options = [{ text = \"a\", weight = 150 }, { text = \"b\" }]\n",
            "not a percentage from -100 to 100",
        ),
    ];
    for (name, bank, expected) in cases {
        let c = with_bank(name, bank);
        let report = c.diagnostics.to_string();
        assert!(c.module.is_none(), "{name} compiled");
        assert!(report.contains(expected), "{name}: {report}");
    }
}

#[test]
fn an_installed_module_whose_right_options_disagree_with_its_weights_is_refused() {
    let c = with_bank("weights.toml", WEIGHTED_TOML);
    let mut module = c.module.expect("compiles").module;
    let gear = module
        .questions
        .iter_mut()
        .find(|q| q.id == "gear")
        .expect("gear");
    let QuestionKind::Multiple { options, .. } = &mut gear.kind else {
        panic!("multiple")
    };
    options[2].correct = true;
    assert_eq!(
        check_sound(&module),
        Err(UnsoundModule::Weights("gear".into()))
    );
}
