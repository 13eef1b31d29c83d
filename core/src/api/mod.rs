//! The one facade the Android and iOS shells see (uniffi proc-macros, feature `ffi`). Every
//! call is blocking: shells call it from a background thread (WorkManager, a background
//! dispatcher, BackgroundTasks). Each method converts its input, delegates to the
//! [`Device`] (the same object `skillpack device` drives) and converts the result; the rules
//! live in the core, so both apps and the terminal behave alike.
//! The learner's credentials (list, export as JSON or a QR payload, keep one given as a
//! file, verify any) are in `credentials`.

mod badges;
mod credentials;
mod error;
mod listeners;
#[cfg(test)]
mod tests;
mod types;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

pub use credentials::{CredentialView, RevocationView};
pub use error::{ApiResult, SkillpackError};
pub use listeners::{PlatformKeyStore, ProgressListener};
use listeners::{ShellKeys, ShellProgress};
pub use types::{IdentityBackupView, InstallView};

use crate::assess::Answer;
use crate::device::{AttemptView, Device, ResultView, SubmitView};
use crate::keys::PublicKey;
use crate::store::{CatalogEntry, LearnerSettings, LessonContent, Store};
use crate::sync::SyncReport;

/// The learner's app: one device store in the app's folder, with its keys.
#[derive(uniffi::Object)]
pub struct Skillpack {
    /// The open device; calls clone the `Arc` and let go of the lock, so a long sync does
    /// not hold up a screen reading a lesson.
    device: Mutex<Option<Arc<Device>>>,
    /// The platform's key store, when the shell gave one (files in the folder otherwise).
    keys: Option<Arc<dyn PlatformKeyStore>>,
}

#[uniffi::export]
impl Skillpack {
    /// Opens (or creates) the store in `dir`. With `keys`, the device keys live in the
    /// platform's key store; without, in files in `dir` (readable only by the app).
    #[uniffi::constructor]
    pub fn open(dir: String, keys: Option<Arc<dyn PlatformKeyStore>>) -> ApiResult<Arc<Self>> {
        let dir = PathBuf::from(dir);
        let device = match &keys {
            Some(keys) => Device::create_with(&dir, &ShellKeys(keys.clone()))?,
            None => Device::create(&dir)?,
        };
        Ok(Arc::new(Self {
            device: Mutex::new(Some(Arc::new(device))),
            keys,
        }))
    }

    /// Closes the store; any later call returns `Closed`. (Not `close`: the bindings give
    /// every object a `close()` that frees it.)
    pub fn close_store(&self) {
        self.lock().take();
    }

    /// The learner's `did:key`: whom credentials and results are about.
    pub fn learner_did(&self) -> ApiResult<String> {
        self.with(|d| Ok(d.store().learner_did()))
    }

    /// The learner's key sealed under `passphrase` (at least 10 characters), as a file's text
    /// and as the texts of a few QR codes, for the learner to keep off the phone.
    pub fn export_identity(&self, passphrase: String) -> ApiResult<IdentityBackupView> {
        self.with(|d| Ok(d.export_identity(&passphrase)?.try_into()?))
    }

    /// Brings the learner back on this phone from their backup (the file's text, or the QR
    /// codes' texts one per line, in any order) and passphrase; gives the learner's
    /// `did:key`. Only a phone with no results or registration of its own yet may do this
    /// (`IdentityInUse` otherwise).
    pub fn restore_identity(&self, backup: String, passphrase: String) -> ApiResult<String> {
        let restored = self.with(|d| {
            Ok(match &self.keys {
                Some(keys) => d.restore_identity(&ShellKeys(keys.clone()), &backup, &passphrase),
                None => d.restore_identity(&Store::file_keys(d.dir()), &backup, &passphrase),
            }?)
        })?;
        let learner = restored.store().learner_did();
        *self.lock() = Some(Arc::new(restored));
        Ok(learner)
    }

    /// Trusts a publisher by its `did:key` (from a trainer's QR code, say).
    pub fn trust_publisher(&self, did_key: String, label: String) -> ApiResult<()> {
        let key = PublicKey::parse(&did_key)?;
        self.with(|d| Ok(d.store().trust(&key, &label)?))
    }

    /// Trusts whoever signed the pack at `path`, once the learner has accepted the
    /// fingerprint an `Untrusted` error showed; returns that fingerprint.
    pub fn trust_publisher_of(&self, path: String, label: String) -> ApiResult<String> {
        self.with(|d| Ok(d.store().trust_publisher_of(Path::new(&path), &label)?))
    }

    /// Installs (or updates) the pack file at `path`.
    pub fn install(&self, path: String) -> ApiResult<InstallView> {
        self.with(|d| Ok(d.store().install(Path::new(&path))?.into()))
    }

    /// Removes a pack; progress and results stay.
    pub fn uninstall(&self, pack_id: String) -> ApiResult<()> {
        self.with(|d| Ok(d.store().uninstall(&pack_id)?))
    }

    /// Every installed module, with where the learner stands.
    pub fn catalog(&self) -> ApiResult<Vec<CatalogEntry>> {
        self.with(|d| Ok(d.catalog()?))
    }

    /// Lesson `index` (from 0) of a module: its blocks and media in the chosen rendition.
    pub fn lesson(&self, module_id: String, index: u32) -> ApiResult<LessonContent> {
        self.with(|d| Ok(d.store().lesson(&module_id, index as usize)?))
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
        self.with(|d| {
            Ok(d.store()
                .record_progress(&module_id, index as usize, spent, block)?)
        })
    }

    /// Starts the next attempt at a module, or returns the one in progress.
    pub fn start_attempt(&self, module_id: String) -> ApiResult<AttemptView> {
        self.with(|d| Ok(d.start_attempt(&module_id)?))
    }

    /// Answers (or changes the answer to) a question of the attempt in progress.
    pub fn answer(&self, module_id: String, question_id: String, answer: Answer) -> ApiResult<()> {
        self.with(|d| Ok(d.answer(&module_id, &question_id, answer)?))
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
        self.with(|d| Ok(d.answer_typed(&module_id, &question_id, &text)?))
    }

    /// Submits the attempt in progress. The signed record is stored before this returns.
    pub fn submit(&self, module_id: String) -> ApiResult<SubmitView> {
        self.with(|d| Ok(d.submit(&module_id)?))
    }

    /// The learner's results, oldest first, each with its signed record.
    pub fn results(&self) -> ApiResult<Vec<ResultView>> {
        self.with(|d| Ok(d.results()?))
    }

    /// The more attempts trainers granted the learner, newest first.
    pub fn grants(&self) -> ApiResult<Vec<crate::store::HeldGrant>> {
        self.with(|d| Ok(d.store().grants()?))
    }

    /// The learner's settings.
    pub fn settings(&self) -> ApiResult<LearnerSettings> {
        self.with(|d| Ok(d.store().learner_settings()?))
    }

    /// Changes the learner's settings (all at once; a malformed language is refused).
    pub fn set_settings(&self, settings: LearnerSettings) -> ApiResult<()> {
        self.with(|d| Ok(d.store().set_learner_settings(&settings)?))
    }

    /// Whether a sync may run now, on a metered connection or not: the learner's data
    /// settings against what syncs have used on metered data this month (the core counts).
    pub fn may_sync(&self, metered: bool) -> ApiResult<bool> {
        self.with(|d| Ok(d.may_sync(metered)?))
    }

    /// Bytes syncs have used on metered data this month, for the settings screen.
    pub fn metered_use_this_month(&self) -> ApiResult<u64> {
        self.with(|d| Ok(d.metered_use_this_month()?))
    }

    /// Registers this device with the hub at `hub_url` with a trainer's enrolment code;
    /// returns the group it joined.
    pub fn register(&self, hub_url: String, code: String) -> ApiResult<String> {
        self.with(|d| Ok(d.register(&hub_url, &code)?))
    }

    /// Joins the group of a trainer's enrolment link as scanned from the code sheet
    /// (`skillpack://join?…`): trusts the publishers it names and registers with its hub;
    /// returns the group. `InvalidInput` for text that is not such a link.
    pub fn join_group(&self, link: String) -> ApiResult<String> {
        self.with(|d| Ok(d.join(&link)?))
    }

    /// Sends results waiting to sync and installs new packs of the learner's group, in the
    /// chosen media variant, with progress and cancellation through `listener`. On a
    /// `metered` connection it counts what it uses, and packs that do not fit what is left
    /// of the month's budget wait (`SyncReport.deferred`); when the settings allow nothing on
    /// this connection now (see `may_sync`) it is `Offline`, to try again later.
    pub fn sync_now(
        &self,
        metered: bool,
        listener: Option<Arc<dyn ProgressListener>>,
    ) -> ApiResult<SyncReport> {
        self.with(|d| Ok(d.sync(metered, &ShellProgress(listener))?))
    }

    /// Takes the hub's answer a trainer carried back to a place with no connection (the
    /// bytes of a `.answer.json` file): every part checked as a sync checks it; reported as a
    /// sync. `InvalidInput` for a file that is not an answer; an answer for another learner
    /// is refused whole.
    pub fn take_relay_answer(&self, answer: Vec<u8>) -> ApiResult<SyncReport> {
        self.with(|d| {
            let answer = crate::protocol::RelayAnswer::parse(&answer).map_err(|e| {
                SkillpackError::InvalidInput {
                    detail: e.to_string(),
                }
            })?;
            crate::sync::take_relay_answer(d.store(), answer).map_err(|e| match e {
                crate::sync::SyncError::BadAnswer(why) => {
                    SkillpackError::InvalidInput { detail: why }
                }
                other => other.into(),
            })
        })
    }
}

impl Skillpack {
    fn lock(&self) -> MutexGuard<'_, Option<Arc<Device>>> {
        self.device.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on the open device, or answers `Closed`.
    fn with<T>(&self, f: impl FnOnce(&Device) -> ApiResult<T>) -> ApiResult<T> {
        let device = self.lock().clone();
        match device {
            Some(device) => f(&device),
            None => Err(SkillpackError::Closed {
                detail: "the store was closed".into(),
            }),
        }
    }
}
