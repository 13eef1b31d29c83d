//! How the device talks HTTP to a hub: every request bounded in time and in what it reads,
//! JSON bodies sent zstd-compressed (answers come back compressed too: the client asks for
//! them and inflates them here, with the zstd the packs already need), signed requests over a fresh nonce, and failures of the network or the
//! hub tried again after a jittered, growing wait, within the sync's deadline.

use std::io::Read;

use reqwest::blocking::{RequestBuilder, Response};
use reqwest::header::CONTENT_ENCODING;
use serde::de::DeserializeOwned;

use super::policy::{pause, Deadline};
use super::{HubClient, SyncError, REQUEST_OVERHEAD};
use crate::keys::SecretKey;
use crate::progress::Progress;
use crate::protocol::{
    endpoint, sign_request, ErrorResponse, NonceResponse, RequestParts, SignatureHeaders,
};
use crate::store::Store;

/// Longest JSON answer read from a hub, once inflated (a catalog of thousands of packs is
/// far smaller).
pub(super) const MAX_ANSWER: u64 = 8 << 20;

/// Longest error answer read from a hub.
const MAX_REFUSAL: u64 = 64 << 10;

/// zstd level for request bodies: records are small, and a phone's core is slow.
const BODY_LEVEL: i32 = 3;

/// What one request may take and whom to tell: the deadline of the sync it belongs to, and
/// the caller's progress (asked between tries whether to stop).
#[derive(Clone, Copy)]
pub(super) struct Within<'a> {
    /// When the whole sync (or the one call) gives up.
    pub deadline: Deadline,
    /// Asked whether to stop.
    pub progress: &'a dyn Progress,
}

/// Who signs a request: the device's key inside its store, or a publisher's key.
pub(super) trait RequestSigner {
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

/// A JSON body ready to send: zstd-compressed, or as is when it is a pack (already
/// compressed, and streamed by the hub against its digest).
pub(super) enum Body {
    /// JSON, compressed on the way out.
    Json(Vec<u8>),
    /// Bytes sent as they are.
    Raw(Vec<u8>),
}

impl HubClient {
    /// Runs `attempt` until it succeeds, fails for good, or the tries or the time run out;
    /// between tries it waits [`super::SyncPolicy::backoff_before`]. Each try gets the
    /// request timeout, cut to the sync's deadline.
    pub(super) fn with_retries<T>(
        &self,
        within: Within<'_>,
        mut attempt: impl FnMut(Deadline) -> Result<T, SyncError>,
    ) -> Result<T, SyncError> {
        let mut tries = 0;
        loop {
            if within.progress.is_cancelled() {
                return Err(SyncError::Cancelled);
            }
            if within.deadline.passed() {
                return Err(SyncError::OutOfTime);
            }
            tries += 1;
            let deadline = within
                .deadline
                .min(Deadline::after(self.policy.request_timeout));
            match attempt(deadline) {
                Err(e) if e.is_transient() && tries < self.policy.attempts => {
                    let wait = self.policy.backoff_before(tries);
                    if !pause(wait, within.deadline, within.progress) {
                        return Err(if within.progress.is_cancelled() {
                            SyncError::Cancelled
                        } else {
                            e
                        });
                    }
                }
                other => return other,
            }
        }
    }

    /// A GET of `path`, its answer checked to be a success.
    pub(super) fn get(&self, path: &str) -> Result<Response, SyncError> {
        self.send(self.http.get(self.url(path)))
    }

    /// A GET of `target` signed over an empty body (the operator's `/v1/admin/…` views), its
    /// answer read up to `limit` bytes, tried again on failure over a fresh nonce.
    pub(super) fn get_signed(
        &self,
        signer: &dyn RequestSigner,
        target: &str,
        limit: u64,
        within: Within<'_>,
    ) -> Result<Vec<u8>, SyncError> {
        self.with_retries(within, |deadline| {
            let nonce: NonceResponse = self.json(self.get(endpoint::NONCE)?, deadline)?;
            let parts = RequestParts::new("GET", target, &[]);
            let headers = signer.sign(&parts, &nonce.nonce, chrono::Utc::now().timestamp());
            let mut request = self.http.get(self.url(target));
            for (name, value) in headers.pairs() {
                request = request.header(name, value);
            }
            self.read_bounded(self.send(request)?, limit, deadline)
        })
    }

    /// A signed POST of `body` to `target` (a path and query), answered in JSON, tried again
    /// on failure, each try over a fresh nonce (so one the hub forgot, because the phone
    /// slept past its expiry or the hub restarted, costs one try).
    pub(super) fn post_signed<T: DeserializeOwned>(
        &self,
        signer: &dyn RequestSigner,
        target: &str,
        body: Body,
        within: Within<'_>,
    ) -> Result<T, SyncError> {
        let (bytes, compressed) = match body {
            Body::Json(json) => (
                zstd::bulk::compress(&json, BODY_LEVEL)
                    .map_err(|e| SyncError::BadAnswer(e.to_string()))?,
                true,
            ),
            Body::Raw(bytes) => (bytes, false),
        };
        self.with_retries(within, |deadline| {
            let nonce: NonceResponse = self.json(self.get(endpoint::NONCE)?, deadline)?;
            let parts = RequestParts::new("POST", target, &bytes);
            let headers = signer.sign(&parts, &nonce.nonce, chrono::Utc::now().timestamp());
            let mut request = self.http.post(self.url(target));
            for (name, value) in headers.pairs() {
                request = request.header(name, value);
            }
            if compressed {
                request = request.header(CONTENT_ENCODING, "zstd");
            }
            self.count(bytes.len() as u64);
            self.json(self.send(request.body(bytes.clone()))?, deadline)
        })
    }

    /// Sends a request; a success is returned, anything else becomes the hub's refusal.
    pub(super) fn send(&self, request: RequestBuilder) -> Result<Response, SyncError> {
        self.count(REQUEST_OVERHEAD);
        let response = request.send().map_err(offline)?;
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(self.refused(response))
        }
    }

    /// The hub's refusal, from its JSON error (read up to [`MAX_REFUSAL`] bytes).
    pub(super) fn refused(&self, response: Response) -> SyncError {
        let status = response.status().as_u16();
        let deadline = Deadline::after(self.policy.request_timeout);
        let error = self
            .read_bounded(response, MAX_REFUSAL, deadline)
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

    /// A JSON answer, read up to [`MAX_ANSWER`] bytes by `deadline`: a hub can fill neither
    /// the phone's memory nor the learner's time.
    pub(super) fn json<T: DeserializeOwned>(
        &self,
        response: Response,
        deadline: Deadline,
    ) -> Result<T, SyncError> {
        let body = self.read_bounded(response, MAX_ANSWER, deadline)?;
        serde_json::from_slice(&body).map_err(|e| SyncError::BadAnswer(e.to_string()))
    }

    /// Reads an answer's body, inflated when the hub sent it zstd-compressed, at most
    /// `limit` bytes once inflated and until `deadline`. The bytes counted (the data budget)
    /// are those on the wire.
    pub(super) fn read_bounded(
        &self,
        response: Response,
        limit: u64,
        deadline: Deadline,
    ) -> Result<Vec<u8>, SyncError> {
        let encoding = response
            .headers()
            .get(CONTENT_ENCODING)
            .map(|v| v.to_str().unwrap_or("?").to_owned());
        let wire = Counting {
            inner: response,
            client: self,
        };
        let reader: Box<dyn Read + '_> = match encoding.as_deref() {
            None | Some("identity") => Box::new(wire),
            Some("zstd") => Box::new(
                zstd::stream::read::Decoder::new(wire)
                    .map_err(|e| SyncError::BadAnswer(e.to_string()))?,
            ),
            Some(other) => {
                return Err(SyncError::BadAnswer(format!(
                    "the hub's answer is encoded as {other:?}"
                )))
            }
        };
        let body = read_by(reader, limit, deadline)
            .ok_or_else(|| SyncError::Offline("the hub's answer is too slow".into()))??;
        if body.len() as u64 > limit {
            return Err(SyncError::BadAnswer(format!(
                "the hub's answer is over {limit} bytes"
            )));
        }
        Ok(body)
    }

    pub(super) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// A failure to reach the hub or to hear its whole answer.
pub(super) fn offline(e: reqwest::Error) -> SyncError {
    SyncError::Offline(e.to_string())
}

/// An answer's body as it comes off the wire, each byte counted for the data budget.
struct Counting<'a> {
    inner: Response,
    client: &'a HubClient,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.client.count(n as u64);
        Ok(n)
    }
}

/// Reads `reader` to its end or to one byte past `limit`, whichever comes first; `None` when
/// `deadline` passes first (checked before each read, so a server that sends a byte now and
/// then is left at the deadline as one that sends nothing is).
pub(super) fn read_by(
    reader: impl Read,
    limit: u64,
    deadline: Deadline,
) -> Option<Result<Vec<u8>, SyncError>> {
    let mut body = Vec::new();
    let mut reader = reader.take(limit + 1);
    let mut piece = [0u8; 16 * 1024];
    loop {
        if deadline.passed() {
            return None;
        }
        match reader.read(&mut piece) {
            Ok(0) => return Some(Ok(body)),
            Ok(n) => body.extend_from_slice(&piece[..n]),
            Err(e) => return Some(Err(SyncError::Offline(e.to_string()))),
        }
    }
}
