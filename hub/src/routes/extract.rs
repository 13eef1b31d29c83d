//! What a handler asks of a request, checked before it runs: [`SignedRequest`] (the signature
//! over method, path, query and body verifies, the key is within its rate, and the nonce is
//! used up), [`Operator`] (the same, by one of the hub's operators), and [`QueryOf`] (a query
//! string that parses). Each refusal is the hub's JSON error with a stable code.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use skillpack_core::keys::PublicKey;
use skillpack_core::protocol::{verify_request, RequestParts, SignatureHeaders};

use super::AppState;
use crate::error::{HttpError, OrHttpErr};

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
        let method = req.method().as_str().to_owned();
        let uri = req.uri();
        let target = uri
            .path_and_query()
            .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned());
        let headers = SignatureHeaders::read(|name| {
            req.headers()
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
        })?;
        let body = Bytes::from_request(req, state)
            .await
            .map_err(body_rejection)?;
        let signer = verify_request(&RequestParts::new(&method, &target, &body), &headers)
            .or_http_err(StatusCode::UNAUTHORIZED, "bad_signature", "")?;
        if !state.limiter.allow(signer.key.to_bytes()) {
            return Err(HttpError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many requests from this key; wait a little and try again",
            ));
        }
        if !state.db.consume_nonce(signer.nonce).await? {
            return Err(HttpError::new(
                StatusCode::UNAUTHORIZED,
                "bad_nonce",
                "the nonce was not issued by this hub, was already used, or expired; get a new one",
            ));
        }
        Ok(Self {
            key: signer.key,
            body,
        })
    }
}

/// A signed request from one of the hub's operators (the `/v1/admin/…` views).
#[derive(Debug)]
pub struct Operator(pub PublicKey);

impl FromRequest<AppState> for Operator {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, HttpError> {
        let signed = SignedRequest::from_request(req, state).await?;
        if state.operators.contains(&signed.key) {
            Ok(Self(signed.key))
        } else {
            Err(HttpError::new(
                StatusCode::FORBIDDEN,
                "not_operator",
                "this key is not one of the hub's operators",
            ))
        }
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
fn body_rejection(rejection: BytesRejection) -> HttpError {
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
