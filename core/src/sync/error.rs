//! Errors of the `sync` concern: talking to a hub.

use thiserror::Error;

use crate::protocol::GroupNameError;
use crate::store::StoreError;

/// What can go wrong while syncing.
#[derive(Debug, Error)]
pub enum SyncError {
    /// The hub could not be reached (no connection, timeout): try again later.
    #[error("the hub cannot be reached: {0}")]
    Offline(String),
    /// The hub answered with an error.
    #[error("the hub refused ({status}, {code}): {message}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// The hub's stable error code.
        code: String,
        /// Its message.
        message: String,
    },
    /// The hub's answer could not be understood.
    #[error("the hub's answer is not understood: {0}")]
    BadAnswer(String),
    /// The caller cancelled; what was done stays done (a download resumes next time).
    #[error("cancelled")]
    Cancelled,
    /// The learner's data settings allow no sync on this connection now (unmetered only,
    /// or the month's budget is spent): try again on Wi-Fi or next month.
    #[error("the data settings allow no sync on this connection now")]
    DataBudget,
    /// The device is not registered with a hub yet.
    #[error("this device is not registered with a hub: register with an enrolment code first")]
    NotRegistered,
    /// A group name breaks the one rule for group names (letters, digits, - or _).
    #[error(transparent)]
    BadGroup(#[from] GroupNameError),
    /// From the device store.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A downloaded pack could not be written.
    #[error("download: {0}")]
    Io(#[from] std::io::Error),
}
