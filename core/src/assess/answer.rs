//! A learner's answer to one question, and the check that it fits the question. Options,
//! items and matches are named by their index in the author's order (their `key` in the
//! views), never by screen position, so answers and records stay meaningful however the
//! attempt shuffled them.

use serde::{Deserialize, Serialize};

use super::error::AssessError;
use crate::module::{normalize_answer, Choice, Pair, Question, QuestionKind};

/// The right-hand choices of a matching question as the learner sees them: each distinct
/// right side once (two left items may share one), then the distractors. Answers pick by
/// index in this list.
pub(crate) fn right_choices(pairs: &[Pair], distractors: &[String]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    pairs
        .iter()
        .map(|p| &p.right)
        .chain(distractors)
        .filter(|text| seen.insert(normalize_answer(text)))
        .cloned()
        .collect()
}

/// An answer, in the shape of its question type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(tag = "type", content = "value", rename_all = "kebab-case")]
pub enum Answer {
    /// The key of the chosen option.
    Single(u32),
    /// The keys of the chosen options.
    Multiple(Vec<u32>),
    /// True or false.
    TrueFalse(bool),
    /// Item keys in the order the learner put them.
    Ordering(Vec<u32>),
    /// For each left item (by key), the key of the right choice picked, if any.
    Matching(Vec<Option<u32>>),
    /// A number.
    Numeric(f64),
    /// Typed text.
    ShortText(String),
}

impl Answer {
    /// The fully right answer to `question`, as the engine scores it: its answer key, for a
    /// scripted learner (the demo, tests). `None` for a practical checklist, which only an
    /// assessor's attestation scores, and for a question with no right option (a module
    /// that compiled has none).
    pub fn right_for(question: &Question) -> Option<Self> {
        let keys = |n: usize| (0..n).filter_map(|i| u32::try_from(i).ok()).collect();
        let correct = |options: &[Choice]| -> Vec<u32> {
            options
                .iter()
                .zip(0u32..)
                .filter(|(o, _)| o.correct)
                .map(|(_, i)| i)
                .collect()
        };
        Some(match &question.kind {
            QuestionKind::Single { options, .. } => Self::Single(*correct(options).first()?),
            QuestionKind::Multiple { options, .. } => Self::Multiple(correct(options)),
            QuestionKind::TrueFalse { answer, .. } => Self::TrueFalse(*answer),
            QuestionKind::Ordering { items, .. } => Self::Ordering(keys(items.len())),
            QuestionKind::Matching {
                pairs, distractors, ..
            } => {
                let choices = right_choices(pairs, distractors);
                let norm = |t: &str| normalize_answer(t);
                Self::Matching(
                    pairs
                        .iter()
                        .map(|p| {
                            let right = norm(&p.right);
                            let at = choices.iter().position(|c| norm(c) == right)?;
                            u32::try_from(at).ok()
                        })
                        .collect(),
                )
            }
            QuestionKind::Numeric { answer, .. } => Self::Numeric(*answer),
            QuestionKind::ShortText { accept } => Self::ShortText(accept.first()?.clone()),
            QuestionKind::Checklist { .. } => return None,
        })
    }
}

/// Refuses an answer that does not fit `question`, saying why.
pub(crate) fn check_fits(question: &Question, answer: &Answer) -> Result<(), AssessError> {
    let why = |why: &str| {
        Err(AssessError::InvalidAnswer {
            question: question.id.clone(),
            why: why.to_owned(),
        })
    };
    let in_range = |keys: &[u32], n: usize| keys.iter().all(|&k| (k as usize) < n);
    let unique = |keys: &[u32]| {
        let mut seen = keys.to_vec();
        seen.sort_unstable();
        seen.windows(2).all(|w| w[0] != w[1])
    };
    match (&question.kind, answer) {
        (QuestionKind::Single { options, .. }, Answer::Single(k))
            if (*k as usize) < options.len() =>
        {
            Ok(())
        }
        (QuestionKind::Single { .. }, Answer::Single(_)) => why("no such option"),
        (QuestionKind::Multiple { options, .. }, Answer::Multiple(keys)) => {
            if !in_range(keys, options.len()) {
                why("no such option")
            } else if !unique(keys) {
                why("an option is chosen twice")
            } else {
                Ok(())
            }
        }
        (QuestionKind::TrueFalse { .. }, Answer::TrueFalse(_)) => Ok(()),
        (QuestionKind::Ordering { items, .. }, Answer::Ordering(keys)) => {
            if keys.len() != items.len() || !in_range(keys, items.len()) || !unique(keys) {
                why("an ordering must list every item exactly once")
            } else {
                Ok(())
            }
        }
        (
            QuestionKind::Matching {
                pairs, distractors, ..
            },
            Answer::Matching(picks),
        ) => {
            let choices = right_choices(pairs, distractors).len();
            if picks.len() != pairs.len() {
                why("give one pick (or none) for every left item")
            } else if picks.iter().flatten().any(|&k| k as usize >= choices) {
                why("no such choice")
            } else {
                Ok(())
            }
        }
        (QuestionKind::Numeric { .. }, Answer::Numeric(n)) if n.is_finite() => Ok(()),
        (QuestionKind::Numeric { .. }, Answer::Numeric(_)) => why("not a number"),
        (QuestionKind::ShortText { .. }, Answer::ShortText(text)) if text.len() <= 1000 => Ok(()),
        (QuestionKind::ShortText { .. }, Answer::ShortText(_)) => why("the text is too long"),
        (QuestionKind::Checklist { .. }, _) => {
            why("a practical checklist is scored by an assessor's attestation, not answered")
        }
        (kind, _) => why(&format!(
            "a {} question needs a {} answer",
            kind.type_name(),
            kind.type_name()
        )),
    }
}
