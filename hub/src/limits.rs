//! Rate limits per signing key: each key gets a bucket of requests that refills over time,
//! so one device (or a script with its key) cannot flood the hub. Buckets live in this
//! process: behind a load balancer each instance limits on its own, which still bounds every
//! key. Anyone can make keys, so the table is bounded too: when full, idle buckets go first.

use std::collections::HashMap;
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

/// Buckets by key.
#[derive(Debug)]
pub struct Limiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<[u8; 32], (f64, Instant)>>,
}

impl Limiter {
    /// A limiter with `limit` for every key.
    pub fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `key`'s bucket; false when it is empty.
    pub fn allow(&self, key: [u8; 32]) -> bool {
        self.allow_at(key, Instant::now())
    }

    fn allow_at(&self, key: [u8; 32], now: Instant) -> bool {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= MAX_KEYS && !buckets.contains_key(&key) {
            let idle = Duration::from_secs_f64(
                self.limit.burst / self.limit.per_second.max(f64::MIN_POSITIVE),
            );
            buckets.retain(|_, (_, last)| now.duration_since(*last) < idle);
            if buckets.len() >= MAX_KEYS {
                return false;
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
}
