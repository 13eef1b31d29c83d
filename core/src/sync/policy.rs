//! How patient and how careful a sync is: the deadline of each request and of the whole
//! sync, how often and how long to wait before trying a failed request again (exponential
//! backoff with full jitter, so a thousand phones coming back online at once do not knock
//! the hub over again), and what a download may take of the phone's storage.

use std::time::{Duration, Instant};

use crate::progress::Progress;

/// The limits one sync keeps to. [`SyncPolicy::default`] suits a phone on a poor connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncPolicy {
    /// Longest one request may take, from connecting to its whole answer (downloads are
    /// bound by [`SyncPolicy::stall`] and the sync's deadline instead).
    pub request_timeout: Duration,
    /// A download that moves less than [`STALL_BYTES`] in this long has stalled: it keeps
    /// what arrived and stops, to resume at the next sync.
    pub stall: Duration,
    /// Longest one whole sync may take; what is left waits for the next one.
    pub sync_deadline: Duration,
    /// Tries of one request when the network or the hub fails (1: no second try).
    pub attempts: u32,
    /// The first wait before trying again; it doubles with each try, with full jitter.
    pub backoff: Duration,
    /// The longest wait before trying again.
    pub max_backoff: Duration,
    /// The largest pack a device downloads, whatever a catalog says.
    pub max_pack: u64,
    /// Storage a download must leave free on the phone, besides the pack and its install.
    pub reserve: u64,
    /// How often a sync with nothing to send still asks the hub what it holds of the
    /// device (so a hub restored from a backup heals); every push asks anyway. Asking costs
    /// a signed request: an idle sync without it costs only the catalog's `304`.
    pub held_check_every: Duration,
}

/// Bytes a download must move within [`SyncPolicy::stall`] to count as moving.
pub const STALL_BYTES: u64 = 1024;

impl Default for SyncPolicy {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(30),
            stall: Duration::from_secs(20),
            sync_deadline: Duration::from_secs(5 * 60),
            attempts: 4,
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_pack: 256 << 20,
            reserve: 64 << 20,
            held_check_every: Duration::from_secs(24 * 60 * 60),
        }
    }
}

impl SyncPolicy {
    /// The wait before try number `retry` (1 for the first retry): a random time up to
    /// `backoff * 2^(retry-1)`, at most `max_backoff`.
    pub fn backoff_before(&self, retry: u32) -> Duration {
        let ceiling = self
            .backoff
            .saturating_mul(1u32 << retry.saturating_sub(1).min(20))
            .min(self.max_backoff);
        ceiling.mul_f64(unit_random())
    }
}

/// A moment after which a sync (or one request) gives up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline(Instant);

impl Deadline {
    /// `within` from now.
    pub fn after(within: Duration) -> Self {
        Self(Instant::now() + within)
    }

    /// The earlier of two deadlines.
    pub fn min(self, other: Deadline) -> Self {
        Self(self.0.min(other.0))
    }

    /// Whether it has passed.
    pub fn passed(&self) -> bool {
        Instant::now() >= self.0
    }

    /// Time left, zero once passed.
    pub fn left(&self) -> Duration {
        self.0.saturating_duration_since(Instant::now())
    }
}

/// Waits `wait`, in short naps so that a cancellation is heard; false when cancelled or when
/// the wait would pass `deadline` (then it does not wait at all).
pub(super) fn pause(wait: Duration, deadline: Deadline, progress: &dyn Progress) -> bool {
    if wait >= deadline.left() {
        return false;
    }
    let until = Instant::now() + wait;
    loop {
        if progress.is_cancelled() {
            return false;
        }
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return true;
        }
        std::thread::sleep(left.min(Duration::from_millis(100)));
    }
}

/// A uniform random number in [0, 1).
fn unit_random() -> f64 {
    let mut bytes = [0u8; 8];
    if getrandom::getrandom(&mut bytes).is_err() {
        return 0.5; // no randomness: the midpoint still spreads less, but still backs off
    }
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_exponentially_up_to_the_ceiling_and_are_spread() {
        let policy = SyncPolicy::default();
        for retry in 1..=8 {
            let ceiling = (policy.backoff * (1 << (retry - 1))).min(policy.max_backoff);
            let waits: Vec<Duration> = (0..200).map(|_| policy.backoff_before(retry)).collect();
            assert!(waits.iter().all(|w| *w <= ceiling), "retry {retry}");
            let distinct: std::collections::HashSet<_> = waits.iter().collect();
            assert!(
                distinct.len() > 150,
                "retry {retry}: waits are not jittered"
            );
            let mean = waits.iter().sum::<Duration>() / 200;
            assert!(
                mean > ceiling / 4 && mean < ceiling * 3 / 4,
                "retry {retry}: {mean:?}"
            );
        }
        assert!(policy.backoff_before(1000) <= policy.max_backoff);
    }

    #[test]
    fn a_pause_past_the_deadline_does_not_wait() {
        let start = Instant::now();
        let deadline = Deadline::after(Duration::from_millis(50));
        assert!(!pause(
            Duration::from_secs(5),
            deadline,
            &crate::progress::NoProgress
        ));
        assert!(start.elapsed() < Duration::from_secs(1));
        assert!(pause(
            Duration::from_millis(10),
            Deadline::after(Duration::from_secs(5)),
            &crate::progress::NoProgress
        ));
    }
}
