//! The hub's errors. Storage failures are `HubError`; what a client sees is an [`HttpError`]:
//! a status, a stable code a client can act on and a message, as JSON. Server errors are
//! logged as errors, client errors as information.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use skillpack_core::protocol::{ErrorBody, ErrorResponse};
use skillpack_core::store::migrate::MigrationError;
use thiserror::Error;

/// A failure inside the hub.
#[derive(Debug, Error)]
pub enum HubError {
    /// SQLite failed.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed.
    #[error("postgres: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// No PostgreSQL connection could be had from the pool.
    #[error("postgres pool: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    /// The PostgreSQL pool could not be built.
    #[error("postgres pool: {0}")]
    PoolBuild(#[from] deadpool_postgres::BuildError),
    /// A file or folder could not be made or read.
    #[error("hub I/O: {0}")]
    Io(#[from] std::io::Error),
    /// A value could not be encoded for storage.
    #[error("encoding: {0}")]
    Encoding(String),
    /// The database URL is not one the hub knows.
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    BadDatabaseUrl(String),
    /// The database was written by a newer hub.
    #[error("the database is at schema {found}, newer than this hub's {supported}")]
    TooNew {
        /// Version found.
        found: u32,
        /// Newest this code knows.
        supported: u32,
    },
    /// Stored data does not check out.
    #[error("stored data is damaged: {0}")]
    Damaged(String),
    /// A blocking task failed.
    #[error("internal task failed: {0}")]
    Task(String),
    /// Randomness was not available.
    #[error("no randomness: {0}")]
    Random(String),
    /// Storing a batch of records failed (it is not stored; the device pushes it again).
    #[error("storing the records failed: {0}")]
    Commit(String),
    /// The hub is at a bound it keeps to protect itself; the client should try again later.
    #[error("busy: {0}")]
    Busy(String),
}

impl From<MigrationError> for HubError {
    fn from(e: MigrationError) -> Self {
        match e {
            MigrationError::Sqlite(e) => Self::Sqlite(e),
            MigrationError::TooNew { found, supported } => Self::TooNew { found, supported },
        }
    }
}

impl From<tokio::task::JoinError> for HubError {
    fn from(e: tokio::task::JoinError) -> Self {
        Self::Task(e.to_string())
    }
}

/// An answer with an error status and a JSON body.
#[derive(Debug)]
pub struct HttpError {
    /// The status.
    pub status: StatusCode,
    /// A stable code (`unknown_publisher`, `bad_signature`…).
    pub code: &'static str,
    /// Detail for the client's logs.
    pub message: String,
}

impl HttpError {
    /// An error with status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }
}

impl From<HubError> for HttpError {
    fn from(e: HubError) -> Self {
        if let HubError::Busy(_) = e {
            return Self::new(StatusCode::SERVICE_UNAVAILABLE, "busy", e.to_string());
        }
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(code = self.code, message = %self.message, "request failed");
        } else {
            tracing::info!(status = self.status.as_u16(), code = self.code, message = %self.message, "request refused");
        }
        let body = ErrorResponse {
            error: ErrorBody {
                code: self.code.into(),
                message: self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

/// Turns any error into an [`HttpError`] with the given status and code.
pub trait OrHttpErr<T> {
    /// Maps the error.
    fn or_http_err(self, status: StatusCode, code: &'static str) -> Result<T, HttpError>;
}

impl<T, E: std::fmt::Display> OrHttpErr<T> for Result<T, E> {
    fn or_http_err(self, status: StatusCode, code: &'static str) -> Result<T, HttpError> {
        self.map_err(|e| HttpError::new(status, code, e.to_string()))
    }
}
