//! The HTTP endpoints of protocol version 1, mounted from `protocol::endpoint`. Handlers
//! check and convert; storage and core do the rest. `packs` serves publishing and
//! distribution, `results` devices and their records, `exchanges` a learner's credential into
//! a wallet (W3C VCALM), `admin` the operator's view; the
//! extractors in `extract` check signatures before a handler runs.

mod access_log;
mod admin;
mod exchanges;
mod extract;
mod packs;
mod results;

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use skillpack_core::protocol::{endpoint, NonceResponse};
use tower_http::compression::predicate::{Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;

pub use extract::{BoundDevice, Operator, PublisherUpload, QueryOf, SignedRequest};

use crate::error::{HttpError, OrHttpErr};
use crate::limits::{client_address, Address};
use crate::state::{AppState, HubConfig};
use crate::storage::HubDb;

/// How long a nonce stays valid.
const NONCE_TTL: Duration = Duration::from_secs(300);
/// Largest pack the hub accepts.
pub const MAX_PACK_BYTES: usize = 256 << 20;
/// Largest batch of records, in bytes.
pub const MAX_PUSH_BYTES: usize = 8 << 20;
/// Most records in one push.
pub const MAX_PUSH_RECORDS: usize = 500;
/// Largest body of any other request.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// Every route of the hub over `db`.
pub fn router(db: HubDb) -> Router {
    router_with(db, HubConfig::default())
}

/// The routes with a given configuration. Every refusal, the framework's own included (an
/// unknown path, a wrong method, a body too large), is the JSON error of `docs/protocol.md`.
pub fn router_with(db: HubDb, config: HubConfig) -> Router {
    let state = AppState::new(db, config);
    Router::new()
        .route(endpoint::NONCE, get(nonce))
        .route(
            endpoint::PACKS,
            // The upload streams to a file under its own bound (`PublisherUpload`).
            post(packs::publish).layer(DefaultBodyLimit::disable()),
        )
        .route(endpoint::CATALOG, get(packs::catalog))
        .route(endpoint::PACK, get(packs::download_pack))
        .route(endpoint::CHUNK, get(packs::download_chunk))
        .route(endpoint::DEVICES, post(results::register))
        .route(
            endpoint::RECORDS,
            post(results::push).layer(DefaultBodyLimit::max(MAX_PUSH_BYTES)),
        )
        .route(endpoint::CREDENTIALS, post(results::credentials))
        .route(endpoint::HISTORY, post(results::history))
        .route(endpoint::REVOCATIONS, post(results::revocations))
        .route(endpoint::STATUS_LIST, get(results::status_list))
        .route(endpoint::EXCHANGES, post(exchanges::open))
        .route(
            endpoint::EXCHANGE,
            post(exchanges::message).layer(DefaultBodyLimit::max(exchanges::MAX_EXCHANGE_BODY)),
        )
        .route(endpoint::INTERACTION, get(exchanges::interaction))
        .route(endpoint::ADMIN_GROUPS, get(admin::groups))
        .route(endpoint::ADMIN_LEARNERS, get(admin::learners))
        .route(endpoint::ADMIN_RESULTS, get(admin::results))
        .route(endpoint::ADMIN_FLAGS, get(admin::flags))
        .route(endpoint::ADMIN_CODES, get(admin::codes))
        .merge(crate::web::router())
        // After routing, so the line names the route as declared, never a path's secret.
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            access_log::access_log,
        ))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), per_address))
        // After the layer: a balancer's health checks are never limited.
        .route(endpoint::HEALTH, get(health))
        .route(endpoint::READY, get(ready))
        .route(endpoint::METRICS, get(metrics))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(
            CompressionLayer::new()
                .zstd(true)
                .compress_when(worth_compressing()),
        )
        .with_state(state)
}

/// Smallest answer worth compressing: below it the frame and the chunked encoding cost
/// more than they save (a nonce, a push's answer, an error).
const MIN_COMPRESSED: u16 = 256;

/// Whether an answer is compressed for a client that asks for zstd: JSON and CSV of some
/// size. Packs and chunks are compressed already and served by byte ranges, as they are.
fn worth_compressing() -> impl Predicate {
    SizeAbove::new(MIN_COMPRESSED).and(
        |_: StatusCode,
         _: axum::http::Version,
         headers: &axum::http::HeaderMap,
         _: &axum::http::Extensions| {
            headers
                .get(axum::http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|t| t.starts_with("application/json") || t.starts_with("text/csv"))
        },
    )
}

/// Refuses a request past its address's rate (`429 rate_limited`) before any work is done
/// for it. A request without a peer address (the router driven in-process) is not limited.
async fn per_address(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let forwarded_for = request
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok());
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| {
            Address::from(client_address(
                addr.ip(),
                forwarded_for,
                &state.trusted_proxies,
            ))
        });
    if peer.is_some_and(|peer| !state.per_address.allow(peer)) {
        return HttpError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many requests from this address; wait a little and try again",
        )
        .into_response();
    }
    next.run(request).await
}

async fn health(State(state): State<AppState>) -> impl IntoResponse {
    Json(
        serde_json::json!({ "status": "ok", "db": state.db.engine(), "protocol": skillpack_core::protocol::PROTOCOL_VERSION }),
    )
}

/// Ready: the database answers (its schema version read now), within 5 s; else 503 with why.
/// `/health` only says the process is alive.
async fn ready(State(state): State<AppState>) -> Response {
    let read = tokio::time::timeout(Duration::from_secs(5), state.db.schema_version()).await;
    match read {
        Ok(Ok(schema)) => Json(serde_json::json!({
            "status": "ready", "db": state.db.engine(), "schema": schema
        }))
        .into_response(),
        Ok(Err(e)) => not_ready(&e.to_string()),
        Err(_) => not_ready("the database did not answer within 5 s"),
    }
}

/// `/metrics`, in Prometheus' text format (`crate::metrics`).
async fn metrics(State(state): State<AppState>) -> Result<Response, HttpError> {
    let records = state.db.record_count().await?;
    let page = state.metrics.render(crate::metrics::Gauges {
        engine: state.db.engine(),
        records,
        catalog_builds: state.catalogs.builds(),
        pool: state.db.pool_figures(),
    });
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        page,
    )
        .into_response())
}

fn not_ready(why: &str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(serde_json::json!({ "status": "not_ready", "why": why })),
    )
        .into_response()
}

async fn nonce(State(state): State<AppState>) -> Result<Json<NonceResponse>, HttpError> {
    let nonce = state.db.issue_nonce(NONCE_TTL)?;
    Ok(Json(NonceResponse {
        nonce,
        expires_in: NONCE_TTL.as_secs(),
    }))
}

async fn not_found() -> HttpError {
    HttpError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such endpoint (see docs/protocol.md)",
    )
}

async fn method_not_allowed() -> HttpError {
    HttpError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not take this method",
    )
}

/// Parses a JSON body, answering 400 with the reason when it is not what the endpoint takes.
pub(super) fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, HttpError> {
    serde_json::from_slice(body).or_http_err(
        StatusCode::BAD_REQUEST,
        "bad_json",
        "the body is not what this endpoint takes",
    )
}
