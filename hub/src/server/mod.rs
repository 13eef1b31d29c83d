//! The hub's HTTP/1.1 server, in place of `axum::serve`, which bounds nothing: each
//! connection is served by hyper with a header read timeout, watched for idleness (no byte
//! moving either way), counted against a bound on open connections and one per client
//! address, and its request bodies must keep a minimum rate and arrive by a deadline. When
//! every slot is taken, the connection idle longest is closed to make room. Each request
//! learns its peer's address (`ConnectInfo`) for the limits per address. Shutting down stops
//! accepting, lets requests in flight finish, then returns.

mod activity;
mod occupancy;
mod paced_body;

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::response::IntoResponse;
use axum::Router;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tower_service::Service;

use activity::{Activity, Watched};
use occupancy::{Occupancy, Ticket};
use paced_body::{Pace, PacedBody};

/// How long a client may take and how many may be connected at once.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Time to send a request's whole head (request line and headers). hyper starts this
    /// clock whenever it waits for a head, so a kept-alive connection that sends no new
    /// request within it is closed too.
    pub header_read_timeout: Duration,
    /// A connection with no byte read or written for this long is closed (a client that
    /// stopped reading a download, or stopped sending a body). A request the hub itself takes
    /// this long to answer is cut too: none comes near it (verifying a 256 MiB pack takes
    /// seconds; the database waits at most 10 s for a lock).
    pub idle_timeout: Duration,
    /// Most connections open at once. Past it, the connection idle longest is closed to
    /// make room; when none is idle, new ones wait in the listen queue.
    pub max_connections: usize,
    /// Most connections open at once from one client address (an IPv4 address or an IPv6
    /// /64); past it a new one is answered `429 too_many_connections` and closed. The
    /// trusted proxies are not capped.
    pub max_per_address: usize,
    /// Bytes a second a request body must average once [`Self::body_grace`] has passed.
    pub min_body_rate: u32,
    /// Time a request body may take before its rate counts.
    pub body_grace: Duration,
    /// Time from a request's head to its answer, at most (the body included). A pack
    /// upload of the largest size takes the longest: 256 MiB in 10 minutes is 450 KB/s.
    pub request_deadline: Duration,
    /// Once asked to stop, time the requests in flight have to finish; past it they are cut
    /// (and counted in the log). New connections are refused at once: the listener closes.
    pub shutdown_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        // A phone on a poor 2G link sends a request head (under 1 KiB) in well under 10 s
        // and a body faster than 256 bytes a second; 60 s of silence mid-transfer is a link
        // that is gone. The connection bound stays under common file-descriptor limits once
        // raised from 1024; one address may hold a sixteenth of it, which a town behind one
        // carrier address syncing at once (a sync takes seconds) stays under.
        Self {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 4096,
            max_per_address: 256,
            min_body_rate: 256,
            body_grace: Duration::from_secs(10),
            request_deadline: Duration::from_secs(600),
            // Within the 30 s a container's orchestrator waits after SIGTERM before it kills.
            shutdown_timeout: Duration::from_secs(25),
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then closes the listener and
/// finishes what is in flight within the limits' shutdown deadline. Connections from `proxies` (the operator's balancers) are not capped per address.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    proxies: Vec<IpAddr>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let max = limits.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let slots = Arc::new(Semaphore::new(max));
    let occupancy = Occupancy::new(limits.max_per_address, proxies);
    let (stop, stopping) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors or a connection reset before accept: wait a
                    // little rather than spin, and go on serving the others.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Some(ticket) = occupancy.admit(peer.ip()) else {
            refuse_crowded(stream);
            continue;
        };
        // While this one waits for a slot, no other is accepted: the rest wait in the
        // listen queue.
        let slot = tokio::select! {
            () = &mut shutdown => break,
            slot = free_slot(&slots, &occupancy, &ticket) => slot?,
        };
        let (router, stopping) = (router.clone(), stopping.clone());
        tokio::spawn(async move {
            serve_connection(stream, peer, router, limits, ticket, stopping).await;
            drop(slot);
        });
    }
    // No new connection waits in a queue no one reads: they are refused from now on.
    drop(listener);
    let _ = stop.send(true);
    // Every connection holds a slot until it ends: all slots back means all are done.
    let all = u32::try_from(max).unwrap_or(u32::MAX);
    let drained = tokio::time::timeout(limits.shutdown_timeout, slots.acquire_many(all)).await;
    match drained {
        Ok(done) => {
            let _all = done.map_err(io::Error::other)?;
        }
        Err(_) => {
            let cut = max.saturating_sub(slots.available_permits());
            tracing::warn!(
                connections = cut,
                after_seconds = limits.shutdown_timeout.as_secs(),
                "shutdown deadline passed: connections still in flight are cut"
            );
        }
    }
    Ok(())
}

/// A free connection slot for the connection of `ticket`: at once if there is one, else
/// after closing the connection idle longest (another), else when a connection ends
/// (looking again for an idle one every second).
async fn free_slot(
    slots: &Arc<Semaphore>,
    occupancy: &Occupancy,
    ticket: &Ticket,
) -> io::Result<OwnedSemaphorePermit> {
    loop {
        match Arc::clone(slots).try_acquire_owned() {
            Ok(slot) => return Ok(slot),
            Err(tokio::sync::TryAcquireError::Closed) => {
                return Err(io::Error::other("the connection slots are closed"))
            }
            Err(tokio::sync::TryAcquireError::NoPermits) => {}
        }
        occupancy.shed_oldest_idle(ticket);
        tokio::select! {
            slot = Arc::clone(slots).acquire_owned() => return slot.map_err(io::Error::other),
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}

/// Answers a connection from an address that holds as many as it may, and closes it. The
/// answer is small enough for the socket's buffer, so writing it never waits.
fn refuse_crowded(stream: TcpStream) {
    tracing::debug!(peer = ?stream.peer_addr().ok(), "refused a connection past its address's cap");
    let body = r#"{"error":"too_many_connections","message":"this address holds as many connections as it may; close some and try again"}"#;
    let answer = format!(
        "HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\ncontent-length: {}\r\nretry-after: 5\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.try_write(answer.as_bytes());
}

/// Serves one connection until it ends, idles too long, is shed to make room, or the hub
/// shuts down.
async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: ConnectionLimits,
    ticket: Ticket,
    mut stopping: watch::Receiver<bool>,
) {
    let activity = Arc::new(Activity::new());
    let watched = Watched {
        inner: stream,
        activity: Arc::clone(&activity),
    };
    let pace = Pace {
        grace: limits.body_grace,
        min_rate: limits.min_body_rate,
        deadline: limits.request_deadline,
    };
    let seat = Arc::clone(&ticket.seat);
    let ticket = Arc::new(ticket);
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let busy = ticket.busy();
        let mut request = request.map(|body| Body::new(PacedBody::new(body, pace)));
        request.extensions_mut().insert(ConnectInfo(peer));
        let mut router = router.clone();
        async move {
            let answered =
                tokio::time::timeout(limits.request_deadline, router.call(request)).await;
            let response = match answered {
                Ok(response) => response.unwrap_or_else(|never| match never {}),
                Err(_) => crate::error::HttpError::new(
                    axum::http::StatusCode::REQUEST_TIMEOUT,
                    "request_timeout",
                    format!(
                        "a request is answered within {} seconds, its body included",
                        limits.request_deadline.as_secs()
                    ),
                )
                .into_response(),
            };
            // The connection stays busy until the answer's body is all sent.
            Ok::<_, Infallible>(response.map(|body| {
                Body::new(body.map_frame(move |frame| {
                    let _in_flight = &busy;
                    frame
                }))
            }))
        }
    });
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .serve_connection(TokioIo::new(watched), service);
    tokio::pin!(connection);
    let mut draining = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(%peer, error = %e, "connection ended");
                }
                return;
            }
            changed = stopping.changed(), if !draining => {
                draining = true;
                if changed.is_ok() {
                    connection.as_mut().graceful_shutdown();
                }
            }
            () = activity.idle_for(limits.idle_timeout) => {
                tracing::debug!(%peer, "closing an idle connection");
                return;
            }
            () = seat.shed.notified() => {
                tracing::debug!(%peer, "closing an idle connection to make room");
                return;
            }
        }
    }
}
