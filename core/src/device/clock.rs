//! How long each attempt in progress has run, on the monotonic clock: a learner who moves
//! the phone's clock (cheap phones' clocks are often wrong, and some learners try) changes
//! neither the time limit nor the recorded duration. After the app restarts, the core falls
//! back on the device clock, which it clamps to the time limit.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// When each attempt in progress started in this process, by module.
#[derive(Debug, Default)]
pub struct AttemptClock {
    started: Mutex<HashMap<String, Instant>>,
}

impl AttemptClock {
    /// Starts timing the attempt at `module_id`, unless it is already being timed (an
    /// attempt resumed on another screen keeps its start).
    pub fn start(&self, module_id: &str) {
        self.lock()
            .entry(module_id.to_owned())
            .or_insert_with(Instant::now);
    }

    /// Time since the attempt at `module_id` started in this process; zero when it started
    /// before (the core then reads the elapsed time from the device clock).
    pub fn elapsed(&self, module_id: &str) -> Duration {
        self.lock()
            .get(module_id)
            .map_or(Duration::ZERO, Instant::elapsed)
    }

    /// Stops timing the attempt at `module_id` (it was submitted).
    pub fn stop(&self, module_id: &str) {
        self.lock().remove(module_id);
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Instant>> {
        self.started.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attempt_keeps_its_start_until_it_stops() {
        let clock = AttemptClock::default();
        assert_eq!(clock.elapsed("m"), Duration::ZERO, "never started");
        clock.start("m");
        std::thread::sleep(Duration::from_millis(5));
        clock.start("m");
        assert!(clock.elapsed("m") >= Duration::from_millis(5), "kept");
        clock.stop("m");
        assert_eq!(clock.elapsed("m"), Duration::ZERO);
    }
}
