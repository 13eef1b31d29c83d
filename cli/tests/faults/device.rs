//! A learner's device inside the test's process, driven through the core as the apps drive
//! it: a store in a folder of its own that trusts the trainer, the module its learner takes
//! (installed from the trainer's file, so results exist before the hub is ever reached),
//! real attempts answered and submitted through the store (each a signed record in the
//! device's chain), and syncs through the proxy with the core's hub client.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use skillpack_core::assess::{Answer, SeededRng};
use skillpack_core::keys::file::read_public;
use skillpack_core::module::Module;
use skillpack_core::store::Store;
use skillpack_core::sync::{HubClient, SyncError, SyncPolicy, SyncReport};
use skillpack_core::testing::right_answers;

use crate::hub::publisher_keys;

/// How long a learner takes over one attempt, as the store is told.
const ATTEMPT_TIME: Duration = Duration::from_secs(240);

/// One device and its learner.
pub struct TestDevice {
    /// A name for messages (`device-7`).
    pub name: String,
    /// Its folder.
    pub dir: PathBuf,
    /// Its store: packs, records, outbox, keys.
    pub store: Store,
    /// The group its enrolment code joins.
    pub group: String,
    code: String,
    module: Module,
    answers: BTreeMap<String, Answer>,
    rng: SeededRng,
    /// What went wrong in syncs that were allowed to fail (under faults), for the log.
    pub errors: Vec<String>,
}

impl TestDevice {
    /// A new device in `parent/name` that trusts the trainer and has `pack` (holding
    /// `module`) installed from the trainer's file; it will register in `group` with `code`.
    pub fn new(parent: &Path, name: &str, enrolment: (&str, &str), pack: &Path, seed: u64) -> Self {
        let dir = parent.join(name);
        let store = Store::open(&dir).unwrap();
        Self::with_store(name, dir, store, enrolment, pack, seed)
    }

    /// A device around a store that already exists (a learner's identity restored into it).
    pub fn with_store(
        name: &str,
        dir: PathBuf,
        store: Store,
        (group, code): (&str, &str),
        pack: &Path,
        seed: u64,
    ) -> Self {
        let trainer = read_public(&publisher_keys().1).unwrap();
        store.trust(&trainer, "demo publisher").unwrap();
        let installed = store.install(pack).unwrap();
        let module = store.module(&installed.modules[0]).unwrap();
        Self {
            name: name.to_owned(),
            dir,
            store,
            group: group.to_owned(),
            code: code.to_owned(),
            answers: right_answers(&module),
            module,
            rng: SeededRng::new(seed),
            errors: Vec::new(),
        }
    }

    /// Takes the module's assessment `n` times now.
    pub fn take(&mut self, n: usize) {
        for _ in 0..n {
            self.take_at(Utc::now());
        }
    }

    /// Takes the assessment once, starting at device time `start`: a fresh draw, every
    /// drawn question answered right, submitted a few minutes later (a signed record).
    pub fn take_at(&mut self, start: DateTime<Utc>) {
        let id = self.module.id.clone();
        let attempt = self
            .store
            .start_attempt(&id, start, self.rng.next_u64())
            .unwrap();
        for question in &attempt.questions {
            let answer = self.answers[&question.id].clone();
            let elapsed = ATTEMPT_TIME / 2;
            self.store
                .answer(&id, &question.id, answer, elapsed)
                .unwrap();
        }
        let end = start + ATTEMPT_TIME;
        let (outcome, _) = self.store.submit(&id, end, ATTEMPT_TIME, &[]).unwrap();
        assert!(outcome.passed, "{}: right answers pass", self.name);
    }

    /// What the app does when a connection appears: registers once, then syncs (pushes the
    /// outbox, installs the group's new packs), through the hub at `url`.
    pub fn connect(&self, url: &str) -> Result<SyncReport, SyncError> {
        let client = HubClient::with_policy(url, policy())?;
        if self.store.registration()?.is_none() {
            client.register(&self.store, &self.code)?;
        }
        client.sync(&self.store, &self.dir.join("downloads"))
    }

    /// [`TestDevice::connect`] where failing is expected (faults are on): an error is
    /// logged and the device tries again another time.
    pub fn connect_or_log(&mut self, url: &str, when: &str) {
        if let Err(e) = self.connect(url) {
            self.errors.push(format!("{when}: {e}"));
        }
    }
}

/// The app's sync policy, but asking the hub what it holds at every sync (the app asks once a
/// day when there is nothing to send): a hub restored from a backup heals in one round.
pub fn policy() -> SyncPolicy {
    SyncPolicy {
        held_check_every: std::time::Duration::ZERO,
        ..SyncPolicy::default()
    }
}
