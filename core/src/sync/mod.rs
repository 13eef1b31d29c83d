//! The hub client on the device (feature `client`): register with an enrolment code, push the
//! outbox and mark what the hub acknowledged, take the learner's credentials and check every
//! kept one against its issuer's revocation list, and fetch the group's catalog and the
//! packs that are new or updated, resuming a cut download with an HTTP range. Every write is
//! a signed request over a nonce from the hub; the device key stays in the store.

mod answer;
mod choose;
mod credentials;
mod delta;
mod download;
mod error;
mod grants;
mod history;
mod http;
mod policy;
mod report;
mod revocation;
mod status;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::Utc;
use reqwest::blocking::Client;
use reqwest::header::{ETAG, IF_NONE_MATCH};
use reqwest::StatusCode;

pub use answer::take_relay_answer;
pub use error::SyncError;
pub use policy::{Deadline, SyncPolicy, STALL_BYTES};
pub use report::{
    PackProblem, PackVersion, RefusedCredential, RefusedGrant, RefusedRecord, RevokedCredential,
    SyncReport, UnreadList,
};
pub use status::{
    check_credential, check_credential_with, fetch_controller_document, fetch_credential,
    fetch_status_list, CheckedCredential, RevocationStatus, STATUS_TIMEOUT,
};

use crate::hash::ContentHash;
use crate::keys::{PublicKey, SecretKey};
use crate::progress::{NoProgress, Progress};
use crate::protocol::{
    catalog_tag, endpoint, CatalogEntry, CatalogResponse, GroupName, PublishResponse, PushRequest,
    PushResponse, RecordStatus, RegisterRequest, RegisterResponse,
};
use crate::store::{CachedCatalog, Registration, Store};
use choose::{is_pack_hash, newer_packs, within_allowance, Fetch};
use download::Wanted;
use grants::take_grants;
use http::{Body, RequestSigner, Within};

/// What one push brought back.
struct Pushed {
    /// What the hub holds of this device.
    held: Option<crate::protocol::HeldRecords>,
    /// Its grants filled a page and took the device further: there may be more.
    more_grants: bool,
}

/// Records sent per request (the hub takes at most 500).
const PUSH_BATCH: usize = 100;

/// What a request costs on the wire besides its bodies (request line, headers, TLS
/// records): an estimate, so the data budget errs on the learner's side.
const REQUEST_OVERHEAD: u64 = 600;

/// Pack bytes downloaded so far in one sync, reported as they come.
struct Bytes<'a> {
    /// Bytes of the packs finished.
    finished: u64,
    /// Bytes of the pack under way.
    current: u64,
    total: u64,
    progress: &'a dyn Progress,
}

impl Bytes<'_> {
    fn add(&mut self, n: u64) {
        self.reached(self.current + n);
    }

    /// The pack under way has `n` bytes (a resumed download starts with some).
    fn reached(&mut self, n: u64) {
        self.current = n;
        let done = self.finished + self.current;
        self.progress.on_progress(done, self.total.max(done));
    }

    fn next_pack(&mut self) {
        self.finished += self.current;
        self.current = 0;
    }
}

/// A hub, as the device (and a trainer's `publish`) talks to it.
#[derive(Debug, Clone)]
pub struct HubClient {
    base: String,
    http: Client,
    policy: SyncPolicy,
    /// Bytes sent and received so far, for the learner's data budget.
    moved: Arc<AtomicU64>,
}

impl HubClient {
    /// A client for the hub at `base` (`https://hub.example.org`), with the default policy.
    pub fn new(base: &str) -> Result<Self, SyncError> {
        Self::with_policy(base, SyncPolicy::default())
    }

    /// A client for the hub at `base` that keeps to `policy`.
    pub fn with_policy(base: &str, policy: SyncPolicy) -> Result<Self, SyncError> {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::ACCEPT_ENCODING,
            reqwest::header::HeaderValue::from_static("zstd"),
        );
        let http = Client::builder()
            .default_headers(headers)
            .connect_timeout(policy.stall)
            // Each wait for the network; the whole of each request is bounded by ours.
            .timeout(policy.stall)
            .redirect(status::readable_redirects())
            .build()
            .map_err(|e| SyncError::Offline(e.to_string()))?;
        Ok(Self {
            base: base.trim_end_matches('/').to_owned(),
            http,
            policy,
            moved: Arc::new(AtomicU64::new(0)),
        })
    }

    /// Bytes this client has sent and received (bodies, plus an estimate per request for
    /// the rest), whether its calls succeeded or not.
    pub fn bytes_moved(&self) -> u64 {
        self.moved.load(Ordering::Relaxed)
    }

    fn count(&self, bytes: u64) {
        self.moved.fetch_add(bytes, Ordering::Relaxed);
    }

    /// A client for the hub this device registered with.
    pub fn registered(store: &Store) -> Result<Self, SyncError> {
        let registration = store.registration()?.ok_or(SyncError::NotRegistered)?;
        Self::new(&registration.hub)
    }

    /// The bounds of one call made on its own (not within a sync).
    fn one_call<'a>(&self, progress: &'a dyn Progress) -> Within<'a> {
        Within {
            deadline: Deadline::after(self.policy.sync_deadline),
            progress,
        }
    }

    /// Registers the device and its learner with an enrolment code; remembers hub and group.
    pub fn register(&self, store: &Store, code: &str) -> Result<String, SyncError> {
        self.register_within(store, code, self.one_call(&NoProgress))
    }

    fn register_within(
        &self,
        store: &Store,
        code: &str,
        within: Within<'_>,
    ) -> Result<String, SyncError> {
        let name = store.learner_settings()?.display_name;
        let body = serde_json::to_vec(&RegisterRequest {
            enrolment_code: code.to_owned(),
            learner: store.learner_did(),
            binding: Some(store.binding()?),
            name: name.clone(),
        })
        .map_err(|e| SyncError::BadAnswer(e.to_string()))?;
        let answer: RegisterResponse =
            self.post_signed(store, endpoint::DEVICES, Body::Json(body), within)?;
        // The group names every later catalog request: hold it to the one rule first.
        GroupName::parse(&answer.group).map_err(|e| {
            SyncError::BadAnswer(format!("the hub named group {:?}: {e}", answer.group))
        })?;
        store.set_registration(&Registration {
            hub: self.base.clone(),
            group: answer.group.clone(),
        })?;
        store.set_enrolment_code(code)?;
        store.set_name_sent(name.as_deref().unwrap_or(""))?;
        Ok(answer.group)
    }

    /// Pushes the outbox, takes new credentials, checks the kept ones' revocation, then
    /// installs new or updated packs of the device's group.
    pub fn sync(&self, store: &Store, downloads: &Path) -> Result<SyncReport, SyncError> {
        self.sync_with(store, downloads, &NoProgress, None)
    }

    /// [`HubClient::sync`], reporting progress (records pushed, then pack bytes downloaded)
    /// and stopping with [`SyncError::Cancelled`] when asked: between batches, and between
    /// 64 KiB pieces of a download, which resumes where it stopped next time. With an
    /// `allowance` (bytes, on metered data), packs that would not fit wait for a later sync;
    /// results always go, being small. The whole sync keeps to the policy's deadline.
    ///
    /// A sync that stops after it did something returns its report with
    /// [`SyncReport::unfinished`] saying why; one that did nothing returns the error.
    pub fn sync_with(
        &self,
        store: &Store,
        downloads: &Path,
        progress: &dyn Progress,
        allowance: Option<u64>,
    ) -> Result<SyncReport, SyncError> {
        store.registration()?.ok_or(SyncError::NotRegistered)?;
        let cap = allowance.map(|a| self.bytes_moved().saturating_add(a));
        let within = self.one_call(progress);
        let mut report = SyncReport::default();
        let done = self
            .push_all(store, &mut report, within)
            .and_then(|()| self.take_announced_credentials(store, &mut report, within))
            .and_then(|()| self.take_announced_history(store, &mut report, within))
            // Before the packs, which may take the rest of the sync's time: a learner who
            // syncs learns at once what a trainer revoked.
            .and_then(|()| self.check_revocations(store, &mut report, within))
            .and_then(|()| {
                // Read after pushing: the hub's answer may have moved the device to its group.
                let group = store.registration()?.ok_or(SyncError::NotRegistered)?.group;
                self.update_packs(store, &group, downloads, cap, &mut report, within)
            });
        match done {
            Ok(()) => Ok(report),
            Err(e) if report.did_something() => {
                report.unfinished = Some(e.to_string());
                Ok(report)
            }
            Err(e) => Err(e),
        }
    }

    /// Takes the credentials the hub announced in its answer to a push, if it announced any.
    /// A hub that answers badly (a refusal, a malformed or disordered page) is reported and
    /// the sync goes on to the packs; only a lost network or a cancel stops it.
    fn take_announced_credentials(
        &self,
        store: &Store,
        report: &mut SyncReport,
        within: Within<'_>,
    ) -> Result<(), SyncError> {
        let Some(newest) = store.announced()?.0 else {
            return Ok(());
        };
        match self.take_credentials(store, newest, report, within) {
            Err(e @ (SyncError::BadAnswer(_) | SyncError::Refused { .. })) => {
                report.credentials_refused.push(RefusedCredential {
                    id: "(the hub's answer)".into(),
                    reason: e.to_string(),
                });
                Ok(())
            }
            other => other,
        }
    }

    /// Takes the learner's records from their other devices that the hub announced in its
    /// answer to a push, when the device keeps fewer. A hub that answers badly is reported and
    /// the sync goes on; only a lost network or a cancel stops it.
    fn take_announced_history(
        &self,
        store: &Store,
        report: &mut SyncReport,
        within: Within<'_>,
    ) -> Result<(), SyncError> {
        let Some(held) = store.announced()?.1 else {
            return Ok(());
        };
        match self.take_history(store, held, report, within) {
            Err(e @ (SyncError::BadAnswer(_) | SyncError::Refused { .. })) => {
                report
                    .history_refused
                    .push(format!("the hub's answer: {e}"));
                Ok(())
            }
            other => other,
        }
    }

    /// Sends every unacknowledged record; acknowledged ones are marked in the store.
    pub fn push_outbox(&self, store: &Store) -> Result<SyncReport, SyncError> {
        let mut report = SyncReport::default();
        self.push_all(store, &mut report, self.one_call(&NoProgress))?;
        Ok(report)
    }

    /// Sends the outbox in batches (with nothing new, an empty one once a day, to hear what
    /// the hub holds: an idle sync otherwise costs only the catalog's 304); when the hub says it holds fewer of this device's records than it
    /// once acknowledged, marks the lost ones unsent and sends them again, once a sync.
    fn push_all(
        &self,
        store: &Store,
        report: &mut SyncReport,
        within: Within<'_>,
    ) -> Result<(), SyncError> {
        let mut healed = false;
        loop {
            let outbox = store.outbox()?;
            let total = outbox.len() as u64;
            within.progress.on_progress(0, total);
            let (mut held, mut more_grants) = (None, false);
            let mut sent = 0u64;
            // With nothing to send, an empty push still goes once a day (to hear what the hub
            // holds), when the learner's name changed, and while a module has no attempt
            // left (its answer brings any grant of more).
            let ask_anyway = outbox.is_empty()
                && (self.held_check_due(store)?
                    || store.name_to_send()?.is_some()
                    || store.awaits_grant()?);
            for batch in outbox
                .chunks(PUSH_BATCH)
                .chain(ask_anyway.then_some(&[][..]))
            {
                let pushed = self.push_batch(store, batch, report, within)?;
                (held, more_grants) = (pushed.held, pushed.more_grants);
                sent += batch.len() as u64;
                within.progress.on_progress(sent, total);
            }
            // A full page of grants may have more behind it: ask again with nothing to send
            // while pages come full and each takes the device further, within the deadline.
            while more_grants {
                if within.deadline.passed() {
                    return Err(SyncError::OutOfTime);
                }
                let pushed = self.push_batch(store, &[], report, within)?;
                (held, more_grants) = (pushed.held, pushed.more_grants);
            }
            let Some(held) = held else {
                return Ok(());
            };
            store.set_held_checked(Utc::now())?;
            if healed {
                return Ok(());
            }
            let resent = store.resend_lost(held.count, held.last_seq)?;
            if resent == 0 {
                return Ok(());
            }
            report.resent += u32::try_from(resent).unwrap_or(u32::MAX);
            healed = true;
        }
    }

    /// Whether to ask the hub what it holds of this device although there is nothing to
    /// send: when the policy's interval has passed since it last said (or the clock went
    /// back, or it never said).
    fn held_check_due(&self, store: &Store) -> Result<bool, SyncError> {
        let now = Utc::now();
        Ok(store.held_checked_at()?.is_none_or(|at| {
            at > now || (now - at).to_std().unwrap_or_default() >= self.policy.held_check_every
        }))
    }

    /// Sends one batch and marks what the hub acknowledged; returns what the hub holds of
    /// this device. A hub that forgot the device (restored from a backup older than its
    /// registration) is joined again with the device's enrolment code.
    fn push_batch(
        &self,
        store: &Store,
        batch: &[crate::ledger::SignedRecord],
        report: &mut SyncReport,
        within: Within<'_>,
    ) -> Result<Pushed, SyncError> {
        if within.progress.is_cancelled() {
            return Err(SyncError::Cancelled);
        }
        let name = store.name_to_send()?;
        let body = serde_json::to_vec(&PushRequest {
            records: batch.to_vec(),
            name: name.clone(),
            grants_after: Some(store.grants_taken()?),
        })
        .map_err(|e| SyncError::BadAnswer(e.to_string()))?;
        let push = |body: Vec<u8>| -> Result<PushResponse, SyncError> {
            self.post_signed(store, endpoint::RECORDS, Body::Json(body), within)
        };
        let answer = match push(body.clone()) {
            Err(SyncError::Refused { code, .. }) if code == "unknown_device" => {
                let code = store.enrolment_code()?.ok_or(SyncError::NotRegistered)?;
                self.register_within(store, &code, within)?;
                push(body)?
            }
            other => other?,
        };
        let mut acked = Vec::new();
        for r in answer.results {
            match r.status {
                RecordStatus::Accepted => report.pushed += 1,
                RecordStatus::Duplicate => report.already_there += 1,
                RecordStatus::Rejected => {
                    report.rejected.push(RefusedRecord {
                        id: r.id,
                        reason: r.note.unwrap_or_default(),
                    });
                    continue;
                }
            }
            acked.push(r.id);
        }
        store.acknowledge(&acked)?;
        if let Some(group) = answer.group {
            self.follow_group(store, group)?;
        }
        if let Some(name) = name {
            store.set_name_sent(&name)?;
        }
        // Kept in the store: what is left of it is taken at the next sync, push or not.
        if answer.credentials.is_some() || answer.history.is_some() {
            store.set_announced(answer.credentials, answer.history)?;
        }
        let taken_before = store.grants_taken()?;
        let full = answer.grants.len() >= crate::protocol::MAX_GRANTS_PER_ANSWER;
        take_grants(store, answer.grants, report)?;
        Ok(Pushed {
            held: answer.held,
            more_grants: full && store.grants_taken()? > taken_before,
        })
    }

    /// Takes the group the hub holds the device in, when it differs from the remembered one
    /// (an operator moved the device, or the registration's answer came damaged).
    fn follow_group(&self, store: &Store, group: String) -> Result<(), SyncError> {
        let Some(registration) = store.registration()? else {
            return Ok(());
        };
        if registration.group != group && GroupName::parse(&group).is_ok() {
            store.set_registration(&Registration {
                group,
                ..registration
            })?;
        }
        Ok(())
    }

    /// Downloads and installs packs of `group` that are not installed or have a newer
    /// version, in the variant the learner's media setting asks for, until this client has
    /// moved `cap` bytes. A pack that fails is reported and never stops the others; one from
    /// a publisher the device does not trust is reported and not downloaded.
    fn update_packs(
        &self,
        store: &Store,
        group: &str,
        downloads: &Path,
        cap: Option<u64>,
        report: &mut SyncReport,
        within: Within<'_>,
    ) -> Result<(), SyncError> {
        let catalog = self.catalog(store, group, within)?;
        let (sound, malformed): (Vec<CatalogEntry>, Vec<CatalogEntry>) = catalog
            .packs
            .into_iter()
            .partition(|e| is_pack_hash(&e.hash));
        report.failed.extend(
            malformed
                .iter()
                .map(|e| PackProblem::of(e, "the hub gave a malformed hash")),
        );
        let media = store.learner_settings()?.media;
        let trusted = store.trusted()?;
        let installed = store.installed_packs()?;
        let newer = newer_packs(sound, &installed, media)?;
        prune_downloads(downloads, &newer);
        let mut wanted = Vec::new();
        for entry in newer {
            let publisher = PublicKey::parse(&entry.publisher).ok();
            if publisher.is_some_and(|p| trusted.contains(&p)) {
                let have = proven_part(downloads, &entry.hash);
                wanted.push(Fetch {
                    remaining: entry.size.saturating_sub(have) + REQUEST_OVERHEAD,
                    entry,
                });
            } else {
                report.untrusted.push(PackProblem::of(
                    &entry,
                    "its publisher is not one this device trusts",
                ));
            }
        }
        let allowance = cap.map(|c| c.saturating_sub(self.bytes_moved()));
        let choice = within_allowance(wanted, allowance);
        report.deferred = choice.deferred;
        let mut bytes = Bytes {
            finished: 0,
            current: 0,
            total: choice.fetch.iter().map(|f| f.entry.size).sum(),
            progress: within.progress,
        };
        for Fetch { entry, .. } in choice.fetch {
            bytes.next_pack();
            let Some(hash) = ContentHash::from_hex(&entry.hash) else {
                continue; // well-formed: partitioned above
            };
            let want = Wanted {
                hash,
                size: entry.size,
                trusted: &trusted,
            };
            // An update costs what changed; when the hub cannot serve it that way, the whole
            // pack comes instead (see `needs_whole_pack`).
            let update = installed
                .iter()
                .any(|p| p.id == entry.id)
                .then(|| self.fetch_update(&want, store, downloads, &mut bytes, within));
            let fetched = match update {
                Some(Err(e)) if needs_whole_pack(&e) => {
                    self.fetch_pack(&want, downloads, &mut bytes, within)
                }
                Some(result) => result,
                None => self.fetch_pack(&want, downloads, &mut bytes, within),
            };
            match fetched {
                Ok(path) => {
                    match store.install(&path) {
                        Ok(_) => report.installed.push(PackVersion::of(&entry)),
                        Err(e) => report.failed.push(PackProblem::of(&entry, e)),
                    }
                    let _ = std::fs::remove_file(&path);
                }
                Err(
                    e @ (SyncError::Offline(_)
                    | SyncError::OutOfTime
                    | SyncError::Cancelled
                    | SyncError::Store(_)
                    | SyncError::Io(_)),
                ) => return Err(e),
                Err(e) => report.failed.push(PackProblem::of(&entry, e)),
            }
        }
        Ok(())
    }

    /// The group's catalog: asked for with the tag of the copy the device keeps, so an
    /// unchanged one costs a few bytes and the kept copy is used.
    fn catalog(
        &self,
        store: &Store,
        group: &str,
        within: Within<'_>,
    ) -> Result<CatalogResponse, SyncError> {
        let kept = store.cached_catalog()?.filter(|c| c.group == group);
        let path = endpoint::catalog(group);
        let (etag, body) = self.with_retries(within, |deadline| {
            let mut request = self.http.get(self.url(&path));
            if let Some(kept) = &kept {
                request = request.header(IF_NONE_MATCH, &kept.etag);
            }
            self.count(REQUEST_OVERHEAD);
            let response = request.send().map_err(http::offline)?;
            match (response.status(), &kept) {
                (StatusCode::NOT_MODIFIED, Some(kept)) => {
                    Ok((kept.etag.clone(), kept.body.clone()))
                }
                (status, _) if status.is_success() => {
                    let etag = response
                        .headers()
                        .get(ETAG)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let body = self.read_bounded(response, http::MAX_ANSWER, deadline)?;
                    if etag.as_deref() != Some(catalog_tag(&body).as_str()) {
                        // Kept with a wrong tag, a damaged copy would be used until the
                        // catalog changed: try again instead.
                        return Err(SyncError::Offline("the catalog arrived damaged".into()));
                    }
                    let body = String::from_utf8(body)
                        .map_err(|_| SyncError::BadAnswer("the catalog is not text".into()))?;
                    Ok((etag.unwrap_or_default(), body))
                }
                _ => Err(self.refused(response)),
            }
        })?;
        let catalog: CatalogResponse =
            serde_json::from_str(&body).map_err(|e| SyncError::BadAnswer(e.to_string()))?;
        if kept.as_ref().is_none_or(|k| k.etag != etag) {
            store.set_cached_catalog(&CachedCatalog {
                group: group.to_owned(),
                etag,
                body,
            })?;
        }
        Ok(catalog)
    }

    /// One of the operator's views (`/v1/admin/…`, with its query), signed with the
    /// operator's key: the answer's bytes, at most 256 MiB.
    pub fn admin(&self, key: &SecretKey, target: &str) -> Result<Vec<u8>, SyncError> {
        let signer: &dyn RequestSigner = key;
        self.get_signed(signer, target, 256 << 20, self.one_call(&NoProgress))
    }

    /// Publishes the pack `bytes` to `group`, signed with the publisher's `key` (a trainer's
    /// `skillpack publish`): the same signed, retried and bounded requests as a device's.
    pub fn publish(
        &self,
        key: &SecretKey,
        bytes: Vec<u8>,
        group: &str,
    ) -> Result<PublishResponse, SyncError> {
        let group = GroupName::parse(group)?;
        let signer: &dyn RequestSigner = key;
        self.post_signed(
            signer,
            &endpoint::publish(group.as_str()),
            Body::Raw(bytes),
            self.one_call(&NoProgress),
        )
    }
}

/// Bytes of a pack already proven in `downloads` by a cut download (an estimate for the
/// data budget: the part file's length).
fn proven_part(downloads: &Path, hash: &str) -> u64 {
    std::fs::metadata(downloads.join(format!("{hash}.part"))).map_or(0, |m| m.len())
}

/// Deletes what earlier syncs left in `downloads` for packs no longer wanted (the catalog
/// moved on, or the pack got installed another way), so no half download stays forever.
/// Whether an update that failed with `e` should come as the whole pack instead: the hub
/// cannot serve it by parts (no ranges, spoiled chunks, a wrong answer). A network or a phone
/// that fails stays an error, and the next sync tries the update again rather than the
/// whole pack over the same bad link.
fn needs_whole_pack(e: &SyncError) -> bool {
    match e {
        SyncError::BadAnswer(_) | SyncError::BadPack(_) => true,
        SyncError::Refused { status, .. } => (400..500).contains(status),
        _ => false,
    }
}

fn prune_downloads(downloads: &Path, wanted: &[CatalogEntry]) {
    let Ok(files) = std::fs::read_dir(downloads) else {
        return;
    };
    for file in files.flatten() {
        let name = file.file_name();
        let name = name.to_string_lossy();
        // An update assembled half way is started again (its chunks are local), so it goes.
        if name.ends_with(".update") {
            let _ = std::fs::remove_file(file.path());
            continue;
        }
        let hash = name
            .strip_suffix(".part")
            .or_else(|| name.strip_suffix(".skillpack"));
        if hash.is_some_and(|h| !wanted.iter().any(|w| w.hash == h)) {
            let _ = std::fs::remove_file(file.path());
        }
    }
}
