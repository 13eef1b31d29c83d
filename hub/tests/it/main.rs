//! The hub over real HTTP on loopback: one test binary, a module per area.
#![allow(clippy::unwrap_used)]

mod admin;
mod distribution;
mod load;
mod results;

use std::net::SocketAddr;

use reqwest::blocking::{Client, Response};
use skillpack_core::keys::SecretKey;
use skillpack_core::protocol::{sign_request, NonceResponse, RequestParts};
use skillpack_hub::HubDb;

/// A hub running in the background for one test; stopped when dropped.
pub struct TestHub {
    /// Base URL, `http://127.0.0.1:PORT`.
    pub url: String,
    /// The hub's database, for operator actions.
    pub db: HubDb,
    _dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestHub {
    /// Starts a hub on a free loopback port with a fresh SQLite database.
    pub fn start() -> Self {
        Self::start_with_limit(skillpack_hub::limits::RateLimit::default())
    }

    /// [`TestHub::start`] with a given rate limit per signing key.
    pub fn start_with_limit(limit: skillpack_hub::limits::RateLimit) -> Self {
        Self::start_with(skillpack_hub::routes::HubConfig {
            limit,
            operators: Vec::new(),
        })
    }

    /// [`TestHub::start`] with a given configuration.
    pub fn start_with(config: skillpack_hub::routes::HubConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = HubDb::open(&test_database_url(dir.path())).unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<SocketAddr>();
        let served = db.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                ready_tx.send(listener.local_addr().unwrap()).unwrap();
                skillpack_hub::serve_with(listener, served, config, async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
            });
        });
        let addr = ready_rx.recv().unwrap();
        Self {
            url: format!("http://{addr}"),
            db,
            _dir: dir,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// A fresh nonce from the hub.
    fn nonce(&self) -> String {
        let nonce: NonceResponse = Client::new()
            .get(format!("{}/v1/nonce", self.url))
            .send()
            .unwrap()
            .json()
            .unwrap();
        nonce.nonce
    }

    /// Sends a request signed by `key` with a fresh nonce.
    pub fn signed_post(&self, key: &SecretKey, path_and_query: &str, body: Vec<u8>) -> Response {
        self.signed("POST", key, path_and_query, body, &self.nonce())
    }

    /// A GET signed by `key` (over an empty body) with a fresh nonce.
    pub fn signed_get(&self, key: &SecretKey, path_and_query: &str) -> Response {
        self.signed("GET", key, path_and_query, Vec::new(), &self.nonce())
    }

    /// Sends a request signed by `key` with a given nonce.
    pub fn signed_post_with(
        &self,
        key: &SecretKey,
        path_and_query: &str,
        body: Vec<u8>,
        nonce: &str,
    ) -> Response {
        self.signed("POST", key, path_and_query, body, nonce)
    }

    /// Sends `method` to `path_and_query`, signed by `key` over `body` with `nonce`.
    fn signed(
        &self,
        method: &str,
        key: &SecretKey,
        path_and_query: &str,
        body: Vec<u8>,
        nonce: &str,
    ) -> Response {
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p.to_owned(), format!("?{q}")),
            None => (path_and_query.to_owned(), "?".to_owned()),
        };
        let parts = RequestParts {
            method,
            path: &path,
            query: &query,
            body: &body,
        };
        let headers = sign_request(&parts, key, nonce, 0);
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        Client::new()
            .request(method, format!("{}{path_and_query}", self.url))
            .header("content-digest", headers.content_digest)
            .header("signature-input", headers.signature_input)
            .header("signature", headers.signature)
            .body(body)
            .send()
            .unwrap()
    }
}

impl Drop for TestHub {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The database a test hub uses: SQLite in `dir`, or, when `SKILLPACK_HUB_TEST_ENGINE` is
/// `postgres`, a fresh database on the cluster `SKILLPACK_TEST_POSTGRES` points at
/// (`scripts/with-postgres` starts one). The same tests run on both engines.
fn test_database_url(dir: &std::path::Path) -> String {
    if std::env::var("SKILLPACK_HUB_TEST_ENGINE").as_deref() != Ok("postgres") {
        return format!("sqlite://{}", dir.join("hub.db").display());
    }
    let admin = std::env::var("SKILLPACK_TEST_POSTGRES").expect(
        "SKILLPACK_TEST_POSTGRES must name a PostgreSQL cluster (scripts/with-postgres starts one)",
    );
    let mut bytes = [0u8; 8];
    getrandom::getrandom(&mut bytes).unwrap();
    let name = format!("hub_{}", skillpack_core::hex::encode(&bytes));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
    });
    let base = admin
        .rsplit_once('/')
        .map_or(admin.as_str(), |(base, _)| base);
    format!("{base}/{name}")
}
