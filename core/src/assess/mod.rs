//! The assessment engine: draw an attempt, take answers, score, and say what the learner got
//! right and why. Pure: no disk, network or clock; time and randomness come in as arguments,
//! so it runs the same on a phone, in tests and on the hub, and is tested exhaustively.

mod answer;
mod attempt;
mod attestation;
mod error;
mod policy;
mod rng;
mod score;
mod typed;

pub(crate) use answer::right_choices;
pub use answer::Answer;
pub use attempt::{Attempt, ChoiceView, DrawnQuestion, Outcome, QuestionView, QuestionViewKind};
pub use attestation::{Attestation, AttestationClaim};
pub use error::AssessError;
pub use policy::{attempts_left, next_attempt, AttemptsLeft, PastAttempt};
pub use rng::SeededRng;
pub use score::{points_text, score, Correctness, QuestionResult, MILLI};
pub use typed::{read_typed, typed_text};

#[cfg(test)]
mod tests;
