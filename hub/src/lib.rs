#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod answer;
pub mod backup;
pub mod catalog_cache;
pub mod error;
pub mod exchange;
pub mod grant;
pub mod ingest;
pub mod issue;
pub mod issuer;
pub mod join;
pub mod limits;
pub mod metrics;
pub mod milestones;
pub mod nonce;
pub mod pack_store;
pub mod publish;
pub mod routes;
pub mod server;
pub mod state;
pub mod storage;
#[cfg(feature = "testing")]
pub mod testing;
pub mod web;
pub mod work_records;

use std::future::Future;

use tokio::net::TcpListener;

pub use storage::HubDb;

/// Serves the hub on `listener` until `shutdown` completes, then finishes the requests in
/// flight before returning.
pub async fn serve(
    listener: TcpListener,
    db: HubDb,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with_limit(listener, db, limits::RateLimit::default(), shutdown).await
}

/// [`serve`] with a given rate limit per signing key.
pub async fn serve_with_limit(
    listener: TcpListener,
    db: HubDb,
    limit: limits::RateLimit,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let config = state::HubConfig {
        limit,
        ..state::HubConfig::default()
    };
    serve_with(listener, db, config, shutdown).await
}

/// [`serve`] with a given configuration (rate limits, operators, connection limits).
pub async fn serve_with(
    listener: TcpListener,
    db: HubDb,
    config: state::HubConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let packs = db.pack_store().at();
    tracing::info!(addr = %listener.local_addr()?, db = db.engine(), %packs, "hub listening");
    if packs.is_folder() && db.engine() == "postgres" {
        tracing::warn!(%packs, "packs are in a folder of this machine: other instances on this database do not see them; give every instance --packs s3://…");
    }
    let (connections, proxies) = (config.connections, config.trusted_proxies.clone());
    server::serve(
        listener,
        routes::router_with(db, config),
        connections,
        proxies,
        shutdown,
    )
    .await
}
