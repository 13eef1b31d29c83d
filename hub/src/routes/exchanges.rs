//! Exchanges into a learner's wallet (W3C VCALM): a bound device opens one for a credential of
//! its learner; a wallet reads the interaction URL (`?iuv=1`) and posts its messages to the
//! exchange. Each body is bounded and read strictly (a key written twice is refused), and each
//! refusal is the hub's JSON error with a stable code; the rules are in `crate::exchange`.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use skillpack_core::credential::presentation::PresentationError;
use skillpack_core::protocol::{ExchangeMessage, WalletExchangeRequest, WalletExchangeResponse};

use super::extract::body_rejection;
use super::{json_body, BoundDevice, QueryOf};
use crate::error::{HttpError, OrHttpErr};
use crate::exchange::{self, OpenRefusal, StepRefusal};
use crate::state::AppState;

/// Largest message a wallet posts to an exchange: a DID authentication is about 1 KB.
pub const MAX_EXCHANGE_BODY: usize = 64 << 10;

/// `POST /v1/exchanges`: a bound device opens an exchange for one of its learner's
/// credentials.
pub(super) async fn open(
    State(state): State<AppState>,
    BoundDevice { key, device, body }: BoundDevice,
) -> Result<(StatusCode, Json<WalletExchangeResponse>), HttpError> {
    let request: WalletExchangeRequest = json_body(&body)?;
    let asked_by = format!("device {}", key.to_did_key());
    match exchange::open(&state.db, &device.learner, &request.credential, asked_by).await? {
        Ok(opened) => Ok((
            StatusCode::CREATED,
            Json(WalletExchangeResponse {
                interaction_url: opened.interaction_url,
                expires_in: opened.expires_in,
            }),
        )),
        Err(refusal) => Err(open_refused(&refusal)),
    }
}

/// The HTTP error of a refused opening.
pub(crate) fn open_refused(refusal: &OpenRefusal) -> HttpError {
    let status = match refusal {
        OpenRefusal::NoSuchCredential(_) => StatusCode::NOT_FOUND,
        OpenRefusal::Revoked(_) | OpenRefusal::WalletCopy(_) => StatusCode::CONFLICT,
    };
    HttpError::new(status, refusal.code(), refusal.to_string())
}

/// The query of an interaction URL.
#[derive(Deserialize)]
pub(super) struct InteractionQuery {
    iuv: Option<String>,
}

/// `GET /v1/interactions/{id}?iuv=1`: to a wallet (`Accept: application/json`), the protocols
/// it may go on with; to a browser, a page that says to open the link in a wallet.
pub(super) async fn interaction(
    State(state): State<AppState>,
    Path(id): Path<String>,
    QueryOf(query): QueryOf<InteractionQuery>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"));
    if !wants_json {
        return Ok(for_people());
    }
    if query.iuv.as_deref() != Some("1") {
        return Err(HttpError::new(
            StatusCode::BAD_REQUEST,
            "bad_query",
            "an interaction URL of this hub carries iuv=1, the version it speaks",
        ));
    }
    match exchange::protocols(&state.db, well_formed(&id)?).await? {
        Ok(protocols) => Ok(Json(protocols).into_response()),
        Err(refusal) => Err(step_refused(&refusal)),
    }
}

/// `POST /v1/exchanges/{id}`: a wallet's message, `{}` or its DID authentication.
pub(super) async fn message(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<skillpack_core::protocol::ExchangeReply>, HttpError> {
    let id = well_formed(&id)?;
    let body = body.map_err(body_rejection)?;
    let value = skillpack_core::credential::json::parse(&body).or_http_err(
        StatusCode::BAD_REQUEST,
        "bad_json",
        "the body is not one JSON object (each key once)",
    )?;
    let message: ExchangeMessage = serde_json::from_value(value).or_http_err(
        StatusCode::BAD_REQUEST,
        "bad_json",
        "an exchange takes {} or {\"verifiablePresentation\": …}",
    )?;
    match exchange::step(&state.db, id, message).await? {
        Ok(reply) => Ok(Json(reply)),
        Err(refusal) => Err(step_refused(&refusal)),
    }
}

/// An exchange id as the hub makes them (32 hex digits), else `404 no_such_exchange` before
/// anything is looked up.
fn well_formed(id: &str) -> Result<&str, HttpError> {
    if id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(id)
    } else {
        Err(step_refused(&StepRefusal::NoSuchExchange))
    }
}

/// The HTTP error of a refused message: gone or used up (politely, with what to do), or a DID
/// authentication that did not check out (named).
fn step_refused(refusal: &StepRefusal) -> HttpError {
    let status = match refusal {
        StepRefusal::NoSuchExchange => StatusCode::NOT_FOUND,
        StepRefusal::Used | StepRefusal::Revoked => StatusCode::CONFLICT,
        StepRefusal::Expired => StatusCode::GONE,
        // Not a presentation the hub reads: the wallet's mistake.
        StepRefusal::NotAuthenticated(
            PresentationError::Malformed(_)
            | PresentationError::Credential(_)
            | PresentationError::NotTheHoldersCredential { .. }
            | PresentationError::CredentialRefused { .. }
            | PresentationError::UnsupportedHolder(_)
            | PresentationError::UnsupportedProof(_),
        ) => StatusCode::BAD_REQUEST,
        // Read, and not proof of this DID for this exchange.
        StepRefusal::NotAuthenticated(
            PresentationError::WrongChallenge
            | PresentationError::WrongDomain { .. }
            | PresentationError::NotHolder(_)
            | PresentationError::BadSignature,
        ) => StatusCode::FORBIDDEN,
    };
    HttpError::new(status, refusal.code(), refusal.to_string())
}

/// The page a browser gets at an interaction URL: it names no learner and no credential.
fn for_people() -> Response {
    (
        [
            (header::CACHE_CONTROL, "no-store"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'",
            ),
        ],
        Html(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width\">\
             <title>Open in your wallet</title></head><body>\
             <h1>Open this in your wallet app</h1>\
             <p>This link hands a Skillpack credential to a digital wallet, such as the \
             Learner Credential Wallet. Scan its QR code from the wallet's \"Add credential\" \
             screen, or paste the link there. It works once, for ten minutes.</p>\
             </body></html>",
        ),
    )
        .into_response()
}
