//! The question bank's types. Trainers write them in `questions.toml` (or GIFT), the pack
//! carries them in `module.json`, and the assessment engine scores them; the scoring rule
//! each type states here is the one `docs/authoring.md` documents.

use serde::{Deserialize, Serialize};
use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

use super::weight::Weight;

/// One question of a module's bank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Stable identifier within the module: answers are keyed by it.
    pub id: String,
    /// The question as the learner reads it (short Markdown).
    pub prompt: String,
    /// Points for a fully correct answer (default 1).
    #[serde(default = "default_points")]
    pub points: u32,
    /// Why the right answer is right; shown after answering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// The type of question and what it needs.
    #[serde(flatten)]
    pub kind: QuestionKind,
}

fn default_points() -> u32 {
    1
}

/// The eight question types, with the data each needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum QuestionKind {
    /// Exactly one option is correct.
    Single {
        /// The options, in the author's order (the engine shuffles).
        options: Vec<Choice>,
        /// All or nothing, or by the chosen option's weight.
        #[serde(
            default = "Scoring::all_or_nothing",
            skip_serializing_if = "Scoring::is_all_or_nothing"
        )]
        scoring: Scoring,
    },
    /// One or more options are correct.
    Multiple {
        /// The options, in the author's order.
        options: Vec<Choice>,
        /// How a partly right selection scores.
        #[serde(default)]
        scoring: Scoring,
    },
    /// A statement that is true or false.
    TrueFalse {
        /// Whether the statement is true.
        answer: bool,
        /// Feedback shown when the learner answers "true".
        #[serde(default, skip_serializing_if = "Option::is_none")]
        feedback_true: Option<String>,
        /// Feedback shown when the learner answers "false".
        #[serde(default, skip_serializing_if = "Option::is_none")]
        feedback_false: Option<String>,
    },
    /// Put items in order.
    Ordering {
        /// The items in their correct order (the engine shuffles).
        items: Vec<String>,
        /// How a partly right order scores.
        #[serde(default = "Scoring::all_or_nothing")]
        scoring: Scoring,
    },
    /// Match each left item to its right item.
    Matching {
        /// The correct pairs.
        pairs: Vec<Pair>,
        /// Extra right-hand choices that match nothing.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        distractors: Vec<String>,
        /// How partly right matches score.
        #[serde(default)]
        scoring: Scoring,
    },
    /// A number, right within a tolerance.
    Numeric {
        /// The right value.
        answer: f64,
        /// Accepted distance from `answer` (inclusive).
        #[serde(default)]
        tolerance: f64,
        /// Unit shown to the learner (`KSh`, `m`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
    },
    /// A short typed answer, compared after [`normalize_answer`].
    ShortText {
        /// The accepted answers.
        accept: Vec<String>,
    },
    /// A practical skill an assessor checks in person and ticks item by item.
    Checklist {
        /// What the assessor looks for.
        items: Vec<String>,
    },
}

impl QuestionKind {
    /// The name trainers write in `type = "…"`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Single { .. } => "single",
            Self::Multiple { .. } => "multiple",
            Self::TrueFalse { .. } => "true-false",
            Self::Ordering { .. } => "ordering",
            Self::Matching { .. } => "matching",
            Self::Numeric { .. } => "numeric",
            Self::ShortText { .. } => "short-text",
            Self::Checklist { .. } => "checklist",
        }
    }
}

/// An option of a single- or multiple-choice question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// What the learner reads.
    pub text: String,
    /// Whether choosing it is right.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub correct: bool,
    /// Shown when the learner chooses it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
    /// The share of the question's points choosing it earns, in a weighted question; an
    /// option without one earns nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<Weight>,
}

impl Choice {
    /// The option's weight in a weighted question (none counts as 0 %).
    pub fn weight_or_none(&self) -> Weight {
        self.weight.unwrap_or_default()
    }
}

/// A correct pair of a matching question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pair {
    /// The prompt side.
    pub left: String,
    /// The side the learner picks for it.
    pub right: String,
}

/// How a partly right answer scores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scoring {
    /// Points in proportion to what is right (each type states its rule).
    #[default]
    Partial,
    /// Full points only for a completely right answer, otherwise none.
    AllOrNothing,
    /// For choice questions, as Moodle scores them: each chosen option earns its weight (a
    /// negative one takes away), and the question earns the sum, from nothing to all.
    Weighted,
}

impl Scoring {
    fn all_or_nothing() -> Self {
        Self::AllOrNothing
    }

    fn is_all_or_nothing(&self) -> bool {
        *self == Self::AllOrNothing
    }
}

impl QuestionKind {
    /// Which options of a weighted choice question are right, from their weights: in a
    /// single-choice question those worth all the points, in a multiple-choice one every
    /// option that earns something. `None` for any other question. Authors write weights;
    /// the rest of the engine (the review, a scripted learner, xAPI's right answers) reads
    /// each option's `correct`, which must agree.
    pub(crate) fn rights_by_weight(&self) -> Option<Vec<bool>> {
        let (options, right): (_, fn(Weight) -> bool) = match self {
            Self::Single {
                options,
                scoring: Scoring::Weighted,
            } => (options, Weight::is_full),
            Self::Multiple {
                options,
                scoring: Scoring::Weighted,
            } => (options, Weight::is_positive),
            _ => return None,
        };
        Some(options.iter().map(|o| right(o.weight_or_none())).collect())
    }

    /// Marks the right options of a weighted choice question from their weights.
    pub(crate) fn mark_right_by_weight(&mut self) {
        let Some(rights) = self.rights_by_weight() else {
            return;
        };
        if let Self::Single { options, .. } | Self::Multiple { options, .. } = self {
            for (option, right) in options.iter_mut().zip(rights) {
                option.correct = right;
            }
        }
    }
}

/// Normalises a typed answer for comparison: Unicode compatibility decomposition, accents
/// and other combining marks removed, lowercase, runs of white space made one space, and
/// trimmed. So `"  Casco "`, `"casco"` and `"Cásco"` compare equal.
pub fn normalize_answer(text: &str) -> String {
    let folded: String = text
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_ignores_case_spacing_and_accents() {
        assert_eq!(
            normalize_answer("  Cásco   de  SEGURIDAD "),
            "casco de seguridad"
        );
        assert_eq!(normalize_answer("ﬁve"), "five");
        assert_eq!(normalize_answer("Ñandú"), "nandu");
        assert_eq!(normalize_answer(""), "");
    }

    #[test]
    fn question_round_trips_through_json() {
        let q = Question {
            id: "q".into(),
            prompt: "How far?".into(),
            points: 2,
            explanation: None,
            kind: QuestionKind::Numeric {
                answer: 1.5,
                tolerance: 0.25,
                unit: Some("m".into()),
            },
        };
        let json = serde_json::to_string(&q).expect("serialize");
        assert!(json.contains(r#""type":"numeric""#), "{json}");
        assert_eq!(serde_json::from_str::<Question>(&json).expect("parse"), q);
    }
}
