//! The core's one error type, gathering each concern's enum, and its `Result` alias. The
//! layers above the concerns (the [`crate::device::Device`], the phones' facade, the CLI)
//! speak it; the facade maps it to the kinds a shell acts on in one exhaustive `match`.

use thiserror::Error;

use crate::assess::AssessError;
use crate::authoring::AuthoringError;
use crate::credential::CredentialError;
use crate::keys::KeyError;
use crate::ledger::LedgerError;
use crate::pack::PackError;
use crate::random::RandomError;
use crate::store::StoreError;
#[cfg(feature = "client")]
use crate::sync::SyncError;

/// Any error of the core.
#[derive(Debug, Error)]
pub enum Error {
    /// From `keys`.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// From `pack`.
    #[error(transparent)]
    Pack(#[from] PackError),
    /// From `authoring`.
    #[error(transparent)]
    Authoring(#[from] AuthoringError),
    /// From `assess`.
    #[error(transparent)]
    Assess(#[from] AssessError),
    /// From `ledger`.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// From `credential`.
    #[error(transparent)]
    Credential(#[from] CredentialError),
    /// From `store`.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// From `sync`.
    #[cfg(feature = "client")]
    #[error(transparent)]
    Sync(#[from] SyncError),
    /// The operating system gave no randomness.
    #[error(transparent)]
    Random(#[from] RandomError),
    /// An enrolment link that cannot be used (`protocol::JoinLink`).
    #[error(transparent)]
    JoinLink(#[from] crate::protocol::JoinLinkError),
}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
