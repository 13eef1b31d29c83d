//! Errors of the `assess` concern: why an attempt cannot start, an answer is refused, or a
//! submission fails. Each names what a shell needs to tell the learner.

use chrono::{DateTime, Utc};
use thiserror::Error;

/// What can go wrong in an attempt.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum AssessError {
    /// The module is a pathway (a milestone over other modules): it is earned by passing its
    /// parts, never attempted.
    #[error("{0} is a milestone: it is earned by passing its parts, not by an assessment")]
    Milestone(String),
    /// The learner must wait after a failed attempt.
    #[error("the next attempt opens at {until}")]
    CoolingDown {
        /// When the next attempt may start (device time).
        until: DateTime<Utc>,
    },
    /// Every attempt allowed has been used.
    #[error("all {allowed} attempts allowed have been used")]
    NoAttemptsLeft {
        /// Attempts the module allows.
        allowed: u32,
    },
    /// The module has no question an attempt could draw.
    #[error("the module has no questions to draw")]
    EmptyBank,
    /// The question is not part of this attempt.
    #[error("question {0} is not part of this attempt")]
    NotInAttempt(String),
    /// The answer does not fit the question (wrong type, unknown option, duplicates…).
    #[error("answer to {question}: {why}")]
    InvalidAnswer {
        /// The question.
        question: String,
        /// What is wrong.
        why: String,
    },
    /// The time limit has passed; no more answers are taken.
    #[error("the time limit of {limit_minutes} minutes has passed")]
    TimeUp {
        /// The limit.
        limit_minutes: u32,
    },
    /// The attempt was already submitted.
    #[error("the attempt was already submitted")]
    AlreadySubmitted,
    /// An assessor's attestation cannot be used.
    #[error("attestation refused: {0}")]
    BadAttestation(String),
}
