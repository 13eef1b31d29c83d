//! The HTTP endpoints of protocol version 1. Handlers check and convert; storage does the
//! rest. `packs` serves publishing and distribution, `results` devices and their records.

mod admin;
mod packs;
mod results;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, FromRef, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use skillpack_core::protocol::{verify_request, NonceResponse, RequestParts, SignatureHeaders};

use crate::error::{HttpError, OrHttpErr};
use crate::limits::{Limiter, RateLimit};
use crate::storage::HubDb;

/// How long a nonce stays valid.
const NONCE_TTL_SECS: u64 = 300;
/// Largest pack the hub accepts.
pub const MAX_PACK_BYTES: usize = 256 << 20;
/// Largest batch of records, in bytes and in records.
pub const MAX_PUSH_BYTES: usize = 8 << 20;
/// Most records in one push.
pub const MAX_PUSH_RECORDS: usize = 500;

/// Every route of the hub over `db`.
pub fn router(db: HubDb) -> Router {
    router_with(db, HubConfig::default())
}

/// How a hub runs: its rate limit per key and its operators.
#[derive(Debug, Clone, Default)]
pub struct HubConfig {
    /// Requests per signing key.
    pub limit: RateLimit,
    /// Keys allowed to read the operator's view (`/v1/admin/…`).
    pub operators: Vec<skillpack_core::keys::PublicKey>,
}

/// The operators' keys, as handlers see them.
#[derive(Debug)]
pub struct Operators(pub Vec<skillpack_core::keys::PublicKey>);

/// The routes with a given configuration.
pub fn router_with(db: HubDb, config: HubConfig) -> Router {
    let state = AppState {
        db,
        limiter: Arc::new(Limiter::new(config.limit)),
        operators: Arc::new(Operators(config.operators)),
    };
    Router::new()
        .route("/health", get(health))
        .route("/v1/nonce", get(nonce))
        .route(
            "/v1/packs",
            post(packs::publish).layer(DefaultBodyLimit::max(MAX_PACK_BYTES)),
        )
        .route("/v1/catalog", get(packs::catalog))
        .route("/v1/packs/{hash}", get(packs::download_pack))
        .route("/v1/chunks/{hash}", get(packs::download_chunk))
        .route("/v1/devices", post(results::register))
        .route(
            "/v1/records",
            post(results::push).layer(DefaultBodyLimit::max(MAX_PUSH_BYTES)),
        )
        .route("/v1/admin/groups", get(admin::groups))
        .route("/v1/admin/learners", get(admin::learners))
        .route("/v1/admin/results", get(admin::results))
        .route("/v1/admin/flags", get(admin::flags))
        .layer(DefaultBodyLimit::max(1 << 20))
        .with_state(state)
}

/// What every handler may use: the database and the rate limiter.
#[derive(Clone)]
pub struct AppState {
    db: HubDb,
    limiter: Arc<Limiter>,
    operators: Arc<Operators>,
}

impl FromRef<AppState> for Arc<Operators> {
    fn from_ref(state: &AppState) -> Self {
        Arc::clone(&state.operators)
    }
}

impl FromRef<AppState> for HubDb {
    fn from_ref(state: &AppState) -> Self {
        state.db.clone()
    }
}

impl FromRef<AppState> for Arc<Limiter> {
    fn from_ref(state: &AppState) -> Self {
        Arc::clone(&state.limiter)
    }
}

async fn health(State(db): State<HubDb>) -> impl IntoResponse {
    Json(
        serde_json::json!({ "status": "ok", "db": db.engine(), "protocol": skillpack_core::protocol::PROTOCOL_VERSION }),
    )
}

async fn nonce(State(db): State<HubDb>) -> Result<Json<NonceResponse>, HttpError> {
    let nonce = db
        .issue_nonce(std::time::Duration::from_secs(NONCE_TTL_SECS))
        .await?;
    Ok(Json(NonceResponse {
        nonce,
        expires_in: NONCE_TTL_SECS,
    }))
}

/// Checks a signed request and uses up its nonce; returns the signer's key.
pub(super) async fn signed_by(
    db: &HubDb,
    limiter: &Limiter,
    method: &str,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<skillpack_core::keys::PublicKey, HttpError> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .ok_or_else(|| {
                HttpError::new(
                    StatusCode::UNAUTHORIZED,
                    "unsigned",
                    format!("missing {name} header"),
                )
            })
    };
    let signature = SignatureHeaders {
        content_digest: header("content-digest")?,
        signature_input: header("signature-input")?,
        signature: header("signature")?,
    };
    let parts = RequestParts {
        method,
        path,
        query,
        body,
    };
    let signer = verify_request(&parts, &signature)
        .or_http_err(StatusCode::UNAUTHORIZED, "bad_signature")?;
    if !limiter.allow(signer.key.to_bytes()) {
        return Err(HttpError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many requests from this key; wait a little and try again",
        ));
    }
    if !db.consume_nonce(signer.nonce.clone()).await? {
        return Err(HttpError::new(
            StatusCode::UNAUTHORIZED,
            "bad_nonce",
            "the nonce was not issued by this hub, was already used, or expired; get a new one",
        ));
    }
    Ok(signer.key)
}

/// Parses a JSON body, answering 400 with the reason when it is not what the endpoint takes.
pub(super) fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, HttpError> {
    serde_json::from_slice(body).or_http_err(StatusCode::BAD_REQUEST, "bad_json")
}
