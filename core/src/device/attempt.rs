//! Taking an assessment on the device: the attempt's seed comes from the operating system
//! (or a caller that needs it fixed), its time from the [`AttemptClock`], and every answer
//! and the signed result go through the store, so a phone, the terminal and the preview
//! take an attempt in exactly the same way.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Device;
use crate::assess::{typed_text, Answer, Attempt, Attestation, Outcome, QuestionView};
use crate::ledger::SignedRecord;
use crate::Result;

/// An attempt in progress, ready to show.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct AttemptView {
    /// The module.
    pub module_id: String,
    /// 1 for the learner's first attempt at this module.
    pub number: u32,
    /// When it started (device time).
    pub started_at: DateTime<Utc>,
    /// The questions, shuffled, in the order to show.
    pub questions: Vec<QuestionView>,
    /// Answers already given, by question id (an attempt resumed after the app closed).
    pub answers: HashMap<String, Answer>,
    /// For numeric and short-text questions answered already, the text to show in the
    /// field, by question id.
    pub typed: HashMap<String, String>,
}

/// A submitted attempt: its outcome, and the signed record now waiting to sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct SubmitView {
    /// Score, pass and each question's result.
    pub outcome: Outcome,
    /// The signed record's id.
    pub record_id: String,
    /// The device's number for the record (1, 2, 3…).
    pub seq: u64,
}

impl Device {
    /// Starts the next attempt at a module with a fresh random draw, or returns the one in
    /// progress.
    pub fn start_attempt(&self, module_id: &str) -> Result<AttemptView> {
        self.start_attempt_seeded(module_id, crate::random::seed()?)
    }

    /// [`Device::start_attempt`] with the draw's seed given (to replay a draw when
    /// debugging; a resumed attempt keeps the seed it started with).
    pub fn start_attempt_seeded(&self, module_id: &str, seed: u64) -> Result<AttemptView> {
        let attempt = self.store.start_attempt(module_id, Utc::now(), seed)?;
        let view = self.view_of(attempt)?;
        self.clock.start(module_id);
        Ok(view)
    }

    /// Answers (or changes the answer to) a question of the attempt in progress.
    pub fn answer(&self, module_id: &str, question_id: &str, answer: Answer) -> Result<()> {
        let elapsed = self.clock.elapsed(module_id);
        Ok(self.store.answer(module_id, question_id, answer, elapsed)?)
    }

    /// Answers a numeric or short-text question with what the learner typed; text that
    /// cannot be read leaves the question unanswered and says what to write.
    pub fn answer_typed(&self, module_id: &str, question_id: &str, text: &str) -> Result<()> {
        let elapsed = self.clock.elapsed(module_id);
        Ok(self
            .store
            .answer_typed(module_id, question_id, text, elapsed)?)
    }

    /// Submits the attempt in progress; the signed record is stored before this returns.
    pub fn submit(&self, module_id: &str) -> Result<SubmitView> {
        self.submit_attested(module_id, &[])
    }

    /// [`Device::submit`] with assessors' attestations for practical checklists.
    pub fn submit_attested(
        &self,
        module_id: &str,
        attestations: &[Attestation],
    ) -> Result<SubmitView> {
        let elapsed = self.clock.elapsed(module_id);
        let (outcome, record) = self
            .store
            .submit(module_id, Utc::now(), elapsed, attestations)?;
        self.clock.stop(module_id);
        Ok(SubmitView::new(outcome, &record))
    }

    /// Every question of a module's bank in the author's order (see
    /// [`QuestionView::in_author_order`]), practical checklists included.
    pub fn questions(&self, module_id: &str) -> Result<Vec<QuestionView>> {
        let module = self.store.module(module_id)?;
        Ok(module
            .questions
            .iter()
            .map(QuestionView::in_author_order)
            .collect())
    }

    fn view_of(&self, attempt: Attempt) -> Result<AttemptView> {
        let module = self.store.module(&attempt.module_id)?;
        Ok(AttemptView {
            questions: attempt.views(&module),
            typed: attempt
                .answers
                .iter()
                .filter_map(|(id, answer)| Some((id.clone(), typed_text(answer)?)))
                .collect(),
            module_id: attempt.module_id,
            number: attempt.number,
            started_at: attempt.started_at,
            answers: attempt.answers.into_iter().collect(),
        })
    }
}

impl SubmitView {
    fn new(outcome: Outcome, record: &SignedRecord) -> Self {
        Self {
            outcome,
            record_id: record.record.id.clone(),
            seq: record.record.seq,
        }
    }
}
