//! `/metrics` in Prometheus' text format: requests counted by route (as declared, so the
//! labels are few and carry no secret) and status, from the access log's middleware, and what
//! the database holds, read when the page is asked for.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

/// The counters a hub process keeps.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
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

    /// The page: the request counters, `records` (the result records the database holds)
    /// as a gauge with the database's engine, and how many times this process built a
    /// catalog answer (`catalog_builds`: far fewer than catalog requests while no offer
    /// changes).
    pub fn render(&self, engine: &str, records: u64, catalog_builds: u64) -> String {
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
