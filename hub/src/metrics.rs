//! `/metrics` in Prometheus' text format: requests counted by route (as declared, so the
//! labels are few and carry no secret) and status, and the body bytes each route took in and
//! sent out, from the access log's middleware; and what the database holds and how its
//! connection pool stands, read when the page is asked for.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The counters a hub process keeps.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    bytes: Mutex<BTreeMap<String, Arc<RouteBytes>>>,
}

/// Body bytes of one route, counted as they pass (before compression).
#[derive(Debug, Default)]
pub struct RouteBytes {
    /// Bytes of request bodies read.
    pub received: AtomicU64,
    /// Bytes of answer bodies sent.
    pub sent: AtomicU64,
}

/// What `/metrics` reads when it is asked for.
#[derive(Debug, Clone, Copy)]
pub struct Gauges<'a> {
    /// The database's engine (`sqlite`, `postgres`).
    pub engine: &'a str,
    /// The result records the database holds.
    pub records: u64,
    /// Catalog answers this process has built.
    pub catalog_builds: u64,
    /// PostgreSQL's connection pool, when the hub has one.
    pub pool: Option<PoolFigures>,
}

/// How a connection pool stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolFigures {
    /// Most connections it opens.
    pub max_size: usize,
    /// Connections open now.
    pub size: usize,
    /// Of those, idle.
    pub available: usize,
    /// Requests waiting for a connection.
    pub waiting: usize,
}

impl Metrics {
    /// Counts one answered request to `route` with `status`.
    pub fn count_request(&self, route: &str, status: u16) {
        let mut requests = self
            .requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *requests.entry((route.to_owned(), status)).or_insert(0) += 1;
    }

    /// The body byte counters of `route`, which a request's and its answer's bodies add to
    /// as they pass.
    pub fn bytes_of(&self, route: &str) -> Arc<RouteBytes> {
        let mut bytes = self
            .bytes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        bytes.entry(route.to_owned()).or_default().clone()
    }

    /// The page: the request and byte counters, then `gauges`.
    pub fn render(&self, gauges: Gauges<'_>) -> String {
        let Gauges {
            engine,
            records,
            catalog_builds,
            pool,
        } = gauges;
        let mut page = String::new();
        page.push_str(
            "# HELP skillpack_http_requests_total Requests answered, by route and status.\n\
             # TYPE skillpack_http_requests_total counter\n",
        );
        let requests = self
            .requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for ((route, status), count) in requests.iter() {
            let _ = writeln!(
                page,
                "skillpack_http_requests_total{{route=\"{}\",status=\"{status}\"}} {count}",
                escape(route)
            );
        }
        let _ = write!(
            page,
            "# HELP skillpack_records Result records the database holds.\n\
             # TYPE skillpack_records gauge\n\
             skillpack_records{{db=\"{engine}\"}} {records}\n\
             # HELP skillpack_catalog_builds_total Catalog answers built (the rest came from the cache).\n\
             # TYPE skillpack_catalog_builds_total counter\n\
             skillpack_catalog_builds_total {catalog_builds}\n"
        );
        page.push_str(
            "# HELP skillpack_http_body_bytes_total Body bytes by route, received and sent (before compression).\n\
             # TYPE skillpack_http_body_bytes_total counter\n",
        );
        let bytes = self
            .bytes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for (route, counted) in bytes.iter() {
            for (direction, count) in [("received", &counted.received), ("sent", &counted.sent)] {
                let _ = writeln!(
                    page,
                    "skillpack_http_body_bytes_total{{route=\"{}\",direction=\"{direction}\"}} {}",
                    escape(route),
                    count.load(Ordering::Relaxed)
                );
            }
        }
        if let Some(pool) = pool {
            for (name, help, value) in [
                ("max", "Most connections the pool opens.", pool.max_size),
                ("open", "Connections open now.", pool.size),
                ("idle", "Open connections not in use.", pool.available),
                (
                    "waiting",
                    "Requests waiting for a connection.",
                    pool.waiting,
                ),
            ] {
                let _ = write!(
                    page,
                    "# HELP skillpack_db_pool_{name} {help}\n\
                     # TYPE skillpack_db_pool_{name} gauge\n\
                     skillpack_db_pool_{name} {value}\n"
                );
            }
        }
        page
    }
}

/// A label value as Prometheus reads it: backslashes, quotes and line breaks escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
