//! The one error the shells see, `SkillpackError` (`SkillpackException` in Kotlin and Swift).
//! Its variants are what a shell does differently; each carries a `detail` for logs only
//! (named so because Kotlin exceptions own `message`); shells localise from the variant and
//! its fields. The conversion from the core's errors
//! is one exhaustive `match` per layer, with no `_`, so a new core error forces a decision.

use crate::assess::AssessError;
use crate::authoring::AuthoringError;
use crate::credential::CredentialError;
use crate::keys::KeyError;
use crate::ledger::LedgerError;
use crate::pack::PackError;
use crate::random::RandomError;
use crate::store::StoreError;
use crate::sync::SyncError;

/// What went wrong, as a shell acts on it.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum SkillpackError {
    /// The call was given something it cannot use (an unknown answer, a bad path or URL).
    #[error("invalid input: {detail}")]
    InvalidInput {
        /// For logs.
        detail: String,
    },
    /// What was asked for is not there (a module, a lesson, an attempt).
    #[error("not found: {detail}")]
    NotFound {
        /// For logs.
        detail: String,
    },
    /// The pack's publisher is not trusted: the shell may show the fingerprint and ask the
    /// learner, then call `trust_publisher`.
    #[error("untrusted publisher {fingerprint}")]
    Untrusted {
        /// The publisher key's fingerprint, to show.
        fingerprint: String,
        /// For logs.
        detail: String,
    },
    /// The next attempt at this module opens later.
    #[error("cooling down until {until}")]
    CoolingDown {
        /// When it opens (device time).
        until: chrono::DateTime<chrono::Utc>,
        /// For logs.
        detail: String,
    },
    /// A file or stored data is damaged or forged (a pack that does not verify, an edited
    /// record). Nothing was changed.
    #[error("corrupt: {detail}")]
    Corrupt {
        /// For logs.
        detail: String,
    },
    /// The hub cannot be reached: try again when there is a connection.
    #[error("offline: {detail}")]
    Offline {
        /// For logs.
        detail: String,
    },
    /// The hub refused; `code` is its stable error code (`bad_enrolment_code`, …).
    #[error("server refused ({code}): {detail}")]
    Server {
        /// The hub's stable code.
        code: String,
        /// For logs.
        detail: String,
    },
    /// The device's storage failed (full disk, database error).
    #[error("storage: {detail}")]
    Storage {
        /// For logs.
        detail: String,
    },
    /// The passphrase does not open the identity backup: ask the learner again.
    #[error("wrong passphrase")]
    WrongPassphrase {
        /// For logs.
        detail: String,
    },
    /// The passphrase for a new identity backup is too short: ask for a longer one (at
    /// least `min_chars` characters).
    #[error("weak passphrase")]
    WeakPassphrase {
        /// The fewest characters accepted.
        min_chars: u32,
        /// For logs.
        detail: String,
    },
    /// This phone already has results or a hub registration of its own learner, so a
    /// restored identity cannot replace it: restore on a fresh install.
    #[error("identity in use")]
    IdentityInUse {
        /// For logs.
        detail: String,
    },
    /// The caller cancelled.
    #[error("cancelled")]
    Cancelled {
        /// For logs.
        detail: String,
    },
    /// The store was closed; open a new one.
    #[error("closed")]
    Closed {
        /// For logs.
        detail: String,
    },
    /// A bug, or a callback of the shell that failed.
    #[error("internal: {detail}")]
    Internal {
        /// For logs.
        detail: String,
    },
}

/// The result of an exported call.
pub type ApiResult<T> = Result<T, SkillpackError>;

/// A callback into the shell failed (it threw, or could not be called).
impl From<uniffi::UnexpectedUniFFICallbackError> for SkillpackError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Internal {
            detail: format!("a callback of the app failed: {}", e.reason),
        }
    }
}

fn message(e: &impl std::fmt::Display) -> String {
    e.to_string()
}

impl From<crate::Error> for SkillpackError {
    fn from(e: crate::Error) -> Self {
        match e {
            crate::Error::Key(e) => e.into(),
            crate::Error::Pack(e) => e.into(),
            crate::Error::Authoring(e) => e.into(),
            crate::Error::Assess(e) => e.into(),
            crate::Error::Ledger(e) => e.into(),
            crate::Error::Store(e) => e.into(),
            crate::Error::Sync(e) => e.into(),
            crate::Error::Random(e) => e.into(),
            crate::Error::Credential(e) => e.into(),
            crate::Error::JoinLink(e) => Self::InvalidInput {
                detail: message(&e),
            },
        }
    }
}

impl From<RandomError> for SkillpackError {
    fn from(e: RandomError) -> Self {
        Self::Internal {
            detail: message(&e),
        }
    }
}

/// Shells do not build packs today; should one, a trainer's mistake is input to correct.
impl From<AuthoringError> for SkillpackError {
    fn from(e: AuthoringError) -> Self {
        let detail = message(&e);
        match e {
            AuthoringError::Invalid(_)
            | AuthoringError::Options(_)
            | AuthoringError::TooLarge { .. }
            | AuthoringError::BadFile { .. } => Self::InvalidInput { detail },
            AuthoringError::Io { .. } => Self::Storage { detail },
            AuthoringError::Pack(e) => e.into(),
        }
    }
}

impl From<StoreError> for SkillpackError {
    fn from(e: StoreError) -> Self {
        let detail = message(&e);
        match e {
            StoreError::Sqlite(_) | StoreError::Io(_) | StoreError::TooNew { .. } => {
                Self::Storage { detail }
            }
            StoreError::Corrupt { .. } | StoreError::Damaged(_) => Self::Corrupt { detail },
            StoreError::NotNewer { .. }
            | StoreError::ModuleClash { .. }
            | StoreError::NotYourPack { .. }
            | StoreError::BadSetting(_)
            | StoreError::OtherLearnersCredential
            | StoreError::CredentialIdTaken(_)
            | StoreError::Presentation(_)
            | StoreError::ChallengeNotGiven
            | StoreError::ChallengeUsed(_)
            | StoreError::ChallengeExpired(_) => Self::InvalidInput { detail },
            StoreError::NotInstalled { .. }
            | StoreError::NoAttempt(_)
            | StoreError::NoStore { .. } => Self::NotFound { detail },
            StoreError::Pack(e) => e.into(),
            StoreError::Assess(e) => e.into(),
            StoreError::Ledger(e) => e.into(),
            StoreError::Credential(e) => e.into(),
            StoreError::IdentityInUse => Self::IdentityInUse { detail },
            StoreError::Key(e) => e.into(),
            StoreError::Random(e) => e.into(),
        }
    }
}

impl From<CredentialError> for SkillpackError {
    /// A credential that does not verify is the input's fault; the detail names the check.
    fn from(e: CredentialError) -> Self {
        Self::InvalidInput {
            detail: e.to_string(),
        }
    }
}

impl From<PackError> for SkillpackError {
    fn from(e: PackError) -> Self {
        let detail = message(&e);
        match e {
            PackError::Untrusted(fingerprint) => Self::Untrusted {
                fingerprint: fingerprint.to_string(),
                detail,
            },
            PackError::NotAPack
            | PackError::UnsupportedVersion { .. }
            | PackError::UnknownFlags(_)
            | PackError::Truncated { .. }
            | PackError::TrailingBytes(_)
            | PackError::LimitExceeded { .. }
            | PackError::BadSignature
            | PackError::BadPublisherKey
            | PackError::BadManifest(_)
            | PackError::InvalidManifest(_)
            | PackError::ChunkHashMismatch { .. }
            | PackError::BadChunk { .. }
            | PackError::EntryHashMismatch { .. }
            | PackError::NoSuchChunk(_)
            | PackError::NotTheOneAsked { .. }
            | PackError::BadModule { .. }
            | PackError::Unsound { .. } => Self::Corrupt { detail },
            PackError::NoSuchEntry(_) => Self::NotFound { detail },
            PackError::Build(_) | PackError::Compress(_) => Self::Internal { detail },
            PackError::Cancelled => Self::Cancelled { detail },
            PackError::Io(_) => Self::Storage { detail },
        }
    }
}

impl From<AssessError> for SkillpackError {
    fn from(e: AssessError) -> Self {
        let detail = message(&e);
        match e {
            AssessError::CoolingDown { until } => Self::CoolingDown { until, detail },
            AssessError::NoAttemptsLeft { .. }
            | AssessError::EmptyBank
            | AssessError::NotInAttempt(_)
            | AssessError::InvalidAnswer { .. }
            | AssessError::TimeUp { .. }
            | AssessError::AlreadySubmitted
            | AssessError::BadAttestation(_)
            | AssessError::Milestone(_) => Self::InvalidInput { detail },
        }
    }
}

impl From<LedgerError> for SkillpackError {
    fn from(e: LedgerError) -> Self {
        let detail = message(&e);
        match e {
            LedgerError::Encoding(_) => Self::Internal { detail },
            LedgerError::BadSignature { .. }
            | LedgerError::BadDeviceKey { .. }
            | LedgerError::BadDigest { .. }
            | LedgerError::Gap { .. }
            | LedgerError::BrokenLink { .. }
            | LedgerError::OtherDevice { .. }
            | LedgerError::BindingMismatch(_)
            | LedgerError::BadBinding => Self::Corrupt { detail },
            LedgerError::BadEnrolment | LedgerError::BadGrant(_) => Self::InvalidInput { detail },
        }
    }
}

impl From<KeyError> for SkillpackError {
    fn from(e: KeyError) -> Self {
        let detail = message(&e);
        match e {
            KeyError::Malformed(_) | KeyError::InvalidPublicKey => Self::InvalidInput { detail },
            KeyError::BadSignature => Self::Corrupt { detail },
            KeyError::Random(_) => Self::Internal { detail },
            KeyError::File { .. } | KeyError::FileTooLarge(_) | KeyError::Platform(_) => {
                Self::Storage { detail }
            }
            KeyError::Backup(_) => Self::InvalidInput { detail },
            KeyError::WrongPassphrase => Self::WrongPassphrase { detail },
            KeyError::WeakPassphrase => Self::WeakPassphrase {
                min_chars: crate::keys::backup::MIN_PASSPHRASE_CHARS as u32,
                detail,
            },
        }
    }
}

impl From<SyncError> for SkillpackError {
    fn from(e: SyncError) -> Self {
        let detail = message(&e);
        match e {
            SyncError::Offline(_) | SyncError::DataBudget | SyncError::OutOfTime => {
                Self::Offline { detail }
            }
            SyncError::TooLarge { .. } | SyncError::NoRoom { .. } => Self::Storage { detail },
            SyncError::BadPack(e) => e.into(),
            SyncError::Refused { code, .. } => Self::Server { code, detail },
            SyncError::BadAnswer(_) => Self::Server {
                code: "bad_answer".into(),
                detail,
            },
            SyncError::Cancelled => Self::Cancelled { detail },
            SyncError::NotRegistered => Self::NotFound { detail },
            SyncError::BadGroup(_) => Self::InvalidInput { detail },
            SyncError::Store(e) => e.into(),
            SyncError::Io(_) => Self::Storage { detail },
        }
    }
}
