//! How long operations (building, verifying, installing, later syncing) report how far they
//! are and learn that the caller wants them to stop. One shape for all, so the apps give one
//! callback object to any of them.

/// Told about progress, and asked whether to stop.
pub trait Progress {
    /// `done` of `total` units (bytes or chunks, as the operation says) are finished.
    fn on_progress(&self, _done: u64, _total: u64) {}

    /// True when the caller wants the operation to stop; it then fails with `Cancelled`.
    fn is_cancelled(&self) -> bool {
        false
    }
}

/// For callers that want neither progress nor cancellation.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// A plain function or closure `(done, total)` is a progress callback that never cancels.
impl<F: Fn(u64, u64)> Progress for F {
    fn on_progress(&self, done: u64, total: u64) {
        self(done, total)
    }
}
