//! The one way the benchmarks turn repeated runs into a figure: the median, so one slow run
//! (a page fault, another process on the core) does not move what `docs/benchmarks.md`
//! reports. Shared by every benchmark binary.

use std::time::{Duration, Instant};

/// The median of `times` (for an even count, the upper of the two middle ones).
pub fn median_of(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Runs `f` `runs` times and returns the median of their times.
pub fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    median_of(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}
