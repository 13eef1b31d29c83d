//! The hub client on the device (feature `client`): register with an enrolment code, push the
//! outbox and mark what the hub acknowledged, and fetch the group's catalog and the packs that
//! are new or updated, resuming a cut download with an HTTP range. Every write is a signed
//! request over a nonce from the hub; the device key stays in the store.

mod choose;
mod error;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use reqwest::blocking::{Client, Response};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

pub use error::SyncError;

use crate::keys::SecretKey;
use crate::progress::{NoProgress, Progress};
use crate::protocol::{
    endpoint, sign_request, CatalogResponse, ErrorResponse, GroupName, NonceResponse,
    PublishResponse, PushRequest, PushResponse, RecordStatus, RegisterRequest, RegisterResponse,
    RequestParts, SignatureHeaders,
};
use crate::store::{Registration, Store};
use choose::{is_pack_hash, newer_packs, within_allowance, Fetch};

/// Records sent per request (the hub takes at most 500).
const PUSH_BATCH: usize = 100;

/// Longest JSON answer read from a hub (a catalog of thousands of packs is far smaller).
const MAX_ANSWER: u64 = 8 << 20;

/// Longest error answer read from a hub.
const MAX_REFUSAL: u64 = 64 << 10;

/// What a request costs on the wire besides its bodies (request line, headers, TLS
/// records): an estimate, so the data budget errs on the learner's side.
const REQUEST_OVERHEAD: u64 = 600;

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Records the hub took now.
    pub pushed: usize,
    /// Records it already had (now marked as acknowledged too).
    pub already_there: usize,
    /// Records it refused, with reasons.
    pub rejected: Vec<(String, String)>,
    /// Packs installed or updated: (id, version).
    pub installed: Vec<(String, String)>,
    /// Packs left for later because they did not fit the data allowance: (id, version).
    pub deferred: Vec<(String, String)>,
}

/// Bytes downloaded so far in one sync, reported as they come.
struct Bytes<'a> {
    done: u64,
    total: u64,
    progress: &'a dyn Progress,
}

impl Bytes<'_> {
    fn add(&mut self, n: u64) {
        self.done += n;
        self.progress
            .on_progress(self.done, self.total.max(self.done));
    }
}

/// Who signs a request: the device's key inside its store, or a publisher's key.
trait RequestSigner {
    fn sign(&self, parts: &RequestParts<'_>, nonce: &str, created: i64) -> SignatureHeaders;
}

impl RequestSigner for Store {
    fn sign(&self, parts: &RequestParts<'_>, nonce: &str, created: i64) -> SignatureHeaders {
        self.sign_request(parts, nonce, created)
    }
}

impl RequestSigner for SecretKey {
    fn sign(&self, parts: &RequestParts<'_>, nonce: &str, created: i64) -> SignatureHeaders {
        sign_request(parts, self, nonce, created)
    }
}

/// A hub, as the device (and a trainer's `publish`) talks to it.
#[derive(Debug, Clone)]
pub struct HubClient {
    base: String,
    http: Client,
    /// Bytes sent and received so far, for the learner's data budget.
    moved: Arc<AtomicU64>,
}

impl HubClient {
    /// A client for the hub at `base` (`https://hub.example.org`).
    pub fn new(base: &str) -> Result<Self, SyncError> {
        let http = Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .map_err(|e| SyncError::Offline(e.to_string()))?;
        Ok(Self {
            base: base.trim_end_matches('/').to_owned(),
            http,
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

    /// Registers the device and its learner with an enrolment code; remembers hub and group.
    pub fn register(&self, store: &Store, code: &str) -> Result<String, SyncError> {
        let body = serde_json::to_vec(&RegisterRequest {
            enrolment_code: code.to_owned(),
            learner: store.learner_did(),
            binding: Some(store.binding()?),
        })
        .map_err(|e| SyncError::BadAnswer(e.to_string()))?;
        let answer: RegisterResponse =
            self.json(self.signed_post(store, endpoint::DEVICES, body)?)?;
        // The group names every later catalog request: hold it to the one rule first.
        GroupName::parse(&answer.group).map_err(|e| {
            SyncError::BadAnswer(format!("the hub named group {:?}: {e}", answer.group))
        })?;
        store.set_registration(&Registration {
            hub: self.base.clone(),
            group: answer.group.clone(),
        })?;
        store.set_enrolment_code(code)?;
        Ok(answer.group)
    }

    /// Pushes the outbox, then installs new or updated packs of the device's group.
    pub fn sync(&self, store: &Store, downloads: &Path) -> Result<SyncReport, SyncError> {
        self.sync_with(store, downloads, &NoProgress, None)
    }

    /// [`HubClient::sync`], reporting progress (records pushed, then pack bytes downloaded)
    /// and stopping with [`SyncError::Cancelled`] when asked: between batches, and between
    /// 64 KiB pieces of a download, which resumes where it stopped next time. With an
    /// `allowance` (bytes, on metered data), packs that would not fit wait for a later sync;
    /// results always go, being small.
    pub fn sync_with(
        &self,
        store: &Store,
        downloads: &Path,
        progress: &dyn Progress,
        allowance: Option<u64>,
    ) -> Result<SyncReport, SyncError> {
        let group = store.registration()?.ok_or(SyncError::NotRegistered)?.group;
        let cap = allowance.map(|a| self.bytes_moved().saturating_add(a));
        let mut report = self.push_outbox_with(store, progress)?;
        (report.installed, report.deferred) =
            self.update_packs(store, &group, downloads, progress, cap)?;
        Ok(report)
    }

    /// Sends every unacknowledged record; acknowledged ones are marked in the store.
    pub fn push_outbox(&self, store: &Store) -> Result<SyncReport, SyncError> {
        self.push_outbox_with(store, &NoProgress)
    }

    fn push_outbox_with(
        &self,
        store: &Store,
        progress: &dyn Progress,
    ) -> Result<SyncReport, SyncError> {
        let mut report = SyncReport::default();
        let outbox = store.outbox()?;
        let total = outbox.len() as u64;
        progress.on_progress(0, total);
        for batch in outbox.chunks(PUSH_BATCH) {
            if progress.is_cancelled() {
                return Err(SyncError::Cancelled);
            }
            let body = serde_json::to_vec(&PushRequest {
                records: batch.to_vec(),
            })
            .map_err(|e| SyncError::BadAnswer(e.to_string()))?;
            let answer: PushResponse =
                self.json(self.signed_post(store, endpoint::RECORDS, body)?)?;
            let mut acked = Vec::new();
            for r in answer.results {
                match r.status {
                    RecordStatus::Accepted => report.pushed += 1,
                    RecordStatus::Duplicate => report.already_there += 1,
                    RecordStatus::Rejected => {
                        report.rejected.push((r.id, r.note.unwrap_or_default()));
                        continue;
                    }
                }
                acked.push(r.id);
            }
            store.acknowledge(&acked)?;
            progress.on_progress((report.pushed + report.already_there) as u64, total);
        }
        Ok(report)
    }

    /// Downloads and installs packs of `group` that are not installed or have a newer
    /// version, in the variant the learner's media setting asks for, until this client has
    /// moved `cap` bytes; returns those installed and those left for later.
    #[allow(clippy::type_complexity)]
    fn update_packs(
        &self,
        store: &Store,
        group: &str,
        downloads: &Path,
        progress: &dyn Progress,
        cap: Option<u64>,
    ) -> Result<(Vec<(String, String)>, Vec<(String, String)>), SyncError> {
        let catalog: CatalogResponse = self.json(self.get(&endpoint::catalog(group))?)?;
        let media = store.learner_settings()?.media;
        let wanted = newer_packs(catalog.packs, &store.installed_packs()?, media)?
            .into_iter()
            .map(|entry| {
                let have = partial_len(downloads, &entry.hash);
                Fetch {
                    remaining: entry.size.saturating_sub(have) + REQUEST_OVERHEAD,
                    entry,
                }
            })
            .collect();
        let allowance = cap.map(|c| c.saturating_sub(self.bytes_moved()));
        let choice = within_allowance(wanted, allowance);
        let mut bytes = Bytes {
            done: 0,
            total: choice.fetch.iter().map(|f| f.entry.size).sum(),
            progress,
        };
        let mut done = Vec::new();
        for Fetch { entry, .. } in choice.fetch {
            let path = self.download_with(&entry.hash, entry.size, downloads, &mut bytes)?;
            store.install(&path)?;
            let _ = std::fs::remove_file(&path);
            done.push((entry.id, entry.version));
        }
        Ok((done, choice.deferred))
    }

    /// Downloads a pack into `dir`, continuing a partial file with a range request.
    pub fn download(&self, hash: &str, size: u64, dir: &Path) -> Result<PathBuf, SyncError> {
        let mut bytes = Bytes {
            done: 0,
            total: size,
            progress: &NoProgress,
        };
        self.download_with(hash, size, dir, &mut bytes)
    }

    fn download_with(
        &self,
        hash: &str,
        size: u64,
        dir: &Path,
        bytes: &mut Bytes<'_>,
    ) -> Result<PathBuf, SyncError> {
        if !is_pack_hash(hash) {
            return Err(SyncError::BadAnswer(format!("{hash:?} is not a pack hash")));
        }
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("{hash}.skillpack"));
        let have = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        bytes.add(have.min(size));
        if have >= size && size > 0 {
            return Ok(path);
        }
        let mut request = self
            .http
            .get(format!("{}{}", self.base, endpoint::pack(hash)));
        if have > 0 {
            request = request.header("range", format!("bytes={have}-"));
        }
        self.count(REQUEST_OVERHEAD);
        let response = request.send().map_err(offline)?;
        let append = response.status() == StatusCode::PARTIAL_CONTENT;
        let response_ok = append || response.status() == StatusCode::OK;
        if !response_ok {
            return Err(self.refused(response));
        }
        // Never more than the catalog said: a hub cannot fill the phone's storage.
        let mut response = response.take(if append { size - have } else { size });
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(append)
            .truncate(!append)
            .open(&path)?;
        let mut piece = vec![0u8; 64 * 1024];
        loop {
            if bytes.progress.is_cancelled() {
                file.flush()?;
                return Err(SyncError::Cancelled);
            }
            let n = response
                .read(&mut piece)
                .map_err(|e| SyncError::Offline(e.to_string()))?;
            if n == 0 {
                break;
            }
            file.write_all(&piece[..n])?;
            self.count(n as u64);
            bytes.add(n as u64);
        }
        file.flush()?;
        Ok(path)
    }

    fn get(&self, path: &str) -> Result<Response, SyncError> {
        self.count(REQUEST_OVERHEAD);
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .map_err(offline)?;
        self.checked(response)
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
        self.json(self.signed_post(key, &endpoint::publish(group.as_str()), bytes)?)
    }

    /// A signed POST to `target` (a path and query); if the nonce was gone by the time it
    /// arrived (the phone slept past its expiry, or the hub restarted), once more over a
    /// fresh one.
    fn signed_post(
        &self,
        signer: &dyn RequestSigner,
        target: &str,
        body: Vec<u8>,
    ) -> Result<Response, SyncError> {
        match self.signed_post_once(signer, target, body.clone()) {
            Err(SyncError::Refused { code, .. }) if code == "bad_nonce" => {
                self.signed_post_once(signer, target, body)
            }
            other => other,
        }
    }

    fn signed_post_once(
        &self,
        signer: &dyn RequestSigner,
        target: &str,
        body: Vec<u8>,
    ) -> Result<Response, SyncError> {
        let nonce: NonceResponse = self.json(self.get(endpoint::NONCE)?)?;
        let parts = RequestParts::new("POST", target, &body);
        let headers = signer.sign(&parts, &nonce.nonce, chrono::Utc::now().timestamp());
        self.count(REQUEST_OVERHEAD + body.len() as u64);
        let mut request = self.http.post(format!("{}{target}", self.base));
        for (name, value) in headers.pairs() {
            request = request.header(name, value);
        }
        let response = request.body(body).send().map_err(offline)?;
        self.checked(response)
    }

    /// The response if it is a success, else the hub's refusal.
    fn checked(&self, response: Response) -> Result<Response, SyncError> {
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(self.refused(response))
        }
    }

    /// The hub's refusal, from its JSON error (read up to [`MAX_REFUSAL`] bytes).
    fn refused(&self, response: Response) -> SyncError {
        let status = response.status().as_u16();
        let error = self
            .read_bounded(response, MAX_REFUSAL)
            .ok()
            .and_then(|body| serde_json::from_slice::<ErrorResponse>(&body).ok());
        match error {
            Some(e) => SyncError::Refused {
                status,
                code: e.error.code,
                message: e.error.message,
            },
            None => SyncError::Refused {
                status,
                code: "unknown".into(),
                message: String::new(),
            },
        }
    }

    /// A JSON answer, read up to [`MAX_ANSWER`] bytes: a hub cannot fill the phone's memory.
    fn json<T: DeserializeOwned>(&self, response: Response) -> Result<T, SyncError> {
        let body = self.read_bounded(response, MAX_ANSWER)?;
        serde_json::from_slice(&body).map_err(|e| SyncError::BadAnswer(e.to_string()))
    }

    fn read_bounded(&self, response: Response, limit: u64) -> Result<Vec<u8>, SyncError> {
        let mut body = Vec::new();
        response
            .take(limit + 1)
            .read_to_end(&mut body)
            .map_err(|e| SyncError::Offline(e.to_string()))?;
        self.count(body.len() as u64);
        if body.len() as u64 > limit {
            return Err(SyncError::BadAnswer(format!(
                "the hub's answer is over {limit} bytes"
            )));
        }
        Ok(body)
    }
}

/// Bytes of a pack already in `downloads` from a cut download.
fn partial_len(downloads: &Path, hash: &str) -> u64 {
    std::fs::metadata(downloads.join(format!("{hash}.skillpack"))).map_or(0, |m| m.len())
}

fn offline(e: reqwest::Error) -> SyncError {
    SyncError::Offline(e.to_string())
}
