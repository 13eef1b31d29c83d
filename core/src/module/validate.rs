//! Checks that do not depend on the source syntax: identifiers, and whether each question
//! makes sense (one right option for single choice, unique items, a finite tolerance…).
//! Both the TOML bank and the GIFT import run through here, so the rules live in one place.

use std::collections::HashSet;

use super::diagnostics::Diagnostics;
use super::question::{normalize_answer, Choice, Question, QuestionKind, Scoring};
use super::weight::WeightSum;

/// Longest identifier (module or question id).
const MAX_ID_LEN: usize = 64;
/// Most points one question may carry.
pub const MAX_POINTS: u32 = 100;
/// Most items in an ordering, matching or checklist question, or options in a choice.
const MAX_ITEMS: usize = 20;

/// True for `lowercase-words-and-digits`, 1–64 characters, starting with a letter or digit.
pub(crate) fn is_slug(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && !id.starts_with('-')
        && !id.ends_with('-')
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Checks one question; `file` and `line` say where it was written.
pub(crate) fn check_question(q: &Question, file: &str, line: usize, diags: &mut Diagnostics) {
    let at = Some(line);
    let mut err = |msg: String| diags.error(file, at, format!("question \"{}\": {msg}", q.id));
    if !is_slug(&q.id) {
        err("the id must be lowercase letters, digits and hyphens (at most 64)".into());
    }
    if q.prompt.trim().is_empty() {
        err("the prompt is empty".into());
    }
    if q.points == 0 || q.points > MAX_POINTS {
        err(format!("points must be between 1 and {MAX_POINTS}"));
    }
    match &q.kind {
        QuestionKind::Single {
            options,
            scoring: Scoring::Weighted,
        } => {
            check_choices(options, Scoring::Weighted, &mut err);
            check_single_weights(options, &mut err);
        }
        QuestionKind::Single { options, scoring } => {
            check_choices(options, *scoring, &mut err);
            if *scoring == Scoring::Partial {
                err("a single-choice question scores all or nothing, or weighted".into());
            }
            let right = options.iter().filter(|o| o.correct).count();
            if right != 1 {
                err(format!(
                    "a single-choice question needs exactly one correct option, found {right} \
                     (use type = \"multiple\" for several)"
                ));
            }
        }
        QuestionKind::Multiple {
            options,
            scoring: Scoring::Weighted,
        } => {
            check_choices(options, Scoring::Weighted, &mut err);
            check_multiple_weights(options, &mut err);
        }
        QuestionKind::Multiple { options, scoring } => {
            check_choices(options, *scoring, &mut err);
            if !options.iter().any(|o| o.correct) {
                err("mark at least one option correct = true".into());
            }
        }
        QuestionKind::TrueFalse { .. } => {}
        QuestionKind::Ordering { items, scoring } => {
            check_list("items", items, 2, &mut err);
            check_unweighted(*scoring, &mut err);
        }
        QuestionKind::Matching {
            pairs,
            distractors,
            scoring,
        } => {
            check_unweighted(*scoring, &mut err);
            let lefts: Vec<String> = pairs.iter().map(|p| p.left.clone()).collect();
            check_list("pairs", &lefts, 2, &mut err);
            if pairs.iter().any(|p| p.right.trim().is_empty()) {
                err("a pair has an empty right side".into());
            }
            if !distractors.is_empty() {
                check_list("distractors", distractors, 1, &mut err);
            }
            if pairs.len() + distractors.len() > MAX_ITEMS {
                err(format!(
                    "has more than {MAX_ITEMS} choices on the right; they would not fit on a \
                     phone screen"
                ));
            }
            let rights: HashSet<String> =
                pairs.iter().map(|p| normalize_answer(&p.right)).collect();
            if let Some(d) = distractors
                .iter()
                .find(|d| rights.contains(&normalize_answer(d)))
            {
                err(format!(
                    "the distractor \"{}\" is also a right answer",
                    d.trim()
                ));
            }
        }
        QuestionKind::Numeric {
            answer, tolerance, ..
        } => {
            if !answer.is_finite() {
                err("the answer must be a finite number".into());
            }
            if !tolerance.is_finite() || *tolerance < 0.0 {
                err("the tolerance must be zero or a positive number".into());
            }
        }
        QuestionKind::ShortText { accept } => {
            if accept.is_empty() {
                err("list at least one accepted answer in accept = [...]".into());
            }
            let mut seen = HashSet::new();
            for a in accept {
                let norm = normalize_answer(a);
                if norm.is_empty() {
                    err("an accepted answer is empty".into());
                } else if !seen.insert(norm) {
                    err(format!(
                        "accepted answer \"{a}\" repeats another once case, spaces and \
                         accents are ignored"
                    ));
                }
            }
        }
        QuestionKind::Checklist { items } => check_list("items", items, 1, &mut err),
    }
    if q.explanation.as_deref().is_none_or(|e| e.trim().is_empty()) {
        diags.warn(
            file,
            at,
            format!(
                "question \"{}\" has no explanation: learners learn most from why",
                q.id
            ),
        );
    }
}

fn check_choices(options: &[Choice], scoring: Scoring, err: &mut impl FnMut(String)) {
    let texts: Vec<String> = options.iter().map(|o| o.text.clone()).collect();
    check_list("options", &texts, 2, err);
    if scoring != Scoring::Weighted && options.iter().any(|o| o.weight.is_some()) {
        err("an option has a weight, which counts only with scoring = \"weighted\"".into());
    }
}

fn check_unweighted(scoring: Scoring, err: &mut impl FnMut(String)) {
    if scoring == Scoring::Weighted {
        err("only single- and multiple-choice questions are scored by weights".into());
    }
}

/// Moodle's rule for a weighted single-choice question: an option worth all the points, so
/// that full marks can be had. Skillpack adds one: no option below zero. Moodle would take
/// points away from the whole quiz for it; a Skillpack question scores from nothing up.
fn check_single_weights(options: &[Choice], err: &mut impl FnMut(String)) {
    if !options.iter().any(|o| o.weight_or_none().is_full()) {
        err("one option must weigh 100 so that full points can be earned".into());
    }
    if let Some(o) = options.iter().find(|o| o.weight_or_none().is_negative()) {
        err(format!(
            "the option \"{}\" weighs {}: a single-choice question cannot score below zero \
             in Skillpack (Moodle would take the points from the rest of the quiz); give it \
             0 or make the question multiple-choice",
            o.text.trim(),
            o.weight_or_none().percent()
        ));
    }
}

/// Moodle's rule for a weighted multiple-choice question: the options that earn something
/// add up to 100 %, so that choosing all of them, and only them, earns full points.
fn check_multiple_weights(options: &[Choice], err: &mut impl FnMut(String)) {
    let positive = WeightSum::of(
        options
            .iter()
            .map(Choice::weight_or_none)
            .filter(|w| w.is_positive()),
    );
    if !positive.is_full() {
        err(format!(
            "the positive weights add up to {}%; they must add up to 100% so that choosing \
             every right option earns full points",
            positive.percent()
        ));
    }
}

/// Checks a list shown to the learner: long enough, short enough for a phone, nothing
/// empty, and no two entries a learner would read as the same (case and accents ignored).
fn check_list(what: &str, items: &[String], min: usize, err: &mut impl FnMut(String)) {
    if items.len() < min {
        err(format!(
            "has {} {what}; it needs at least {min}",
            items.len()
        ));
    }
    if items.len() > MAX_ITEMS {
        err(format!(
            "has {} {what}; at most {MAX_ITEMS} fit on a phone screen",
            items.len()
        ));
    }
    if items.iter().any(|i| i.trim().is_empty()) {
        err(format!("one of the {what} is empty"));
    }
    let mut seen = HashSet::new();
    for item in items {
        if !seen.insert(normalize_answer(item)) {
            err(format!("two {what} read the same: \"{}\"", item.trim()));
        }
    }
}

/// True for `MAJOR.MINOR.PATCH` with digits only.
pub(crate) fn is_version(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 9 && p.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(is_slug("safe-riding-2"));
        for bad in ["", "Safe", "a_b", "-a", "a-", "é", &"a".repeat(65)] {
            assert!(!is_slug(bad), "{bad:?}");
        }
    }
}
