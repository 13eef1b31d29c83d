//! The one facade the Android and iOS shells see (uniffi proc-macros, feature `ffi`). Every
//! call is blocking: shells call it from a background thread (WorkManager, a background
//! dispatcher, BackgroundTasks). Each method converts its input, delegates to the store or
//! the hub client, and converts the result; the rules live in the core, so both apps behave
//! alike.
//!
//! Not here yet: credentials (list, export, QR payload, verify) arrive with the credential
//! concern.

mod error;
mod listeners;
#[cfg(test)]
mod tests;
mod types;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::Utc;

pub use error::{ApiResult, SkillpackError};
pub use listeners::{PlatformKeyStore, ProgressListener};
use listeners::{ShellKeys, ShellProgress};
pub use types::{AttemptView, InstallView, ResultView, SubmitView, SyncView};

use crate::assess::{typed_text, Answer};
use crate::keys::PublicKey;
use crate::store::{CatalogEntry, LearnerSettings, LessonContent, Store};
use crate::sync::HubClient;

/// The learner's app: one store in the app's folder, with its keys.
#[derive(uniffi::Object)]
pub struct Skillpack {
    dir: PathBuf,
    /// The open store; calls clone the `Arc` and let go of the lock, so a long sync does not
    /// hold up a screen reading a lesson.
    store: Mutex<Option<Arc<Store>>>,
    /// When each attempt in progress started, on the monotonic clock, so the time it takes
    /// stays right when the learner changes the phone's clock.
    started: Mutex<HashMap<String, Instant>>,
}

#[uniffi::export]
impl Skillpack {
    /// Opens (or creates) the store in `dir`. With `keys`, the device keys live in the
    /// platform's key store; without, in files in `dir` (readable only by the app).
    #[uniffi::constructor]
    pub fn open(dir: String, keys: Option<Arc<dyn PlatformKeyStore>>) -> ApiResult<Arc<Self>> {
        let path = PathBuf::from(&dir);
        let store = match keys {
            Some(keys) => Store::open_with(&path, &ShellKeys(keys))?,
            None => Store::open(&path)?,
        };
        Ok(Arc::new(Self {
            dir: path,
            store: Mutex::new(Some(Arc::new(store))),
            started: Mutex::new(HashMap::new()),
        }))
    }

    /// Closes the store; any later call returns `Closed`. (Not `close`: the bindings give
    /// every object a `close()` that frees it.)
    pub fn close_store(&self) {
        self.lock_store().take();
    }

    /// The learner's `did:key`: whom credentials and results are about.
    pub fn learner_did(&self) -> ApiResult<String> {
        self.with(|s| Ok(s.learner_did()))
    }

    /// Trusts a publisher by its `did:key` (from a trainer's QR code, say).
    pub fn trust_publisher(&self, did_key: String, label: String) -> ApiResult<()> {
        let key = PublicKey::parse(&did_key)?;
        self.with(|s| Ok(s.trust(&key, &label)?))
    }

    /// Trusts whoever signed the pack at `path`, once the learner has accepted the
    /// fingerprint an `Untrusted` error showed; returns that fingerprint.
    pub fn trust_publisher_of(&self, path: String, label: String) -> ApiResult<String> {
        self.with(|s| Ok(s.trust_publisher_of(Path::new(&path), &label)?))
    }

    /// Installs (or updates) the pack file at `path`.
    pub fn install(&self, path: String) -> ApiResult<InstallView> {
        self.with(|s| Ok(s.install(Path::new(&path))?.into()))
    }

    /// Removes a pack; progress and results stay.
    pub fn uninstall(&self, pack_id: String) -> ApiResult<()> {
        self.with(|s| Ok(s.uninstall(&pack_id)?))
    }

    /// Every installed module, with where the learner stands.
    pub fn catalog(&self) -> ApiResult<Vec<CatalogEntry>> {
        self.with(|s| Ok(s.catalog(Utc::now())?))
    }

    /// Lesson `index` (from 0) of a module: Markdown and media in the chosen rendition.
    pub fn lesson(&self, module_id: String, index: u32) -> ApiResult<LessonContent> {
        self.with(|s| Ok(s.lesson(&module_id, index as usize)?))
    }

    /// Records time spent reading a lesson, and the block the learner stopped at (the next
    /// `lesson` call gives it back as `resume_block`).
    pub fn record_progress(
        &self,
        module_id: String,
        index: u32,
        spent_ms: u64,
        block: Option<u32>,
    ) -> ApiResult<()> {
        let spent = Duration::from_millis(spent_ms);
        self.with(|s| Ok(s.record_progress(&module_id, index as usize, spent, block)?))
    }

    /// Starts the next attempt at a module, or returns the one in progress.
    pub fn start_attempt(&self, module_id: String) -> ApiResult<AttemptView> {
        let seed = random_seed()?;
        let view = self.with(|s| {
            let attempt = s.start_attempt(&module_id, Utc::now(), seed)?;
            let module = s.module(&module_id)?;
            Ok(AttemptView {
                module_id: attempt.module_id.clone(),
                number: attempt.number,
                started_at: attempt.started_at,
                questions: attempt.views(&module),
                typed: attempt
                    .answers
                    .iter()
                    .filter_map(|(id, answer)| Some((id.clone(), typed_text(answer)?)))
                    .collect(),
                answers: attempt.answers.into_iter().collect(),
            })
        })?;
        self.lock_started()
            .entry(module_id)
            .or_insert_with(Instant::now);
        Ok(view)
    }

    /// Answers (or changes the answer to) a question of the attempt in progress.
    pub fn answer(&self, module_id: String, question_id: String, answer: Answer) -> ApiResult<()> {
        let elapsed = self.elapsed(&module_id);
        self.with(|s| Ok(s.answer(&module_id, &question_id, answer, elapsed)?))
    }

    /// Answers a numeric or short-text question with what the learner typed, as they type:
    /// the core reads the number (decimal point or comma, grouping). Empty text, or text
    /// that cannot be read, leaves the question unanswered; the latter is `InvalidInput`
    /// whose detail says what to write.
    pub fn answer_typed(
        &self,
        module_id: String,
        question_id: String,
        text: String,
    ) -> ApiResult<()> {
        let elapsed = self.elapsed(&module_id);
        self.with(|s| Ok(s.answer_typed(&module_id, &question_id, &text, elapsed)?))
    }

    /// Submits the attempt in progress. The signed record is stored before this returns.
    pub fn submit(&self, module_id: String) -> ApiResult<SubmitView> {
        let elapsed = self.elapsed(&module_id);
        let view = self.with(|s| {
            let (outcome, record) = s.submit(&module_id, Utc::now(), elapsed, &[])?;
            Ok(SubmitView {
                outcome,
                record_id: record.record.id,
            })
        })?;
        self.lock_started().remove(&module_id);
        Ok(view)
    }

    /// The learner's results, newest last, each with its signed record.
    pub fn results(&self) -> ApiResult<Vec<ResultView>> {
        self.with(|s| {
            s.results()?
                .iter()
                .map(|(record, synced)| ResultView::new(record, *synced))
                .collect()
        })
    }

    /// The learner's settings.
    pub fn settings(&self) -> ApiResult<LearnerSettings> {
        self.with(|s| Ok(s.learner_settings()?))
    }

    /// Changes the learner's settings (all at once; a malformed language is refused).
    pub fn set_settings(&self, settings: LearnerSettings) -> ApiResult<()> {
        self.with(|s| Ok(s.set_learner_settings(&settings)?))
    }

    /// Whether a sync may run now, on a metered connection or not: the learner's data
    /// settings against what syncs have used on metered data this month (the core counts).
    pub fn may_sync(&self, metered: bool) -> ApiResult<bool> {
        self.with(|s| {
            let used = s.metered_use(Utc::now())?;
            Ok(s.learner_settings()?.may_sync(metered, used))
        })
    }

    /// Bytes syncs have used on metered data this month, for the settings screen.
    pub fn metered_use_this_month(&self) -> ApiResult<u64> {
        self.with(|s| Ok(s.metered_use(Utc::now())?))
    }

    /// Registers this device with the hub at `hub_url` with a trainer's enrolment code;
    /// returns the group it joined.
    pub fn register(&self, hub_url: String, code: String) -> ApiResult<String> {
        let client = HubClient::new(&hub_url)?;
        self.with(|s| Ok(client.register(s, &code)?))
    }

    /// Sends results waiting to sync and installs new packs of the learner's group, in the
    /// chosen media variant, with progress and cancellation through `listener`. On a
    /// `metered` connection it counts what it uses, and packs that do not fit what is left
    /// of the month's budget wait (`SyncView.deferred`); when the settings allow nothing on
    /// this connection now (see `may_sync`) it is `Offline`, to try again later.
    pub fn sync_now(
        &self,
        metered: bool,
        listener: Option<Arc<dyn ProgressListener>>,
    ) -> ApiResult<SyncView> {
        let downloads = self.dir.join("downloads");
        self.with(|s| {
            let used = s.metered_use(Utc::now())?;
            let allowance = s.learner_settings()?.allowance(metered, used);
            if allowance == Some(0) {
                return Err(SkillpackError::Offline {
                    detail: "the data settings allow no sync on this connection now".into(),
                });
            }
            let client = HubClient::registered(s)?;
            let synced = client.sync_with(s, &downloads, &ShellProgress(listener), allowance);
            if metered {
                s.add_metered_use(Utc::now(), client.bytes_moved())?;
            }
            Ok(synced?.into())
        })
    }
}

impl Skillpack {
    fn lock_store(&self) -> MutexGuard<'_, Option<Arc<Store>>> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock_started(&self) -> MutexGuard<'_, HashMap<String, Instant>> {
        self.started.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on the open store, or answers `Closed`.
    fn with<T>(&self, f: impl FnOnce(&Store) -> ApiResult<T>) -> ApiResult<T> {
        let store = self.lock_store().clone();
        match store {
            Some(store) => f(&store),
            None => Err(SkillpackError::Closed {
                detail: "the store was closed".into(),
            }),
        }
    }

    /// Time since the attempt at `module_id` started in this process. After a restart the
    /// core falls back on the device clock (it clamps what it is given to the time limit).
    fn elapsed(&self, module_id: &str) -> Duration {
        self.lock_started()
            .get(module_id)
            .map_or(Duration::ZERO, Instant::elapsed)
    }
}

fn random_seed() -> ApiResult<u64> {
    let mut bytes = [0u8; 8];
    getrandom::getrandom(&mut bytes).map_err(|e| SkillpackError::Internal {
        detail: format!("no randomness: {e}"),
    })?;
    Ok(u64::from_le_bytes(bytes))
}

impl From<crate::Error> for SkillpackError {
    fn from(e: crate::Error) -> Self {
        match e {
            crate::Error::Key(e) => e.into(),
            crate::Error::Pack(e) => e.into(),
            crate::Error::Authoring(e) => SkillpackError::InvalidInput {
                detail: e.to_string(),
            },
            crate::Error::Assess(e) => e.into(),
            crate::Error::Ledger(e) => e.into(),
            crate::Error::Store(e) => e.into(),
        }
    }
}
