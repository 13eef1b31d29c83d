//! The rules every module must keep to be installed, whoever built it: a trusted publisher's
//! key proves who made a pack, not that it makes sense. A hand-made `module.json` could
//! carry points that overflow a score, a draw larger than the bank or a question no one can
//! get right; the device checks these before it installs (and the compiler, so a trainer
//! hears of them first).

use std::collections::HashSet;

use thiserror::Error;

use super::model::Module;
use super::question::{Choice, QuestionKind, Scoring};
use super::validate::MAX_POINTS;

/// Most questions one attempt may hold (drawn ones plus practical checklists). With at most
/// [`MAX_POINTS`] points each, counted in thousandths, a score stays below 10^8: far from
/// overflowing the `u32` that records carry.
pub const MAX_ATTEMPT_QUESTIONS: usize = 1000;

/// Why a module cannot be installed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UnsoundModule {
    /// A pathway that is not one (parts, the number required, lessons or questions).
    #[error("{0}")]
    Pathway(String),
    /// The pass mark is not a percentage.
    #[error("the pass mark {0} is not a percentage from 0 to 100")]
    PassMark(u32),
    /// A question carries no points or more than any question may.
    #[error("question {question} carries {points} points; a question carries 1 to {MAX_POINTS}")]
    Points {
        /// The question.
        question: String,
        /// Its points.
        points: u32,
    },
    /// Two questions share an id (answers are keyed by it).
    #[error("two questions have the id {0}")]
    DuplicateQuestion(String),
    /// An attempt would draw more questions than the bank has to answer.
    #[error("an attempt draws {draw} questions but the bank has {bank} to answer")]
    DrawAboveBank {
        /// Questions drawn.
        draw: u32,
        /// Questions a learner answers (practical checklists are not drawn).
        bank: usize,
    },
    /// An attempt would hold more questions than a score can count.
    #[error("an attempt would hold {0} questions; at most {MAX_ATTEMPT_QUESTIONS}")]
    AttemptTooLarge(usize),
    /// A choice question has no right option: no one could get it right.
    #[error("question {0} has no right option")]
    NoRightOption(String),
    /// A choice question has an option with no text.
    #[error("question {0} has an empty option")]
    EmptyOption(String),
    /// A weighted question marks other options right than its weights make right, or cannot
    /// earn full points, or weighs a question that is not a choice.
    #[error("question {0} has weights that do not make sense")]
    Weights(String),
    /// A time limit no attempt could keep to, or longer than a day.
    #[error("a time limit of {0} minutes; an attempt is limited to 1 to {MAX_TIME_LIMIT_MINUTES} minutes, or not at all")]
    TimeLimit(u32),
    /// A wait after a failed attempt longer than any course would ask.
    #[error("a wait of {0} minutes after a failed attempt; at most {MAX_COOLDOWN_MINUTES}")]
    Cooldown(u32),
    /// A lesson or its media named by a path that leaves the module's folder, or no file.
    #[error("the lesson file {0:?} is not a plain path inside the module")]
    LessonPath(String),
}

/// Longest time limit of an attempt: a day.
pub const MAX_TIME_LIMIT_MINUTES: u32 = 24 * 60;
/// Longest wait after a failed attempt: 30 days.
pub const MAX_COOLDOWN_MINUTES: u32 = 30 * 24 * 60;

/// Whether `path` is a plain relative path inside the module's folder: no root, no `..`, no
/// empty or `.` part, no backslash, no drive.
fn is_inside(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains(':')
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// Checks the rules a module must keep to be installed and scored.
pub fn check_sound(module: &Module) -> Result<(), UnsoundModule> {
    super::check_pathway(module).map_err(UnsoundModule::Pathway)?;
    let rules = &module.assessment;
    if rules.pass_mark > 100 {
        return Err(UnsoundModule::PassMark(rules.pass_mark));
    }
    if let Some(limit) = rules.time_limit_minutes {
        if !(1..=MAX_TIME_LIMIT_MINUTES).contains(&limit) {
            return Err(UnsoundModule::TimeLimit(limit));
        }
    }
    if rules.cooldown_minutes > MAX_COOLDOWN_MINUTES {
        return Err(UnsoundModule::Cooldown(rules.cooldown_minutes));
    }
    for lesson in &module.lessons {
        for path in std::iter::once(&lesson.path).chain(&lesson.media) {
            if !is_inside(path) {
                return Err(UnsoundModule::LessonPath(path.chars().take(100).collect()));
            }
        }
    }
    let mut ids = HashSet::new();
    let mut practical = 0;
    for q in &module.questions {
        if q.points == 0 || q.points > MAX_POINTS {
            return Err(UnsoundModule::Points {
                question: q.id.clone(),
                points: q.points,
            });
        }
        if !ids.insert(q.id.as_str()) {
            return Err(UnsoundModule::DuplicateQuestion(q.id.clone()));
        }
        check_weights(&q.id, &q.kind)?;
        match &q.kind {
            QuestionKind::Single { options, .. } | QuestionKind::Multiple { options, .. } => {
                check_options(&q.id, options)?;
            }
            QuestionKind::Checklist { .. } => practical += 1,
            _ => {}
        }
    }
    let bank = module.questions.len() - practical;
    if rules.draw as usize > bank {
        return Err(UnsoundModule::DrawAboveBank {
            draw: rules.draw,
            bank,
        });
    }
    let attempt = rules.draw as usize + practical;
    if attempt > MAX_ATTEMPT_QUESTIONS {
        return Err(UnsoundModule::AttemptTooLarge(attempt));
    }
    Ok(())
}

/// A weighted question must mark right what its weights make right (or the review shows a
/// wrong answer as right), and only choice questions have weights.
fn check_weights(question: &str, kind: &QuestionKind) -> Result<(), UnsoundModule> {
    let sound = match kind {
        QuestionKind::Single { options, .. } | QuestionKind::Multiple { options, .. } => {
            kind.rights_by_weight().is_none_or(|rights| {
                options
                    .iter()
                    .zip(rights)
                    .all(|(o, right)| o.correct == right)
            })
        }
        QuestionKind::Ordering { scoring, .. } | QuestionKind::Matching { scoring, .. } => {
            *scoring != Scoring::Weighted
        }
        _ => true,
    };
    if sound {
        Ok(())
    } else {
        Err(UnsoundModule::Weights(question.to_owned()))
    }
}

fn check_options(question: &str, options: &[Choice]) -> Result<(), UnsoundModule> {
    if options.iter().any(|o| o.text.trim().is_empty()) {
        return Err(UnsoundModule::EmptyOption(question.to_owned()));
    }
    if !options.iter().any(|o| o.correct) {
        return Err(UnsoundModule::NoRightOption(question.to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::module::compile;
    use crate::testing::module_files;

    #[test]
    fn an_attempt_too_large_to_score_is_refused() {
        let mut module = compile(&module_files("bike-check"))
            .module
            .expect("compiles")
            .module;
        assert_eq!(check_sound(&module), Ok(()));
        let one = module.questions[1].clone();
        module.questions = (0..=MAX_ATTEMPT_QUESTIONS)
            .map(|i| {
                let mut q = one.clone();
                q.id = format!("q{i}");
                q
            })
            .collect();
        module.assessment.draw = MAX_ATTEMPT_QUESTIONS as u32 + 1;
        assert_eq!(
            check_sound(&module),
            Err(UnsoundModule::AttemptTooLarge(MAX_ATTEMPT_QUESTIONS + 1))
        );
    }

    /// What a hostile pack's module.json said, signed by a trusted key: a time limit of 0 (an
    /// attempt that can never be submitted), a wait of 4294967295 minutes, a lesson path out
    /// of the pack. Each is refused before install; sane values install.
    #[test]
    fn rules_no_one_could_keep_and_paths_out_of_the_module_are_refused() {
        let module = compile(&module_files("bike-check"))
            .module
            .expect("compiles")
            .module;
        let with = |change: &dyn Fn(&mut Module)| {
            let mut m = module.clone();
            change(&mut m);
            check_sound(&m)
        };
        assert_eq!(
            with(&|m| m.assessment.time_limit_minutes = Some(0)),
            Err(UnsoundModule::TimeLimit(0))
        );
        assert_eq!(
            with(&|m| m.assessment.time_limit_minutes = Some(MAX_TIME_LIMIT_MINUTES + 1)),
            Err(UnsoundModule::TimeLimit(MAX_TIME_LIMIT_MINUTES + 1))
        );
        assert_eq!(
            with(&|m| m.assessment.cooldown_minutes = u32::MAX),
            Err(UnsoundModule::Cooldown(u32::MAX))
        );
        for path in [
            "../../../etc/passwd",
            "/etc/passwd",
            "lessons/../../x.md",
            "",
            "a\\b.md",
            "C:x.md",
            "lessons//a.md",
        ] {
            assert!(
                matches!(
                    with(&|m| m.lessons[0].path = path.into()),
                    Err(UnsoundModule::LessonPath(_))
                ),
                "{path:?}"
            );
            assert!(
                matches!(
                    with(&|m| m.lessons[0].media = vec![path.into()]),
                    Err(UnsoundModule::LessonPath(_))
                ),
                "media {path:?}"
            );
        }
        assert_eq!(
            with(&|m| m.assessment.time_limit_minutes = Some(30)),
            Ok(())
        );
        assert_eq!(with(&|m| m.assessment.cooldown_minutes = 60), Ok(()));
    }
}
