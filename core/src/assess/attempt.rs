//! One attempt at a module's assessment: drawn and shuffled from a seed, answered and
//! re-answered, then submitted once for an outcome. Pure state: the store saves it, the
//! shells render its views, and the same seed redraws it identically anywhere.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::answer::{check_fits, right_choices, Answer};
use super::attestation::Attestation;
use super::error::AssessError;
use super::policy::{next_attempt, PastAttempt};
use super::rng::SeededRng;
use super::score::{score, QuestionResult};
use crate::module::{Module, Question, QuestionKind};

/// A question as drawn: its id and the order its options (or items, or right-hand choices)
/// are shown in, as keys in the author's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawnQuestion {
    /// The question id.
    pub id: String,
    /// Keys in display order (empty for types with nothing to shuffle).
    pub order: Vec<u32>,
}

/// An attempt in progress or submitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// The module.
    pub module_id: String,
    /// The module version the attempt was drawn from.
    pub module_version: String,
    /// 1 for the learner's first attempt at this module.
    pub number: u32,
    /// The seed of the draw.
    pub seed: u64,
    /// When it started (device time).
    pub started_at: DateTime<Utc>,
    /// The questions, in the order shown.
    pub questions: Vec<DrawnQuestion>,
    /// Answers so far, by question id.
    pub answers: BTreeMap<String, Answer>,
    /// Whether it has been submitted.
    pub submitted: bool,
    /// The assessors' attestations that scored its practical checklists (set on submit).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attestations: Vec<Attestation>,
}

/// The result of a submitted attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct Outcome {
    /// Milli-points earned.
    pub score: u32,
    /// Milli-points possible.
    pub max_score: u32,
    /// Whether the score reaches the pass mark.
    pub passed: bool,
    /// True when the time limit ran out before submitting.
    pub timed_out: bool,
    /// Each question's result, in the order shown.
    pub results: Vec<QuestionResult>,
}

/// One choice as a shell shows it: its key (for the answer) and its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct ChoiceView {
    /// The key to answer with.
    pub key: u32,
    /// What the learner reads.
    pub text: String,
}

/// A question ready to show: shuffled, and without its answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct QuestionView {
    /// The question id.
    pub id: String,
    /// The prompt (Markdown).
    pub prompt: String,
    /// Points it is worth.
    pub points: u32,
    /// What the learner does.
    pub kind: QuestionViewKind,
}

/// The interaction a question needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum QuestionViewKind {
    /// Pick one.
    Single {
        /// Shuffled options.
        options: Vec<ChoiceView>,
    },
    /// Pick any.
    Multiple {
        /// Shuffled options.
        options: Vec<ChoiceView>,
    },
    /// True or false.
    TrueFalse,
    /// Put in order.
    Ordering {
        /// Shuffled items.
        items: Vec<ChoiceView>,
    },
    /// Match each left item to a right choice.
    Matching {
        /// Left items, keyed by position.
        lefts: Vec<ChoiceView>,
        /// Shuffled right choices.
        rights: Vec<ChoiceView>,
    },
    /// Type a number.
    Numeric {
        /// Unit to show, if any.
        unit: Option<String>,
    },
    /// Type a short answer.
    ShortText,
    /// Shown to an assessor, ticked in person.
    Checklist {
        /// The items.
        items: Vec<String>,
    },
}

impl Attempt {
    /// Starts the learner's next attempt, if the rules allow one now: draws `draw` of the
    /// questions a learner answers, shuffles them and their options from `seed`, and adds
    /// every practical checklist at the end for an assessor. `granted` is the attempts a
    /// trainer granted beyond the module's own; `history` the learner's finished attempts.
    pub fn start(
        module: &Module,
        granted: u32,
        history: &[PastAttempt],
        now: DateTime<Utc>,
        seed: u64,
    ) -> Result<Self, AssessError> {
        if module.pathway.is_some() {
            return Err(AssessError::Milestone(module.title.clone()));
        }
        let number = next_attempt(&module.assessment, granted, history, now)?;
        let mut rng = SeededRng::new(seed);
        let (practical, mut pool): (Vec<&Question>, Vec<&Question>) = module
            .questions
            .iter()
            .partition(|q| matches!(q.kind, QuestionKind::Checklist { .. }));
        if pool.is_empty() && practical.is_empty() {
            return Err(AssessError::EmptyBank);
        }
        rng.shuffle(&mut pool);
        pool.truncate(module.assessment.draw as usize);
        let questions = pool
            .into_iter()
            .chain(practical)
            .map(|q| DrawnQuestion {
                id: q.id.clone(),
                order: rng.permutation(shuffled_len(q)),
            })
            .collect();
        Ok(Self {
            module_id: module.id.clone(),
            module_version: module.version.clone(),
            number,
            seed,
            started_at: now,
            questions,
            answers: BTreeMap::new(),
            submitted: false,
            attestations: Vec::new(),
        })
    }

    /// The questions as a shell shows them, in order.
    pub fn views(&self, module: &Module) -> Vec<QuestionView> {
        self.questions
            .iter()
            .filter_map(|d| question(module, &d.id).map(|q| view(q, &d.order)))
            .collect()
    }

    /// Records (or replaces) the answer to a question, while time remains.
    pub fn answer(
        &mut self,
        module: &Module,
        question_id: &str,
        answer: Answer,
        elapsed: Duration,
    ) -> Result<(), AssessError> {
        let q = self.open_question(module, question_id, elapsed)?;
        check_fits(q, &answer)?;
        self.answers.insert(question_id.to_owned(), answer);
        Ok(())
    }

    /// Records what the learner typed into a numeric or short-text question, read by
    /// [`read_typed`](super::read_typed): nothing typed leaves the question unanswered, and so
    /// does text that cannot be read (the error says what to write), so the answer kept is
    /// always the one on the screen.
    pub fn answer_typed(
        &mut self,
        module: &Module,
        question_id: &str,
        text: &str,
        elapsed: Duration,
    ) -> Result<(), AssessError> {
        let q = self.open_question(module, question_id, elapsed)?;
        let read = super::read_typed(q, text).and_then(|answer| {
            if let Some(answer) = &answer {
                check_fits(q, answer)?;
            }
            Ok(answer)
        });
        match read {
            Ok(Some(answer)) => {
                self.answers.insert(question_id.to_owned(), answer);
                Ok(())
            }
            Ok(None) => {
                self.answers.remove(question_id);
                Ok(())
            }
            Err(e) => {
                self.answers.remove(question_id);
                Err(e)
            }
        }
    }

    /// The question `question_id` of this attempt, while it still takes answers.
    fn open_question<'m>(
        &self,
        module: &'m Module,
        question_id: &str,
        elapsed: Duration,
    ) -> Result<&'m Question, AssessError> {
        if self.submitted {
            return Err(AssessError::AlreadySubmitted);
        }
        if let Some(limit_minutes) = time_up(module, elapsed) {
            return Err(AssessError::TimeUp { limit_minutes });
        }
        if !self.questions.iter().any(|d| d.id == question_id) {
            return Err(AssessError::NotInAttempt(question_id.to_owned()));
        }
        question(module, question_id)
            .ok_or_else(|| AssessError::NotInAttempt(question_id.to_owned()))
    }

    /// Submits once and scores. Practical checklists score from a valid attestation for
    /// `learner` among `attestations`; answers given count even if time ran out since.
    pub fn submit(
        &mut self,
        module: &Module,
        attestations: &[Attestation],
        learner: &str,
        elapsed: Duration,
    ) -> Result<Outcome, AssessError> {
        if self.submitted {
            return Err(AssessError::AlreadySubmitted);
        }
        let mut used = Vec::new();
        let results: Vec<QuestionResult> = self
            .questions
            .iter()
            .filter_map(|d| question(module, &d.id))
            .map(|q| {
                let attested = attestations
                    .iter()
                    .find(|a| a.verify(module, &q.id, learner).is_ok());
                used.extend(attested.cloned());
                score(q, self.answers.get(&q.id), attested)
            })
            .collect();
        self.attestations = used;
        // Summed in u64 (no overflow for any u32 inputs): a total past u32 is no result at
        // all, so it is capped and never passes (installs refuse such modules first).
        let total = |f: fn(&QuestionResult) -> u32| -> u64 {
            results.iter().map(|r| u64::from(f(r))).sum()
        };
        let (score_sum, max_sum) = (total(|r| r.score), total(|r| r.max_score));
        let fits = u32::try_from(max_sum).is_ok();
        let cap = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        self.submitted = true;
        Ok(Outcome {
            score: cap(score_sum),
            max_score: cap(max_sum),
            passed: fits
                && max_sum > 0
                && score_sum.saturating_mul(100)
                    >= u64::from(module.assessment.pass_mark).saturating_mul(max_sum),
            timed_out: time_up(module, elapsed).is_some(),
            results,
        })
    }
}

/// The limit in minutes if `elapsed` is past it. Exactly at the limit is still in time.
fn time_up(module: &Module, elapsed: Duration) -> Option<u32> {
    let limit = module.assessment.time_limit_minutes?;
    (elapsed > Duration::from_secs(u64::from(limit) * 60)).then_some(limit)
}

fn question<'m>(module: &'m Module, id: &str) -> Option<&'m Question> {
    module.questions.iter().find(|q| q.id == id)
}

/// How many things a question shows in a shuffled order.
fn shuffled_len(q: &Question) -> usize {
    match &q.kind {
        QuestionKind::Single { options, .. } | QuestionKind::Multiple { options, .. } => {
            options.len()
        }
        QuestionKind::Ordering { items, .. } => items.len(),
        QuestionKind::Matching {
            pairs, distractors, ..
        } => right_choices(pairs, distractors).len(),
        _ => 0,
    }
}

impl QuestionView {
    /// A question as its author wrote it: options, items and choices in the author's order,
    /// so each one's position is its key. For tools that list a bank (a terminal's answers
    /// file is numbered this way), never for showing an attempt, which is shuffled.
    pub fn in_author_order(q: &Question) -> Self {
        view(q, &(0..shuffled_len(q) as u32).collect::<Vec<_>>())
    }
}

fn view(q: &Question, order: &[u32]) -> QuestionView {
    let pick = |texts: &[String]| -> Vec<ChoiceView> {
        order
            .iter()
            .filter_map(|&k| {
                texts.get(k as usize).map(|t| ChoiceView {
                    key: k,
                    text: t.clone(),
                })
            })
            .collect()
    };
    let kind = match &q.kind {
        QuestionKind::Single { options, .. } => QuestionViewKind::Single {
            options: pick(&options.iter().map(|o| o.text.clone()).collect::<Vec<_>>()),
        },
        QuestionKind::Multiple { options, .. } => QuestionViewKind::Multiple {
            options: pick(&options.iter().map(|o| o.text.clone()).collect::<Vec<_>>()),
        },
        QuestionKind::TrueFalse { .. } => QuestionViewKind::TrueFalse,
        QuestionKind::Ordering { items, .. } => QuestionViewKind::Ordering { items: pick(items) },
        QuestionKind::Matching {
            pairs, distractors, ..
        } => QuestionViewKind::Matching {
            lefts: pairs
                .iter()
                .enumerate()
                .map(|(i, p)| ChoiceView {
                    key: i as u32,
                    text: p.left.clone(),
                })
                .collect(),
            rights: pick(&right_choices(pairs, distractors)),
        },
        QuestionKind::Numeric { unit, .. } => QuestionViewKind::Numeric { unit: unit.clone() },
        QuestionKind::ShortText { .. } => QuestionViewKind::ShortText,
        QuestionKind::Checklist { items } => QuestionViewKind::Checklist {
            items: items.clone(),
        },
    };
    QuestionView {
        id: q.id.clone(),
        prompt: q.prompt.clone(),
        points: q.points,
        kind,
    }
}
