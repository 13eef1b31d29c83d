//! Every endpoint of the hub, named once: the hub's router mounts these patterns and every
//! client (the device, the trainer's `publish`, tests, the load test, the bench) builds its
//! paths from them, so a path cannot be spelt two ways.

/// `GET`: liveness and the engine and protocol version (no prefix: load balancers probe it).
pub const HEALTH: &str = "/health";
/// Ready: the hub answers and its database does (for a balancer or an orchestrator).
pub const READY: &str = "/ready";
/// Counters for a monitoring system, in Prometheus' text format.
pub const METRICS: &str = "/metrics";
/// `GET`: a single-use nonce to sign one request with.
pub const NONCE: &str = "/v1/nonce";
/// `POST` (signed by a publisher): publish a pack, `?group=G`.
pub const PACKS: &str = "/v1/packs";
/// `GET`: a pack's bytes by hash, with HTTP ranges (the router's pattern; see [`pack`]).
pub const PACK: &str = "/v1/packs/{hash}";
/// `GET`: one stored chunk by hash (the router's pattern; see [`chunk`]).
pub const CHUNK: &str = "/v1/chunks/{hash}";
/// `GET`: what a group is offered, `?group=G` (see [`catalog`]).
pub const CATALOG: &str = "/v1/catalog";
/// `POST` (signed by a device): register with an enrolment code.
pub const DEVICES: &str = "/v1/devices";
/// `POST` (signed by a device): push signed result records.
pub const RECORDS: &str = "/v1/records";
/// `POST` (signed by a device): the learner's credentials the hub issued, after a number.
pub const CREDENTIALS: &str = "/v1/credentials";
/// `POST` (signed by a device): the learner's signed records from their other devices, after
/// one, so a restored or second phone knows what was attempted and passed.
pub const HISTORY: &str = "/v1/history";
/// `POST` (signed by a device): an exchange through which a wallet takes one of the learner's
/// credentials, bound to the wallet's DID (docs/protocol.md, "Into a wallet").
pub const EXCHANGES: &str = "/v1/exchanges";
/// `POST`: a wallet's messages in an exchange, as W3C VCALM says (the router's pattern; see
/// [`exchange`]). The id in the path is the exchange's only key.
pub const EXCHANGE: &str = "/v1/exchanges/{id}";
/// `GET` with `?iuv=1`: an exchange's interaction URL, the one a QR code carries (the router's
/// pattern; see [`interaction`]).
pub const INTERACTION: &str = "/v1/interactions/{id}";
/// `POST` (signed by a device): the hub's reasons for the learner's revoked credentials.
pub const REVOCATIONS: &str = "/v1/revocations";
/// `GET`: an issuer's revocation list, a Bitstring Status List credential (the router's
/// pattern; see [`status_list`]).
pub const STATUS_LIST: &str = "/v1/status/{issuer}";
/// `GET` (signed by an operator): groups, offers and members.
pub const ADMIN_GROUPS: &str = "/v1/admin/groups";
/// `GET` (signed by an operator): devices with their learners.
pub const ADMIN_LEARNERS: &str = "/v1/admin/learners";
/// `GET` (signed by an operator): stored results, `?group=G&format=csv|xapi|json`.
pub const ADMIN_RESULTS: &str = "/v1/admin/results";
/// `GET` (signed by an operator): enrolment codes by group, with uses left, last day and
/// whether revoked.
pub const ADMIN_CODES: &str = "/v1/admin/codes";
/// `GET` (signed by an operator): gaps and forks flagged in devices' chains.
pub const ADMIN_FLAGS: &str = "/v1/admin/flags";

/// The path of a pack's bytes.
pub fn pack(hash: &str) -> String {
    PACK.replace("{hash}", hash)
}

/// The path of issuer number `issuer`'s status list.
pub fn status_list(issuer: u64) -> String {
    STATUS_LIST.replace("{issuer}", &issuer.to_string())
}

/// The path of exchange `id`, where a wallet posts its messages.
pub fn exchange(id: &str) -> String {
    EXCHANGE.replace("{id}", id)
}

/// The path and query of exchange `id`'s interaction URL (version 1 of VCALM's, `iuv=1`).
pub fn interaction(id: &str) -> String {
    format!("{}?iuv=1", INTERACTION.replace("{id}", id))
}

/// The path of a chunk's bytes.
pub fn chunk(hash: &str) -> String {
    CHUNK.replace("{hash}", hash)
}

/// The path and query of a group's catalog.
pub fn catalog(group: &str) -> String {
    format!("{CATALOG}?group={}", query_value(group))
}

/// The path and query to publish a pack to a group.
pub fn publish(group: &str) -> String {
    format!("{PACKS}?group={}", query_value(group))
}

/// The path and query of the operator's results: of one group or all, in a format (`json`,
/// `csv`, `xapi`), for xAPI with the home page of the learners' accounts. Every value is
/// percent-encoded.
pub fn admin_results(group: Option<&str>, format: &str, home_page: Option<&str>) -> String {
    let mut query = vec![("format", format)];
    query.extend(group.map(|g| ("group", g)));
    query.extend(home_page.map(|h| ("home_page", h)));
    let query: Vec<String> = query
        .iter()
        .map(|(k, v)| format!("{k}={}", query_value(v)))
        .collect();
    format!("{ADMIN_RESULTS}?{}", query.join("&"))
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay as they are), so a
/// group name with `&` or a space cannot change the query.
pub fn query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::API_PREFIX;

    #[test]
    fn every_endpoint_but_health_is_versioned() {
        for path in [
            NONCE,
            PACKS,
            PACK,
            CHUNK,
            CATALOG,
            DEVICES,
            RECORDS,
            ADMIN_GROUPS,
            ADMIN_LEARNERS,
            ADMIN_RESULTS,
            ADMIN_FLAGS,
            ADMIN_CODES,
            CREDENTIALS,
            REVOCATIONS,
            STATUS_LIST,
            EXCHANGES,
            EXCHANGE,
            INTERACTION,
        ] {
            assert!(path.starts_with(&format!("{API_PREFIX}/")), "{path}");
        }
    }

    #[test]
    fn paths_are_built_from_the_patterns() {
        assert_eq!(pack("ab"), "/v1/packs/ab");
        assert_eq!(chunk("cd"), "/v1/chunks/cd");
        assert_eq!(exchange("ef"), "/v1/exchanges/ef");
        assert_eq!(interaction("ef"), "/v1/interactions/ef?iuv=1");
        assert_eq!(catalog("riders"), "/v1/catalog?group=riders");
        assert_eq!(publish("a b&c=d"), "/v1/packs?group=a%20b%26c%3Dd");
        assert_eq!(
            admin_results(Some("a&b"), "xapi", Some("https://hub.example.org/?x=1&y")),
            "/v1/admin/results?format=xapi&group=a%26b&home_page=https%3A%2F%2Fhub.example.org%2F%3Fx%3D1%26y"
        );
        assert_eq!(
            admin_results(None, "csv", None),
            "/v1/admin/results?format=csv"
        );
    }
}
