//! Errors of the `store` concern: the device database, installs, the learner's data.

use thiserror::Error;

use crate::assess::AssessError;
use crate::keys::{Fingerprint, KeyError};
use crate::ledger::LedgerError;
use crate::pack::PackError;

/// What can go wrong with the device store.
#[derive(Debug, Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A file could not be read or written.
    #[error("store I/O: {0}")]
    Io(#[from] std::io::Error),
    /// The folder holds no store (a mistyped path, or a device never set up).
    #[error("{dir} holds no device store: `skillpack device init --store {dir}` makes one")]
    NoStore {
        /// The folder.
        dir: String,
    },
    /// The database was written by a newer version of the app.
    #[error("the store is at schema {found}, newer than this app's {supported}: update the app")]
    TooNew {
        /// Schema version found.
        found: u32,
        /// Newest version this code knows.
        supported: u32,
    },
    /// The database file is damaged; it was moved aside (never deleted: it holds results).
    #[error("the store was damaged and has been moved to {moved_to}; its results are kept there")]
    Corrupt {
        /// Where the damaged file now is.
        moved_to: String,
    },
    /// Stored data does not check out (an edited or damaged row).
    #[error("stored data is damaged: {0}")]
    Damaged(String),
    /// A credential that does not verify: not kept.
    #[error("the credential is not kept: {0}")]
    Credential(#[from] crate::credential::CredentialError),
    /// A credential that verifies but is another learner's: not kept.
    #[error("the credential is not kept: it is another learner's")]
    OtherLearnersCredential,
    /// Another credential under an id already kept: not kept.
    #[error("the credential is not kept: another credential with the id {0} is already kept")]
    CredentialIdTaken(String),
    /// A newer (or the same) version of the pack is already installed.
    #[error("pack {id} {installed} is installed; {offered} is not newer")]
    NotNewer {
        /// Pack id.
        id: String,
        /// Installed version.
        installed: String,
        /// Version offered.
        offered: String,
    },
    /// A module of the pack is installed from another pack.
    #[error("module {module} is already installed from pack {pack}")]
    ModuleClash {
        /// The module.
        module: String,
        /// The pack it came from.
        pack: String,
    },
    /// The pack's id is installed from another publisher: an id belongs to the publisher
    /// who first published it, so one publisher cannot replace another's pack.
    #[error("pack {id} is installed from another publisher (fingerprint {owner})")]
    NotYourPack {
        /// The pack id.
        id: String,
        /// The fingerprint of the publisher it is installed from.
        owner: Fingerprint,
    },
    /// Nothing with this id is installed.
    #[error("{what} {id} is not installed")]
    NotInstalled {
        /// What was looked for (pack, module, lesson).
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// A setting's value is not one the app can use.
    #[error("{0}")]
    BadSetting(String),
    /// There is no attempt in progress to answer or submit.
    #[error("no attempt is in progress for module {0}")]
    NoAttempt(String),
    /// From the pack reader.
    #[error(transparent)]
    Pack(#[from] PackError),
    /// From the assessment engine.
    #[error(transparent)]
    Assess(#[from] AssessError),
    /// From the ledger.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// A restored identity cannot replace this device's learner: the device already has
    /// results or a hub registration in that learner's name.
    #[error("this device already has results or a hub registration of its own learner; restore the backup on a fresh install of the app")]
    IdentityInUse,
    /// The operating system gave no randomness (for a record's id).
    #[error(transparent)]
    Random(#[from] crate::random::RandomError),
    /// From key handling.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// From making a presentation.
    #[error(transparent)]
    Presentation(#[from] crate::credential::PresentationError),
    /// A presentation answers a challenge this device never gave.
    #[error("the presentation answers a challenge this phone did not give")]
    ChallengeNotGiven,
    /// A presentation answers a challenge already answered: a copy of an earlier one.
    #[error("the challenge was answered already, at {0}: this presentation is a replay")]
    ChallengeUsed(String),
    /// A presentation answers a challenge given too long ago.
    #[error("the challenge was given at {0}, too long ago: ask for a new presentation")]
    ChallengeExpired(String),
}

impl From<super::migrate::MigrationError> for StoreError {
    fn from(e: super::migrate::MigrationError) -> Self {
        match e {
            super::migrate::MigrationError::Sqlite(e) => Self::Sqlite(e),
            super::migrate::MigrationError::TooNew { found, supported } => {
                Self::TooNew { found, supported }
            }
            super::migrate::MigrationError::Data(why) => Self::Damaged(why),
        }
    }
}
