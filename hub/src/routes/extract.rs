//! What a handler asks of a request, checked before it runs: [`SignedRequest`] (the signature
//! over method, path, query and body verifies, the key is within its rate, and the nonce is
//! used up), [`Operator`] (the same, by one of the hub's operators), [`BoundDevice`] (the
//! same, by a registered device its learner bound), [`PublisherUpload`] (a large body, signed
//! by a registered publisher, streamed to a temporary file against its digest), and
//! [`QueryOf`] (a query string that parses). Every signed request's head is checked first
//! (signature, declared length, rate, the key admitted, the nonce used up) and its body read
//! only then, within the endpoint's bound. Each refusal is the hub's JSON error with a stable code.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use skillpack_core::keys::PublicKey;
use skillpack_core::protocol::{
    content_digest, content_digest_of_sha256, endpoint, verify_request_head, RequestParts,
    SignatureHeaders, Signer,
};
use tokio::io::AsyncWriteExt;

use super::{MAX_BODY_BYTES, MAX_PACK_BYTES, MAX_PUSH_BYTES};
use crate::error::{HttpError, OrHttpErr};
use crate::state::AppState;
use crate::storage::KnownDevice;

/// A request whose signature checked out: who signed it, and the body they signed.
#[derive(Debug)]
pub struct SignedRequest {
    /// The signer's key.
    pub key: PublicKey,
    /// The body, as signed.
    pub body: Bytes,
}

impl FromRequest<AppState> for SignedRequest {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, HttpError> {
        SignedHead::check(req, state)?.read_body(state).await
    }
}

/// A signed request whose head checked out, its body not yet read: the signature over
/// method, target and `Content-Digest` verifies, the encoding is one the hub takes, the
/// declared length is within the endpoint's bound and the key within its rate. An extractor
/// then admits the key (a known device, an operator) and only then reads the body, so a
/// stranger's forged headers cost the hub no body at all.
struct SignedHead {
    signer: Signer,
    digest: String,
    zstd: bool,
    request: Request,
}

impl SignedHead {
    fn check(req: Request, state: &AppState) -> Result<Self, HttpError> {
        let (signer, digest) = verify_head(req.method(), req.uri(), req.headers())?;
        let zstd = body_encoding(req.headers())?;
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|len| len > body_bound(&req) as u64) {
            return Err(HttpError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!("this endpoint takes at most {} bytes", body_bound(&req)),
            ));
        }
        within_rate(state, &signer)?;
        Ok(Self {
            signer,
            digest,
            zstd,
            request: req,
        })
    }

    /// Uses up the nonce, then reads the body within the endpoint's bound and checks it
    /// against the signed digest.
    async fn read_body(self, state: &AppState) -> Result<SignedRequest, HttpError> {
        use_nonce(state, &self.signer.nonce).await?;
        let body = Bytes::from_request(self.request, state)
            .await
            .map_err(body_rejection)?;
        if content_digest(&body) != self.digest {
            return Err(HttpError::new(
                StatusCode::UNAUTHORIZED,
                "bad_signature",
                "the body does not match its Content-Digest",
            ));
        }
        // Inflated only once signed and fresh: a stranger cannot make the hub inflate.
        let body = if self.zstd { inflate(&body)? } else { body };
        Ok(SignedRequest {
            key: self.signer.key,
            body,
        })
    }
}

/// The largest body a signed request's endpoint takes, to refuse a declared length at once:
/// a push's, or every other request's. (The route's own bound still holds as the body is
/// read, for a body sent without a length.)
fn body_bound(req: &Request) -> usize {
    if req.uri().path() == endpoint::RECORDS {
        MAX_PUSH_BYTES
    } else {
        MAX_BODY_BYTES
    }
}

/// A pack upload from a registered publisher. Before the body is read: the signature over
/// method, target and `Content-Digest` verifies, the key is a publisher's and within its
/// rate, and the nonce is used up. Then the body streams to a temporary file (deleted when
/// this is dropped), at most [`MAX_PACK_BYTES`], and must match the signed digest.
#[derive(Debug)]
pub struct PublisherUpload {
    /// The publisher's key.
    pub key: PublicKey,
    /// The body as signed, in a temporary file.
    pub file: tempfile::NamedTempFile,
    /// Its length in bytes.
    pub len: u64,
}

impl FromRequest<AppState> for PublisherUpload {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, HttpError> {
        let (parts, body) = req.into_parts();
        let (signer, digest) = verify_head(&parts.method, &parts.uri, &parts.headers)?;
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|len| len > MAX_PACK_BYTES as u64) {
            return Err(too_large());
        }
        within_rate(state, &signer)?;
        if !state.db.is_publisher(signer.key).await? {
            return Err(HttpError::new(
                StatusCode::FORBIDDEN,
                "unknown_publisher",
                format!("{} is not a registered publisher", signer.key.fingerprint()),
            ));
        }
        use_nonce(state, &signer.nonce).await?;
        let file =
            tempfile::NamedTempFile::new_in(&*state.upload_dir).map_err(HttpError::internal)?;
        let mut out = tokio::fs::File::from_std(file.reopen().map_err(HttpError::internal)?);
        // tokio copies each write into a buffer of up to 2 MiB per file by default.
        out.set_max_buf_size(UPLOAD_BUFFER);
        let (mut sha, mut len) = (Sha256::new(), 0u64);
        let mut stream = body.into_data_stream();
        while let Some(frame) = stream.next().await {
            let bytes = frame.map_err(|e| {
                HttpError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_body",
                    format!("the body was cut off: {e}"),
                )
            })?;
            len += bytes.len() as u64;
            if len > MAX_PACK_BYTES as u64 {
                return Err(too_large());
            }
            sha.update(&bytes);
            out.write_all(&bytes).await.map_err(HttpError::internal)?;
        }
        out.flush().await.map_err(HttpError::internal)?;
        if content_digest_of_sha256(&sha.finalize().into()) != digest {
            return Err(HttpError::new(
                StatusCode::UNAUTHORIZED,
                "bad_signature",
                "the body does not match its Content-Digest",
            ));
        }
        Ok(Self {
            key: signer.key,
            file,
            len,
        })
    }
}

/// Bytes of an upload buffered on their way to its file.
const UPLOAD_BUFFER: usize = 256 << 10;

fn too_large() -> HttpError {
    HttpError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        format!("a pack is at most {MAX_PACK_BYTES} bytes"),
    )
}

/// The path and query a signature covers.
fn target_of(uri: &Uri) -> String {
    uri.path_and_query()
        .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned())
}

/// The three signature headers, or `401 unsigned` naming the first one missing.
fn signature_headers(headers: &HeaderMap) -> Result<SignatureHeaders, HttpError> {
    SignatureHeaders::read(|name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    })
    .map_err(|name| {
        HttpError::new(
            StatusCode::UNAUTHORIZED,
            "unsigned",
            format!("missing {name} header"),
        )
    })
}

/// Verifies a request's signature over its head alone (see [`verify_request_head`]): the
/// signer, and the signed `Content-Digest` the body must match.
fn verify_head(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<(Signer, String), HttpError> {
    let signature = signature_headers(headers)?;
    let target = target_of(uri);
    let signer = verify_request_head(
        &RequestParts::new(method.as_str(), &target, &[]),
        &signature,
    )
    .or_http_err(StatusCode::UNAUTHORIZED, "bad_signature", "")?;
    Ok((signer, signature.content_digest))
}

/// `429 rate_limited` when the signer's key is past its rate.
fn within_rate(state: &AppState, signer: &Signer) -> Result<(), HttpError> {
    if state.limiter.allow(signer.key.to_bytes()) {
        Ok(())
    } else {
        Err(HttpError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many requests from this key; wait a little and try again",
        ))
    }
}

/// Uses up the nonce of a request whose signature verified: `401 bad_nonce` with the reason
/// when it is not this hub's, expired or was used.
pub(super) async fn use_nonce(state: &AppState, nonce: &str) -> Result<(), HttpError> {
    state.db.consume_nonce(nonce).await?.map_err(|refusal| {
        HttpError::new(
            StatusCode::UNAUTHORIZED,
            "bad_nonce",
            format!("{refusal}; get a new one"),
        )
    })
}

/// A signed request from one of the hub's operators (the `/v1/admin/…` views).
#[derive(Debug)]
pub struct Operator(pub PublicKey);

impl FromRequest<AppState> for Operator {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, HttpError> {
        let head = SignedHead::check(req, state)?;
        if !state.operators.contains(&head.signer.key) {
            return Err(HttpError::new(
                StatusCode::FORBIDDEN,
                "not_operator",
                "this key is not one of the hub's operators",
            ));
        }
        let signed = head.read_body(state).await?;
        Ok(Self(signed.key))
    }
}

/// A signed request from a registered device that its learner bound to them (pushes, the
/// learner's credentials): the device as the hub knows it, and the body it signed.
#[derive(Debug)]
pub struct BoundDevice {
    /// The device's key.
    pub key: PublicKey,
    /// Its learner and group.
    pub device: KnownDevice,
    /// The body, as signed.
    pub body: Bytes,
}

impl FromRequest<AppState> for BoundDevice {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, HttpError> {
        let head = SignedHead::check(req, state)?;
        let device = state.db.device(head.signer.key).await?.or_http_err(
            StatusCode::FORBIDDEN,
            "unknown_device",
            "register this device with an enrolment code first",
        )?;
        if let Some(why) = &device.retired {
            return Err(HttpError::new(
                StatusCode::FORBIDDEN,
                "device_retired",
                format!(
                    "this device was retired ({why}): nothing more is taken from it; the learner \
                     goes on from another phone"
                ),
            ));
        }
        if !device.bound {
            return Err(HttpError::new(
                StatusCode::FORBIDDEN,
                "unbound_device",
                "the hub holds no binding of this device by its learner: register it again",
            ));
        }
        let signed = head.read_body(state).await?;
        Ok(Self {
            key: signed.key,
            device,
            body: signed.body,
        })
    }
}

/// A query string parsed into `T`; one that does not parse is `400 bad_query`.
#[derive(Debug)]
pub struct QueryOf<T>(pub T);

impl<T, S> FromRequestParts<S> for QueryOf<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, HttpError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(q)| Self(q))
            .or_http_err(StatusCode::BAD_REQUEST, "bad_query", "the query string")
    }
}

/// A body that could not be read: too large for the endpoint (`413 body_too_large`), or cut
/// off (`400 bad_body`).
/// Whether a signed body is zstd-compressed (`Content-Encoding: zstd`); any other encoding
/// is refused with `unsupported_encoding`.
fn body_encoding(headers: &HeaderMap) -> Result<bool, HttpError> {
    match headers
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap_or_default())
    {
        None | Some("identity") => Ok(false),
        Some("zstd") => Ok(true),
        Some(_) => Err(HttpError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_encoding",
            "bodies are sent as they are or zstd-compressed",
        )),
    }
}

/// Inflates a zstd body, to at most [`MAX_PUSH_BYTES`] (the largest JSON body a hub takes).
fn inflate(body: &[u8]) -> Result<Bytes, HttpError> {
    use std::io::Read;
    let bad = |e: std::io::Error| HttpError {
        source: Some(Box::new(e)),
        ..HttpError::new(
            StatusCode::BAD_REQUEST,
            "bad_body",
            "the zstd body does not inflate",
        )
    };
    let mut out = Vec::new();
    zstd::stream::read::Decoder::new(body)
        .map_err(bad)?
        .take(MAX_PUSH_BYTES as u64 + 1)
        .read_to_end(&mut out)
        .map_err(bad)?;
    if out.len() > MAX_PUSH_BYTES {
        return Err(HttpError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("a body inflates to at most {MAX_PUSH_BYTES} bytes"),
        ));
    }
    Ok(Bytes::from(out))
}

pub(super) fn body_rejection(rejection: BytesRejection) -> HttpError {
    let status = rejection.status();
    if status.is_server_error() {
        return HttpError::internal(rejection);
    }
    let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
        "body_too_large"
    } else {
        "bad_body"
    };
    let message = rejection.body_text();
    HttpError {
        source: Some(Box::new(rejection)),
        ..HttpError::new(status, code, message)
    }
}
