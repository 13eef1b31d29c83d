//! Writing a submitted attempt down as a result record: which responses it carries, their
//! digest, the attestations that scored it, and its place in the device's chain. The store
//! supplies what only it knows (the pack, the last record, a fresh id) and signs the result;
//! what a record says about an attempt is decided here, once.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::error::LedgerError;
use super::record::{record_time, responses_digest, PackRef, Response, ResultRecord};
use crate::assess::{Attempt, Outcome};
use crate::hash::ContentHash;

/// A submitted attempt and what the device adds to it.
#[derive(Debug, Clone)]
pub struct Submission<'a> {
    /// The attempt, submitted (its attestations are those that scored it).
    pub attempt: &'a Attempt,
    /// Its outcome.
    pub outcome: &'a Outcome,
    /// The learner's `did:key`.
    pub learner: &'a str,
    /// The signing device's `did:key`.
    pub device: &'a str,
    /// The pack the module came from.
    pub pack: PackRef,
    /// Device time at submission.
    pub ended_at: DateTime<Utc>,
    /// Monotonic time the attempt took.
    pub duration: Duration,
}

/// Where a new record goes in the device's chain: after the last record, given as its
/// number and hash, or first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainEnd(pub Option<(u64, ContentHash)>);

impl ResultRecord {
    /// The record of `submission`, numbered and linked after `end`, with the given `id`
    /// (see [`super::record_id`]).
    pub fn assemble(
        id: String,
        end: ChainEnd,
        submission: Submission<'_>,
    ) -> Result<Self, LedgerError> {
        let Submission {
            attempt,
            outcome,
            learner,
            device,
            pack,
            ended_at,
            duration,
        } = submission;
        let (seq, prev) = end.0.map_or((1, None), |(seq, hash)| (seq + 1, Some(hash)));
        let responses: Vec<Response> = outcome
            .results
            .iter()
            .map(|r| Response {
                question: r.id.clone(),
                answer: attempt.answers.get(&r.id).cloned(),
                score: r.score,
            })
            .collect();
        Ok(Self {
            id,
            seq,
            prev,
            learner: learner.to_owned(),
            device: device.to_owned(),
            pack,
            module: attempt.module_id.clone(),
            module_version: attempt.module_version.clone(),
            attempt: attempt.number,
            started_at: record_time(attempt.started_at),
            ended_at: record_time(ended_at),
            duration_ms: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
            score: outcome.score,
            max_score: outcome.max_score,
            passed: outcome.passed,
            responses_digest: responses_digest(&responses)?,
            responses,
            attestations: attempt.attestations.clone(),
        })
    }
}
