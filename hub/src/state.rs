//! What every request of the hub may use, built once when it starts: the database, the rate
//! limiters, the operators' keys, where uploads wait and the signed status lists; and
//! [`HubConfig`], how an operator sets those up. The API's routes and the web pages both take
//! it, so neither needs the other.

use std::sync::Arc;

use skillpack_core::keys::PublicKey;

use crate::limits::{Address, Limiter, RateLimit};
use crate::server::ConnectionLimits;
use crate::storage::HubDb;

/// How a hub runs: its rate limits, its operators and its connection limits.
#[derive(Debug, Clone)]
pub struct HubConfig {
    /// Requests per signing key.
    pub limit: RateLimit,
    /// Requests per client address (IPv4 address or IPv6 /64), signed or not; `/health`
    /// is not limited.
    pub per_address: RateLimit,
    /// The load balancers or proxies in front of the hub: for a request from one of them,
    /// the client is the address it wrote in `X-Forwarded-For`. Without them, every client
    /// behind a balancer would share the balancer's one address and its one limit.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Keys allowed to read the operator's view (`/v1/admin/…`).
    pub operators: Vec<PublicKey>,
    /// Timeouts and the bound on open connections.
    pub connections: ConnectionLimits,
    /// Where uploads wait while they are checked (the system's temporary folder by default;
    /// on a host whose `/tmp` is in memory, name a folder on disk).
    pub upload_dir: std::path::PathBuf,
    /// Whether the web pages' session cookie is marked Secure (the hub is reached over
    /// https, through a proxy that ends TLS).
    pub secure_cookies: bool,
    /// The hub's public URL, when the operator gave it: code sheets then carry the enrolment
    /// link (the hub, the code and the group's publishers) a phone joins with in one scan.
    pub public_url: Option<String>,
}

impl Default for HubConfig {
    fn default() -> Self {
        Self {
            limit: RateLimit::default(),
            per_address: RateLimit::PER_ADDRESS,
            trusted_proxies: Vec::new(),
            operators: Vec::new(),
            connections: ConnectionLimits::default(),
            upload_dir: std::env::temp_dir(),
            secure_cookies: false,
            public_url: None,
        }
    }
}

/// What every handler may use: the database, the rate limiters and the operators' keys.
#[derive(Clone)]
pub struct AppState {
    pub(crate) db: HubDb,
    pub(crate) limiter: Arc<Limiter>,
    pub(crate) per_address: Arc<Limiter<Address>>,
    pub(crate) trusted_proxies: Arc<Vec<std::net::IpAddr>>,
    pub(crate) operators: Arc<Vec<PublicKey>>,
    pub(crate) upload_dir: Arc<std::path::PathBuf>,
    pub(crate) status_lists: crate::issue::StatusLists,
    pub(crate) secure_cookies: bool,
    pub(crate) public_url: Option<Arc<str>>,
    pub(crate) metrics: Arc<crate::metrics::Metrics>,
    pub(crate) catalogs: Arc<crate::catalog_cache::CatalogCache>,
}

impl AppState {
    /// The state of a hub over `db`, set up as `config` says.
    pub fn new(db: HubDb, config: HubConfig) -> Self {
        Self {
            db,
            limiter: Arc::new(Limiter::new(config.limit)),
            per_address: Arc::new(Limiter::new(config.per_address)),
            trusted_proxies: Arc::new(config.trusted_proxies),
            operators: Arc::new(config.operators),
            upload_dir: Arc::new(config.upload_dir),
            status_lists: crate::issue::StatusLists::default(),
            secure_cookies: config.secure_cookies,
            public_url: config.public_url.map(Arc::from),
            metrics: Arc::default(),
            catalogs: Arc::default(),
        }
    }
}
