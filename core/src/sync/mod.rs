//! The hub client on the device (feature `client`): register with an enrolment code, push the
//! outbox and mark what the hub acknowledged, and fetch the group's catalog and the packs that
//! are new or updated, resuming a cut download with an HTTP range. Every write is a signed
//! request over a nonce from the hub; the device key stays in the store.

mod error;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use reqwest::blocking::{Client, Response};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

pub use error::SyncError;

use crate::module::parse_version;
use crate::progress::{NoProgress, Progress};
use crate::protocol::{
    CatalogResponse, ErrorResponse, NonceResponse, PushRequest, PushResponse, RecordStatus,
    RegisterRequest, RegisterResponse, RequestParts,
};
use crate::store::{Registration, Store};

/// Records sent per request (the hub takes at most 500).
const PUSH_BATCH: usize = 100;

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

/// A hub, as the device talks to it.
#[derive(Debug, Clone)]
pub struct HubClient {
    base: String,
    http: Client,
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
        })
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
        })
        .map_err(|e| SyncError::BadAnswer(e.to_string()))?;
        let answer: RegisterResponse = json(self.signed_post(store, "/v1/devices", body)?)?;
        store.set_registration(&Registration {
            hub: self.base.clone(),
            group: answer.group.clone(),
        })?;
        Ok(answer.group)
    }

    /// Pushes the outbox, then installs new or updated packs of the device's group.
    pub fn sync(&self, store: &Store, downloads: &Path) -> Result<SyncReport, SyncError> {
        self.sync_with(store, downloads, &NoProgress)
    }

    /// [`HubClient::sync`], reporting progress (records pushed, then pack bytes downloaded)
    /// and stopping with [`SyncError::Cancelled`] when asked: between batches, and between
    /// 64 KiB pieces of a download, which resumes where it stopped next time.
    pub fn sync_with(
        &self,
        store: &Store,
        downloads: &Path,
        progress: &dyn Progress,
    ) -> Result<SyncReport, SyncError> {
        let group = store.registration()?.ok_or(SyncError::NotRegistered)?.group;
        let mut report = self.push_outbox_with(store, progress)?;
        report.installed = self.update_packs(store, &group, downloads, progress)?;
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
            let answer: PushResponse = json(self.signed_post(store, "/v1/records", body)?)?;
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

    /// Downloads and installs packs of `group` that are not installed or have a newer version.
    fn update_packs(
        &self,
        store: &Store,
        group: &str,
        downloads: &Path,
        progress: &dyn Progress,
    ) -> Result<Vec<(String, String)>, SyncError> {
        let catalog: CatalogResponse = json(self.get(&format!("/v1/catalog?group={group}"))?)?;
        let installed = store.installed_packs()?;
        let wanted: Vec<_> = catalog
            .packs
            .into_iter()
            .filter(|pack| {
                let current = installed
                    .iter()
                    .find(|(id, _)| *id == pack.id)
                    .map(|(_, v)| v.as_str());
                current.is_none_or(|v| newer(&pack.version, v))
            })
            .collect();
        let mut bytes = Bytes {
            done: 0,
            total: wanted.iter().map(|p| p.size).sum(),
            progress,
        };
        let mut done = Vec::new();
        for pack in wanted {
            let path = self.download_with(&pack.hash, pack.size, downloads, &mut bytes)?;
            store.install(&path)?;
            let _ = std::fs::remove_file(&path);
            done.push((pack.id, pack.version));
        }
        Ok(done)
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
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("{hash}.skillpack"));
        let have = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        bytes.add(have.min(size));
        if have >= size && size > 0 {
            return Ok(path);
        }
        let mut request = self.http.get(format!("{}/v1/packs/{hash}", self.base));
        if have > 0 {
            request = request.header("range", format!("bytes={have}-"));
        }
        let mut response = request.send().map_err(offline)?;
        let append = response.status() == StatusCode::PARTIAL_CONTENT;
        let response_ok = append || response.status() == StatusCode::OK;
        if !response_ok {
            return Err(refused(response));
        }
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
            bytes.add(n as u64);
        }
        file.flush()?;
        Ok(path)
    }

    fn get(&self, path: &str) -> Result<Response, SyncError> {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .map_err(offline)?;
        checked(response)
    }

    /// A signed POST; if the nonce was gone by the time it arrived (the phone slept past its
    /// expiry, or the hub restarted), once more over a fresh one.
    fn signed_post(&self, store: &Store, path: &str, body: Vec<u8>) -> Result<Response, SyncError> {
        match self.signed_post_once(store, path, body.clone()) {
            Err(SyncError::Refused { code, .. }) if code == "bad_nonce" => {
                self.signed_post_once(store, path, body)
            }
            other => other,
        }
    }

    fn signed_post_once(
        &self,
        store: &Store,
        path: &str,
        body: Vec<u8>,
    ) -> Result<Response, SyncError> {
        let nonce: NonceResponse = json(self.get("/v1/nonce")?)?;
        let headers = store.sign_request(
            &RequestParts {
                method: "POST",
                path,
                query: "?",
                body: &body,
            },
            &nonce.nonce,
            chrono::Utc::now().timestamp(),
        );
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-digest", headers.content_digest)
            .header("signature-input", headers.signature_input)
            .header("signature", headers.signature)
            .body(body)
            .send()
            .map_err(offline)?;
        checked(response)
    }
}

fn offline(e: reqwest::Error) -> SyncError {
    SyncError::Offline(e.to_string())
}

/// The response if it is a success, else the hub's refusal.
fn checked(response: Response) -> Result<Response, SyncError> {
    if response.status().is_success() {
        Ok(response)
    } else {
        Err(refused(response))
    }
}

fn refused(response: Response) -> SyncError {
    let status = response.status().as_u16();
    match response.json::<ErrorResponse>() {
        Ok(e) => SyncError::Refused {
            status,
            code: e.error.code,
            message: e.error.message,
        },
        Err(_) => SyncError::Refused {
            status,
            code: "unknown".into(),
            message: String::new(),
        },
    }
}

fn json<T: DeserializeOwned>(response: Response) -> Result<T, SyncError> {
    response
        .json()
        .map_err(|e| SyncError::BadAnswer(e.to_string()))
}

/// Is `a` a newer `MAJOR.MINOR.PATCH` than `b`?
fn newer(a: &str, b: &str) -> bool {
    matches!((parse_version(a), parse_version(b)), (Some(a), Some(b)) if a > b)
}
