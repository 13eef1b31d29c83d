//! What the hub's test binaries share: a hub running on loopback for one test, signed
//! requests built with the protocol's own helpers, and fresh databases on either engine.
#![allow(dead_code, clippy::unwrap_used)]

use std::future::Future;
use std::net::SocketAddr;

use reqwest::blocking::{Client, Response};
use reqwest::StatusCode;
use skillpack_core::keys::SecretKey;
use skillpack_core::protocol::{endpoint, NonceResponse, PushRequest, PushResponse, RecordStatus};
use skillpack_core::testing::{publisher_key, record_chain, sample_pack, signed_headers};
use skillpack_hub::limits::RateLimit;
use skillpack_hub::state::HubConfig;
use skillpack_hub::testing;
use skillpack_hub::HubDb;

/// A hub running in the background for one test; stopped when dropped.
pub struct TestHub {
    /// Base URL, `http://127.0.0.1:PORT`.
    pub url: String,
    /// The hub's database, for operator actions (run them with [`TestHub::run`]).
    pub db: HubDb,
    /// Where that database is (`sqlite://…` or `postgres://…`).
    pub db_url: String,
    /// Where its packs are kept.
    pub packs: skillpack_hub::pack_store::PacksAt,
    runtime: tokio::runtime::Handle,
    _dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestHub {
    /// Starts a hub on a free loopback port with a fresh database (see [`test_database_url`]).
    pub fn start() -> Self {
        Self::start_with_limit(skillpack_hub::limits::RateLimit::default())
    }

    /// [`TestHub::start`] with a given rate limit per signing key.
    pub fn start_with_limit(limit: skillpack_hub::limits::RateLimit) -> Self {
        Self::start_with(skillpack_hub::state::HubConfig {
            limit,
            ..Default::default()
        })
    }

    /// [`TestHub::start`] with a given configuration.
    pub fn start_with(config: skillpack_hub::state::HubConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = test_database_url(dir.path());
        let packs = testing::test_pack_store(dir.path()).unwrap();
        Self::serve(dir, url, packs, config)
    }

    /// A hub on the database at `url` (made and migrated if new), its packs where
    /// [`testing::test_pack_store`] says.
    pub fn start_on(url: String) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let packs = testing::test_pack_store(dir.path()).unwrap();
        Self::serve(dir, url, packs, HubConfig::default())
    }

    /// Another instance of this hub, as behind a balancer: the same database and pack store,
    /// a process state (rate limits) of its own, `config` its configuration.
    pub fn beside(&self, config: HubConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        Self::serve(dir, self.db_url.clone(), self.packs.clone(), config)
    }

    fn serve(
        dir: tempfile::TempDir,
        url: String,
        packs: skillpack_hub::pack_store::PacksAt,
        config: HubConfig,
    ) -> Self {
        let db_url = url.clone();
        let kept = packs.clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().unwrap();
            let handle = runtime.handle().clone();
            runtime.block_on(async move {
                let db = HubDb::open_at(&url, Some(&packs)).await.unwrap();
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr: SocketAddr = listener.local_addr().unwrap();
                ready_tx.send((addr, db.clone(), handle)).unwrap();
                skillpack_hub::serve_with(listener, db, config, async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
            });
        });
        let (addr, db, runtime) = ready_rx.recv().unwrap();
        Self {
            url: format!("http://{addr}"),
            db,
            db_url,
            packs: kept,
            runtime,
            _dir: dir,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Runs SQL on the hub's database behind the hub's back, as a hub of an older version or
    /// an administrator would have written it.
    pub fn sql(&self, sql: &str) {
        match self.db_url.strip_prefix("sqlite://") {
            Some(path) => rusqlite::Connection::open(path)
                .unwrap()
                .execute_batch(sql)
                .unwrap(),
            None => postgres_admin(&self.db_url, sql),
        }
    }

    /// Runs an operator call (or any future) on the hub's runtime and waits for it.
    pub fn run<F: Future>(&self, call: F) -> F::Output {
        self.runtime.block_on(call)
    }

    /// A fresh nonce from the hub.
    pub fn nonce(&self) -> String {
        let nonce: NonceResponse = Client::new()
            .get(format!("{}{}", self.url, endpoint::NONCE))
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
    pub fn signed(
        &self,
        method: &str,
        key: &SecretKey,
        path_and_query: &str,
        body: Vec<u8>,
        nonce: &str,
    ) -> Response {
        let headers = signed_headers(method, path_and_query, &body, key, nonce);
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        Client::new()
            .request(method, format!("{}{path_and_query}", self.url))
            .headers(headers)
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

/// True when the tests are asked to run on PostgreSQL (`SKILLPACK_HUB_TEST_ENGINE=postgres`).
pub fn on_postgres() -> bool {
    std::env::var("SKILLPACK_HUB_TEST_ENGINE").as_deref() == Ok("postgres")
}

/// The database a test hub uses: SQLite in `dir`, or, when `SKILLPACK_HUB_TEST_ENGINE` is
/// `postgres`, a fresh database on the cluster `SKILLPACK_TEST_POSTGRES` points at
/// (`scripts/with-postgres` starts one). The same tests run on both engines.
pub fn test_database_url(dir: &std::path::Path) -> String {
    if on_postgres() {
        fresh_postgres_database()
    } else {
        format!("sqlite://{}", dir.join("hub.db").display())
    }
}

/// Opens the test database at `url`, its packs where [`testing::test_pack_store`] says.
pub async fn open_test_db(url: &str, dir: &std::path::Path) -> HubDb {
    let packs = testing::test_pack_store(dir).unwrap();
    HubDb::open_at(url, Some(&packs)).await.unwrap()
}

/// A new, empty database on the test cluster; panics with how to get one when there is none
/// (a PostgreSQL test asked to run never passes without one).
pub fn fresh_postgres_database() -> String {
    testing::fresh_postgres_database("hub").unwrap_or_else(|e| panic!("{e}"))
}

/// Runs SQL on the PostgreSQL database at `url` (outside the hub, as an administrator would).
pub fn postgres_admin(url: &str, sql: &str) {
    testing::postgres_admin(url, sql).unwrap_or_else(|e| panic!("{e}"));
}

/// A hub for a flood from loopback: the device and the trainer come from loopback too, so the
/// limit per address is lifted to let all of the flood reach the nonce endpoint.
pub fn flood_config() -> HubConfig {
    HubConfig {
        per_address: RateLimit {
            burst: 1e9,
            per_second: 1e9,
        },
        ..HubConfig::default()
    }
}

/// Floods the hub with `count` unauthenticated nonce requests over `connections` connections
/// at once; how many were answered 200.
pub fn flood_nonces(hub: &TestHub, count: usize, connections: usize) -> usize {
    let url = format!("{}{}", hub.url, endpoint::NONCE);
    let started = std::time::Instant::now();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let served: usize = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(connections)
            .build()
            .unwrap();
        let tasks: Vec<_> = (0..connections)
            .map(|i| {
                let (client, url) = (client.clone(), url.clone());
                let mine = count / connections + usize::from(i < count % connections);
                tokio::spawn(async move {
                    let mut ok = 0;
                    for _ in 0..mine {
                        let response = client.get(&url).send().await.unwrap();
                        ok += usize::from(response.status() == StatusCode::OK);
                        response.bytes().await.unwrap();
                    }
                    ok
                })
            })
            .collect();
        let mut served = 0;
        for task in tasks {
            served += task.await.unwrap();
        }
        served
    });
    let took = started.elapsed().as_secs_f64();
    eprintln!(
        "{served} nonces in {took:.1} s ({:.0}/s)",
        served as f64 / took
    );
    served
}

/// A device registers and pushes three records, and a trainer publishes: each with a nonce
/// of its own, each succeeding.
pub fn register_sync_and_publish(hub: &TestHub) {
    let code = hub
        .run(hub.db.create_enrolment("riders", None, None))
        .unwrap();
    let device = SecretKey::from_seed(&[71; 32]);
    let learner_key = SecretKey::from_seed(&[72; 32]);
    let learner = learner_key.public_key().to_did_key();
    let register = serde_json::to_vec(&skillpack_core::testing::register_request(
        &device,
        &learner_key,
        &code,
    ))
    .unwrap();
    let response = hub.signed_post(&device, endpoint::DEVICES, register);
    assert_eq!(response.status(), StatusCode::CREATED);
    let records = record_chain(&device, &learner, 3);
    let body = serde_json::to_vec(&PushRequest {
        records,
        name: None,
        grants_after: None,
    })
    .unwrap();
    let response = hub.signed_post(&device, endpoint::RECORDS, body);
    assert_eq!(response.status(), StatusCode::OK);
    let pushed: PushResponse = response.json().unwrap();
    assert!(pushed
        .results
        .iter()
        .all(|r| r.status == RecordStatus::Accepted));
    hub.run(
        hub.db
            .add_publisher(publisher_key().public_key(), "trainer".into()),
    )
    .unwrap();
    let response = hub.signed_post(
        &publisher_key(),
        &endpoint::publish("riders"),
        sample_pack(),
    );
    assert_eq!(response.status(), StatusCode::CREATED);
}

/// A trainer or operator signed in to the web pages through a one-time link, as a browser
/// is: the session's cookie, sent with every page and form (redirects are not followed, so a
/// form's answer can be checked).
pub struct WebVisit {
    http: Client,
    base: String,
    /// The `name=value` of the session cookie.
    pub cookie: String,
}

impl TestHub {
    /// Signs in to the web pages with a one-time link for `grant`.
    pub fn sign_in(&self, grant: skillpack_hub::storage::WebGrant) -> WebVisit {
        let http = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let token = self
            .run(
                self.db
                    .create_web_link(grant, std::time::Duration::from_secs(60)),
            )
            .unwrap();
        let signed = http
            .post(format!("{}/web/signin/{token}", self.url))
            .send()
            .unwrap();
        let cookie = signed.headers()["set-cookie"].to_str().unwrap();
        WebVisit {
            cookie: cookie.split(';').next().unwrap().to_owned(),
            http,
            base: self.url.clone(),
        }
    }
}

impl WebVisit {
    /// The answer to a GET of `path`, whatever it holds (a download, an error).
    pub fn get(&self, path: &str) -> Response {
        self.http
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .unwrap()
    }

    /// A page's HTML.
    pub fn page(&self, path: &str) -> String {
        self.http
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .unwrap()
            .text()
            .unwrap()
    }

    /// The CSRF token the forms of the page at `path` carry.
    pub fn csrf(&self, path: &str) -> String {
        self.page(path)
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned()
    }

    /// Sends a form to `path`.
    pub fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.http
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .form(form)
            .send()
            .unwrap()
    }

    /// Sends a body of its own type to `path` (an upload form, say).
    pub fn post_body(&self, path: &str, content_type: &str, body: Vec<u8>) -> Response {
        self.http
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .header("content-type", content_type)
            .body(body)
            .send()
            .unwrap()
    }
}
