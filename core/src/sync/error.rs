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
    /// The sync's deadline passed; what is left goes at the next sync (a download resumes
    /// where it stopped).
    #[error("the sync ran out of time; the rest goes next time")]
    OutOfTime,
    /// A pack on offer is larger than a device downloads.
    #[error("the pack is {size} bytes, more than the {max} a device downloads")]
    TooLarge {
        /// Its size.
        size: u64,
        /// The most a device takes.
        max: u64,
    },
    /// The phone's storage has no room for a pack and its install, leaving some free.
    #[error("not enough free storage: the pack needs {need} bytes, {free} are free")]
    NoRoom {
        /// Bytes needed, the reserve included.
        need: u64,
        /// Bytes free.
        free: u64,
    },
    /// The bytes downloaded are not the pack asked for, or not a good pack, or not from a
    /// trusted publisher.
    #[error("the download is not a good pack: {0}")]
    BadPack(#[from] crate::pack::PackError),
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

impl SyncError {
    /// Whether trying again soon may succeed: the network failed or spoiled a chunk on the
    /// way (what came before it is kept), the hub was busy or failing, or it forgot the
    /// nonce it gave (it restarted, or the phone slept).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Offline(_) | Self::BadPack(crate::pack::PackError::ChunkHashMismatch { .. }) => {
                true
            }
            Self::Refused { status, code, .. } => {
                matches!(status, 429 | 500 | 502 | 503 | 504) || code == "bad_nonce"
            }
            _ => false,
        }
    }
}
