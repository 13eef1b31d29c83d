//! Rate limits per signing key and per client address: each gets a bucket of requests that
//! refills over time, so one device (or a script with its key) cannot flood the hub, and
//! neither can one address, signed or not. Buckets live in this process: behind a load
//! balancer each instance limits on its own, which still bounds every key and address.
//! Anyone can make keys, so the table is bounded too: when full, idle buckets go first.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most keys tracked at once.
const MAX_KEYS: usize = 100_000;

/// The rate a key may sustain and the burst it may use at once.
#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    /// Requests a key may make at once.
    pub burst: f64,
    /// Requests per second it gets back.
    pub per_second: f64,
}

impl Default for RateLimit {
    fn default() -> Self {
        // A phone syncing makes a handful of requests; a trainer publishing a few more.
        Self {
            burst: 60.0,
            per_second: 1.0,
        }
    }
}

impl RateLimit {
    /// The default per client address. Generous: behind carrier-grade NAT, a classroom or a
    /// town may share one address, each device fetching a catalog, nonces and perhaps
    /// hundreds of chunks; an address flooding past it still gets a tenth or less of what
    /// one client on loopback can ask of the hub (12,000-15,000 nonces a second measured
    /// by `tests/load.rs`, 2026-11-24, 2 shared cores).
    pub const PER_ADDRESS: Self = Self {
        burst: 10_000.0,
        per_second: 1_000.0,
    };
}

/// Buckets by key: a signing key's 32 bytes, or a client's [`Address`].
#[derive(Debug)]
pub struct Limiter<K = [u8; 32]> {
    limit: RateLimit,
    max_keys: usize,
    buckets: Mutex<HashMap<K, (f64, Instant)>>,
}

/// What a client address is limited by: an IPv4 address, or an IPv6 address's /64 prefix
/// (one subscriber gets a whole /64, so limiting single IPv6 addresses would bound nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Address(u128);

impl From<IpAddr> for Address {
    fn from(ip: IpAddr) -> Self {
        match ip.to_canonical() {
            // Bit 32 set: never equal to a prefix, whose low 64 bits are zero.
            IpAddr::V4(v4) => Self(u128::from(u32::from(v4)) | 1 << 32),
            IpAddr::V6(v6) => Self(u128::from(v6) >> 64 << 64),
        }
    }
}

/// The client a request comes from: its TCP peer, unless the peer is one of the hub's own
/// `trusted` proxies (a load balancer), in which case the nearest address in
/// `X-Forwarded-For` that is not itself a trusted proxy. A header from anyone else is
/// ignored, so a stranger cannot escape the limit by writing one.
pub fn client_address(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpAddr]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.contains(&ip.to_canonical());
    if !is_trusted(&peer) {
        return peer;
    }
    let Some(header) = forwarded_for else {
        return peer;
    };
    let mut client = peer;
    // Proxies append: the rightmost entries are the nearest; walk back past our own.
    for hop in header.rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) if is_trusted(&ip) => client = ip,
            Ok(ip) => return ip,
            Err(_) => return client,
        }
    }
    client
}

impl<K: Hash + Eq + Copy> Limiter<K> {
    /// A limiter with `limit` for every key.
    pub fn new(limit: RateLimit) -> Self {
        Self::with_capacity(limit, MAX_KEYS)
    }

    fn with_capacity(limit: RateLimit, max_keys: usize) -> Self {
        Self {
            limit,
            max_keys: max_keys.max(2),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `key`'s bucket; false when it is empty.
    pub fn allow(&self, key: K) -> bool {
        self.allow_at(key, Instant::now())
    }

    fn allow_at(&self, key: K, now: Instant) -> bool {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= self.max_keys && !buckets.contains_key(&key) {
            let idle = Duration::from_secs_f64(
                self.limit.burst / self.limit.per_second.max(f64::MIN_POSITIVE),
            );
            buckets.retain(|_, (_, last)| now.duration_since(*last) < idle);
            if buckets.len() >= self.max_keys {
                // Still full of recent keys: a stranger making keys by the thousand. Refusing
                // new keys would lock out every device that registers meanwhile, so the half
                // least recently seen go instead (they start again with a full bucket).
                let mut seen: Vec<Instant> = buckets.values().map(|(_, last)| *last).collect();
                let half = seen.len() / 2;
                let (_, cut, _) = seen.select_nth_unstable(half);
                let cut = *cut;
                buckets.retain(|_, (_, last)| *last > cut);
            }
        }
        let (tokens, last) = buckets.entry(key).or_insert((self.limit.burst, now));
        let refill = now.duration_since(*last).as_secs_f64() * self.limit.per_second;
        *tokens = (*tokens + refill).min(self.limit.burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_gets_its_burst_then_waits_for_refill() {
        let limiter = Limiter::new(RateLimit {
            burst: 3.0,
            per_second: 1.0,
        });
        let t0 = Instant::now();
        assert!((0..3).all(|_| limiter.allow_at([1; 32], t0)));
        assert!(!limiter.allow_at([1; 32], t0), "the burst is used up");
        assert!(limiter.allow_at([2; 32], t0), "other keys are not affected");
        assert!(
            limiter.allow_at([1; 32], t0 + Duration::from_secs(1)),
            "a second brings one back"
        );
        assert!(!limiter.allow_at([1; 32], t0 + Duration::from_secs(1)));
    }

    #[test]
    fn a_full_table_of_busy_keys_makes_room_for_a_new_key() {
        let limiter = Limiter::with_capacity(RateLimit::default(), 1000);
        let t0 = Instant::now();
        for i in 0..1000u32 {
            let mut key = [0u8; 32];
            key[..4].copy_from_slice(&i.to_be_bytes());
            assert!(limiter.allow_at(key, t0 + Duration::from_millis(u64::from(i))));
        }
        let now = t0 + Duration::from_secs(1);
        assert!(
            limiter.allow_at([0xFF; 32], now),
            "a device registering still gets in"
        );
        let kept = limiter.buckets.lock().expect("lock").len();
        assert!((400..=600).contains(&kept), "about half went: {kept}");
    }

    #[test]
    fn forwarded_for_counts_only_when_a_trusted_proxy_wrote_it() {
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        let balancer = [ip("10.0.0.2"), ip("10.0.0.3")];
        let xff = Some("198.51.100.9, 203.0.113.5, 10.0.0.3");
        assert_eq!(
            client_address(ip("10.0.0.2"), xff, &balancer),
            ip("203.0.113.5")
        );
        assert_eq!(
            client_address(ip("192.0.2.1"), xff, &balancer),
            ip("192.0.2.1")
        );
        assert_eq!(
            client_address(ip("10.0.0.2"), None, &balancer),
            ip("10.0.0.2")
        );
        assert_eq!(
            client_address(ip("10.0.0.2"), Some("junk, 10.0.0.3"), &balancer),
            ip("10.0.0.3")
        );
        assert_eq!(client_address(ip("10.0.0.2"), xff, &[]), ip("10.0.0.2"));
    }

    #[test]
    fn an_ipv6_subscriber_is_one_address_and_ipv4_mapped_is_ipv4() {
        let ip = |s: &str| Address::from(s.parse::<IpAddr>().expect("ip"));
        assert_eq!(ip("2001:db8:1:2::1"), ip("2001:db8:1:2:ffff::9"));
        assert_ne!(ip("2001:db8:1:2::1"), ip("2001:db8:1:3::1"));
        assert_eq!(ip("::ffff:192.0.2.7"), ip("192.0.2.7"));
        assert_ne!(ip("192.0.2.7"), ip("192.0.2.8"));
        assert_ne!(
            ip("::"),
            ip("0.0.0.0"),
            "v6 prefixes and v4 addresses never meet"
        );
        assert_ne!(ip("::"), ip("0.0.0.1"));
    }
}
