//! The access log: a line per request the hub routes (health checks aside), at `info`, with
//! its method, its route as declared (`/web/signin/{token}`, never the path as sent: paths
//! carry sign-in secrets and exchange ids), its status, the time to its answer's head, the
//! client (as the rate limit sees it: behind a trusted proxy, the address it forwarded) and
//! a request id, which the answer carries as `x-request-id` so an operator can find the line
//! a user's screenshot names. Nothing else of the request is logged: no query, no header, no
//! signature, no body. It also counts each route's requests and body bytes for `/metrics`.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use http_body::{Frame, SizeHint};

use crate::limits::client_address;
use crate::metrics::RouteBytes;
use crate::state::AppState;

/// The header that carries a request's id back to the client.
pub const REQUEST_ID: &str = "x-request-id";

/// Logs `request` once its answer's head is ready, and gives the answer its id.
pub async fn access_log(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", MatchedPath::as_str)
        .to_owned();
    let forwarded_for = request
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| {
            client_address(addr.ip(), forwarded_for.as_deref(), &state.trusted_proxies).to_string()
        })
        .unwrap_or_default();
    let id = crate::storage::random_bytes::<8>()
        .map(|bytes| skillpack_core::hex::encode(&bytes))
        .unwrap_or_default();
    let counted = state.metrics.bytes_of(&route);
    let (parts, body) = request.into_parts();
    let body = Body::new(Counted {
        inner: body,
        bytes: counted.clone(),
        sent: false,
    });
    let response = next.run(Request::from_parts(parts, body)).await;
    let (parts, body) = response.into_parts();
    let body = Body::new(Counted {
        inner: body,
        bytes: counted,
        sent: true,
    });
    let mut response = Response::from_parts(parts, body);
    state
        .metrics
        .count_request(&route, response.status().as_u16());
    tracing::info!(
        target: "access",
        method = %method,
        route = %route,
        status = response.status().as_u16(),
        millis = started.elapsed().as_millis() as u64,
        client = %client,
        request_id = %id,
        "request"
    );
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

/// A body that counts its data bytes into a route's counters as they pass, and otherwise is
/// the body it wraps: its size stays known (the compression layer decides by it).
struct Counted {
    inner: Body,
    bytes: Arc<RouteBytes>,
    /// An answer's body (counted as sent), or a request's (received).
    sent: bool,
}

impl http_body::Body for Counted {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled {
            if let Some(data) = frame.data_ref() {
                let counter = if self.sent {
                    &self.bytes.sent
                } else {
                    &self.bytes.received
                };
                counter.fetch_add(data.len() as u64, Ordering::Relaxed);
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
