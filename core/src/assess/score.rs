//! Scoring, one rule per question type, exactly as `docs/authoring.md` states them. Points
//! are counted in thousandths (milli-points) so that partial credit stays exact in integers
//! and records never carry floating-point scores; fractions round down, except a weighted
//! question's, which round to the nearest milli-point (its weights are written to five
//! decimals, and three options of 33.33333 % are all of the points, as in Moodle).

use serde::{Deserialize, Serialize};

use super::answer::{right_choices, Answer};
use super::attempt::Outcome;
use super::attestation::Attestation;
use crate::module::{normalize_answer, Choice, Question, QuestionKind, Scoring, WeightSum};

/// Milli-points in one point.
pub const MILLI: u32 = 1000;

/// Milli-points as a learner reads them, the same on every phone: whole points as `7`,
/// others to one decimal rounded half up, as `7.5` (1 250 reads `1.3`).
#[cfg_attr(feature = "ffi", uniffi::export)]
pub fn points_text(milli_points: u32) -> String {
    let tenths = (u64::from(milli_points) + 50) / 100;
    if milli_points % MILLI == 0 || tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

impl Outcome {
    /// The outcome in one line, as the terminal, its preview and the demo print it:
    /// `7.5 of 10 points, passed` (or `not passed`).
    pub fn summary(&self) -> String {
        format!(
            "{} of {} points, {}",
            points_text(self.score),
            points_text(self.max_score),
            if self.passed { "passed" } else { "not passed" }
        )
    }
}

/// How an answer fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "kebab-case")]
pub enum Correctness {
    /// Full points.
    Correct,
    /// Some points, not all.
    Partial,
    /// No points, though answered.
    Wrong,
    /// Not answered.
    Unanswered,
    /// A practical checklist no assessor has attested yet.
    AwaitingAssessor,
}

/// The result of one question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct QuestionResult {
    /// The question.
    pub id: String,
    /// Milli-points earned.
    pub score: u32,
    /// Milli-points possible.
    pub max_score: u32,
    /// How the answer fared.
    pub correctness: Correctness,
    /// Feedback for what the learner chose (per-option or true/false feedback).
    pub feedback: Vec<String>,
    /// Why the right answer is right.
    pub explanation: Option<String>,
}

/// Scores one question from its answer (or, for a checklist, its attestation).
pub fn score(
    q: &Question,
    answer: Option<&Answer>,
    attestation: Option<&Attestation>,
) -> QuestionResult {
    let max = max_score(q);
    let (fraction, feedback) = match (&q.kind, answer) {
        (QuestionKind::Checklist { items }, _) => match attestation {
            Some(a) => (
                Some(Share::Part(Fraction::new(
                    a.ticked_count(items.len()),
                    items.len(),
                ))),
                vec![],
            ),
            None => return result(q, 0, Correctness::AwaitingAssessor, vec![]),
        },
        (_, None) => return result(q, 0, Correctness::Unanswered, vec![]),
        (kind, Some(answer)) => score_answer(kind, answer),
    };
    let Some(share) = fraction else {
        return result(q, 0, Correctness::Wrong, feedback);
    };
    let earned = share.of(max);
    let correctness = if earned == max {
        Correctness::Correct
    } else if earned == 0 {
        Correctness::Wrong
    } else {
        Correctness::Partial
    };
    result(q, earned, correctness, feedback)
}

fn result(
    q: &Question,
    score: u32,
    correctness: Correctness,
    feedback: Vec<String>,
) -> QuestionResult {
    QuestionResult {
        id: q.id.clone(),
        score,
        max_score: max_score(q),
        correctness,
        feedback,
        explanation: q.explanation.clone(),
    }
}

/// A question's milli-points. Installed modules carry at most 100 points a question; this
/// saturates anyway, so a module that slipped past that check cannot wrap a score around.
fn max_score(q: &Question) -> u32 {
    q.points.saturating_mul(MILLI)
}

/// A share of the points: `num / den`, with `0 <= num <= den`.
#[derive(Debug, Clone, Copy)]
struct Fraction {
    num: u64,
    den: u64,
}

impl Fraction {
    fn new(num: usize, den: usize) -> Self {
        Self {
            num: num.min(den) as u64,
            den: den.max(1) as u64,
        }
    }
    fn all() -> Self {
        Self::new(1, 1)
    }
    fn none() -> Self {
        Self::new(0, 1)
    }
    fn of(self, max: u32) -> u32 {
        (u64::from(max) * self.num / self.den) as u32
    }
    fn all_or_nothing(self) -> Self {
        if self.num == self.den {
            Self::all()
        } else {
            Self::none()
        }
    }
}

/// What an answer earns: a fraction of the points, or the sum of the chosen options' weights.
#[derive(Debug, Clone, Copy)]
enum Share {
    Part(Fraction),
    Weights(WeightSum),
}

impl Share {
    fn of(self, max: u32) -> u32 {
        match self {
            Self::Part(fraction) => fraction.of(max),
            Self::Weights(sum) => sum.share_of(max),
        }
    }
}

/// The weights of the chosen options added up.
fn chosen_weights<'a>(chosen: impl IntoIterator<Item = &'a Choice>) -> Share {
    Share::Weights(WeightSum::of(
        chosen.into_iter().map(Choice::weight_or_none),
    ))
}

/// The share earned, or `None` for a plainly wrong answer, and the feedback to show.
fn score_answer(kind: &QuestionKind, answer: &Answer) -> (Option<Share>, Vec<String>) {
    let exact = |right: bool| {
        Some(Share::Part(if right {
            Fraction::all()
        } else {
            Fraction::none()
        }))
    };
    match (kind, answer) {
        (QuestionKind::Single { options, scoring }, Answer::Single(k)) => {
            let chosen = options.get(*k as usize);
            let feedback = chosen
                .and_then(|o| o.feedback.clone())
                .into_iter()
                .collect();
            let share = match scoring {
                Scoring::Weighted => Some(chosen_weights(chosen)),
                _ => exact(chosen.is_some_and(|o| o.correct)),
            };
            (share, feedback)
        }
        (QuestionKind::Multiple { options, scoring }, Answer::Multiple(keys)) => {
            let chosen: Vec<_> = keys
                .iter()
                .filter_map(|&k| options.get(k as usize))
                .collect();
            let feedback = chosen.iter().filter_map(|o| o.feedback.clone()).collect();
            let right_total = options.iter().filter(|o| o.correct).count();
            let right = chosen.iter().filter(|o| o.correct).count();
            let wrong = chosen.len() - right;
            // +1/k for each right option chosen, -1/k for each wrong one, never below zero.
            let net = Fraction::new(right.saturating_sub(wrong), right_total);
            let exact_set = right == right_total && wrong == 0;
            let share = match scoring {
                Scoring::Partial => Share::Part(net),
                Scoring::AllOrNothing if exact_set => Share::Part(Fraction::all()),
                Scoring::AllOrNothing => Share::Part(Fraction::none()),
                Scoring::Weighted => chosen_weights(chosen),
            };
            (Some(share), feedback)
        }
        (
            QuestionKind::TrueFalse {
                answer: truth,
                feedback_true,
                feedback_false,
            },
            Answer::TrueFalse(given),
        ) => {
            let feedback = if *given {
                feedback_true
            } else {
                feedback_false
            };
            (
                exact(given == truth),
                feedback.clone().into_iter().collect(),
            )
        }
        (QuestionKind::Ordering { items, scoring }, Answer::Ordering(order)) => {
            // Item keys are their right positions, so a key at its own index is in place.
            let in_place = order
                .iter()
                .enumerate()
                .filter(|(i, &k)| *i == k as usize)
                .count();
            let share = Fraction::new(in_place, items.len());
            (Some(apply(*scoring, share)), vec![])
        }
        (
            QuestionKind::Matching {
                pairs,
                distractors,
                scoring,
            },
            Answer::Matching(picks),
        ) => {
            let choices = right_choices(pairs, distractors);
            let right = pairs
                .iter()
                .zip(picks)
                .filter(|(pair, pick)| {
                    pick.and_then(|k| choices.get(k as usize))
                        .is_some_and(|c| normalize_answer(c) == normalize_answer(&pair.right))
                })
                .count();
            (
                Some(apply(*scoring, Fraction::new(right, pairs.len()))),
                vec![],
            )
        }
        (
            QuestionKind::Numeric {
                answer: truth,
                tolerance,
                ..
            },
            Answer::Numeric(given),
        ) => {
            // A hair of slack for decimal answers such as 0.1 + 0.2 that floats cannot hold.
            let slack = 1e-9 * truth.abs().max(1.0);
            (
                exact(given.is_finite() && (given - truth).abs() <= tolerance + slack),
                vec![],
            )
        }
        (QuestionKind::ShortText { accept }, Answer::ShortText(given)) => {
            let given = normalize_answer(given);
            (
                exact(!given.is_empty() && accept.iter().any(|a| normalize_answer(a) == given)),
                vec![],
            )
        }
        // `check_fits` refuses every other pairing before an answer is stored.
        _ => (None, vec![]),
    }
}

/// A fraction under a question's scoring. Only choice questions have weights: a module that
/// asks to weigh other questions is refused before install, and here scores as partial.
fn apply(scoring: Scoring, share: Fraction) -> Share {
    Share::Part(match scoring {
        Scoring::Partial | Scoring::Weighted => share,
        Scoring::AllOrNothing => share.all_or_nothing(),
    })
}
