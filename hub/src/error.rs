//! The hub's errors. Storage failures are `HubError`; what a client sees is an [`HttpError`]:
//! a status, a stable code a client can act on and a message, as JSON. An `HttpError` keeps
//! its source for the log: server errors are logged as errors with it, client errors as
//! information, and a server error's body never carries the source's (internal) text.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use skillpack_core::protocol::{ErrorBody, ErrorResponse, GroupNameError};
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
    /// The operator's command names a database that is not there (a mistyped path):
    /// nothing was created.
    #[error("{0} holds no hub database: `skillpack serve --db sqlite://{0}` or `skillpack hub init --db sqlite://{0}` makes one")]
    NoDatabase(String),
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
    /// The database's data could not be carried over to this code's schema.
    #[error("upgrading the database: {0}")]
    Migration(String),
    /// A group name breaks the one rule for group names (an operator's command or a request).
    #[error(transparent)]
    BadGroup(#[from] GroupNameError),
    /// A group name that differs from one the hub holds only in letter case.
    #[error("there is already a group called {held}: use that name ({given} would be a second, empty group)")]
    GroupNamedOtherwise {
        /// The name given.
        given: String,
        /// The group the hub holds.
        held: String,
    },
    /// Packs' bytes could not be stored or read.
    #[error(transparent)]
    PackStore(#[from] crate::pack_store::PackStoreError),
    /// A credential could not be issued or its status list signed.
    #[error(transparent)]
    Credential(#[from] skillpack_core::credential::CredentialError),
}

impl From<MigrationError> for HubError {
    fn from(e: MigrationError) -> Self {
        match e {
            MigrationError::Sqlite(e) => Self::Sqlite(e),
            MigrationError::TooNew { found, supported } => Self::TooNew { found, supported },
            MigrationError::Data(why) => Self::Migration(why),
        }
    }
}

impl From<tokio::task::JoinError> for HubError {
    fn from(e: tokio::task::JoinError) -> Self {
        Self::Task(e.to_string())
    }
}

/// What an error's source is kept as.
type Source = Box<dyn std::error::Error + Send + Sync>;

/// An answer with an error status and a JSON body `{"error":{"code","message"}}`.
#[derive(Debug)]
pub struct HttpError {
    /// The status.
    pub status: StatusCode,
    /// A stable code (`unknown_publisher`, `bad_signature`…) a client acts on.
    pub code: &'static str,
    /// What the client reads. For a server error, a generic sentence: never the source's text.
    pub message: String,
    /// What caused it, for the hub's log.
    pub source: Option<Source>,
}

/// What a client reads when the hub itself failed.
const INTERNAL_MESSAGE: &str = "the hub failed to handle this request; try again later";

impl HttpError {
    /// An error with status, code and message, and no source.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            source: None,
        }
    }

    /// A server error (500, `internal`) caused by `source`, which only the log sees.
    pub fn internal(source: impl Into<Source>) -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: INTERNAL_MESSAGE.into(),
            source: Some(source.into()),
        }
    }
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl std::error::Error for HttpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

impl From<GroupNameError> for HttpError {
    fn from(e: GroupNameError) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_group", e.to_string())
    }
}

impl From<HubError> for HttpError {
    fn from(e: HubError) -> Self {
        if let HubError::BadGroup(e) = e {
            return e.into();
        }
        if let HubError::GroupNamedOtherwise { .. } = &e {
            return Self::new(StatusCode::CONFLICT, "group_exists", e.to_string());
        }
        Self::internal(e)
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let source = self.source.as_ref().map(ToString::to_string);
        if self.status.is_server_error() {
            tracing::error!(status = self.status.as_u16(), code = self.code, detail = %self.message, source = source.as_deref(), "request failed");
        } else if let Some(left_out) = REFUSALS_LOGGED.admit(now_second()) {
            tracing::info!(status = self.status.as_u16(), code = self.code, detail = %self.message, source = source.as_deref(), left_out, "request refused");
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

/// Turns a failed `Result` or an empty `Option` into an [`HttpError`] with a status, a code
/// and a message. A `Result`'s error is kept as the source; for a client error (4xx) its
/// text also follows the message, so the client learns what was wrong with its request.
pub trait OrHttpErr<T> {
    /// Maps the failure.
    fn or_http_err(
        self,
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> Result<T, HttpError>;
}

impl<T, E: std::error::Error + Send + Sync + 'static> OrHttpErr<T> for Result<T, E> {
    fn or_http_err(
        self,
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> Result<T, HttpError> {
        self.map_err(|e| {
            let message = message.into();
            let message = if status.is_server_error() {
                INTERNAL_MESSAGE.to_owned()
            } else if message.is_empty() {
                e.to_string()
            } else {
                format!("{message}: {e}")
            };
            HttpError {
                source: Some(Box::new(e)),
                ..HttpError::new(status, code, message)
            }
        })
    }
}

impl<T> OrHttpErr<T> for Option<T> {
    fn or_http_err(
        self,
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> Result<T, HttpError> {
        self.ok_or_else(|| HttpError::new(status, code, message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(error: HttpError) -> (StatusCode, serde_json::Value) {
        let response = error.into_response();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .expect("reads");
        (status, serde_json::from_slice(&bytes).expect("json"))
    }

    #[tokio::test]
    async fn a_server_error_keeps_its_source_for_the_log_but_not_for_the_client() {
        let failure = HubError::Damaged("row 7 of secret_table".into());
        let error = HttpError::from(failure);
        assert!(std::error::Error::source(&error)
            .is_some_and(|s| s.to_string().contains("secret_table")));
        let (status, body) = body_of(error).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["error"]["code"], "internal");
        assert!(!body.to_string().contains("secret_table"), "{body}");
        let parse: Result<u8, _> = "x".parse::<u8>();
        let (status, body) = body_of(
            parse
                .or_http_err(StatusCode::INTERNAL_SERVER_ERROR, "internal", "parsing")
                .expect_err("fails"),
        )
        .await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!body.to_string().contains("invalid digit"), "{body}");
    }

    #[tokio::test]
    async fn a_client_error_tells_the_client_what_was_wrong() {
        let parse: Result<u8, _> = "x".parse::<u8>();
        let (status, body) = body_of(
            parse
                .or_http_err(StatusCode::BAD_REQUEST, "bad_number", "the count")
                .expect_err("fails"),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["code"], "bad_number");
        assert_eq!(
            body["error"]["message"],
            "the count: invalid digit found in string"
        );
        let missing: Option<u8> = None;
        let error = missing
            .or_http_err(StatusCode::NOT_FOUND, "no_such_thing", "no thing here")
            .expect_err("empty");
        assert_eq!(
            (error.status, error.code),
            (StatusCode::NOT_FOUND, "no_such_thing")
        );
    }
}

/// Refusals logged in one second, at most: a flood of bad requests must not become a flood
/// of log lines (every refused request once wrote one). Those left out are counted in the
/// next line logged (`left_out`).
const REFUSALS_LOGGED_PER_SECOND: u32 = 20;

static REFUSALS_LOGGED: LogBudget = LogBudget::new(REFUSALS_LOGGED_PER_SECOND);

fn now_second() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Lines a kind of log line may write each second.
struct LogBudget {
    per_second: u32,
    /// The second counted, lines written in it, and lines left out since the last written.
    state: std::sync::Mutex<(u64, u32, u64)>,
}

impl LogBudget {
    const fn new(per_second: u32) -> Self {
        Self {
            per_second,
            state: std::sync::Mutex::new((0, 0, 0)),
        }
    }

    /// Whether a line may be written in `second`: `Some` with how many were left out before
    /// it, or `None` (this one is left out and counted).
    fn admit(&self, second: u64) -> Option<u64> {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (counted, written, left_out) = &mut *state;
        if *counted != second {
            (*counted, *written) = (second, 0);
        }
        if *written < self.per_second {
            *written += 1;
            Some(std::mem::take(left_out))
        } else {
            *left_out += 1;
            None
        }
    }
}

#[cfg(test)]
mod log_budget_tests {
    use super::LogBudget;

    #[test]
    fn a_flood_of_refusals_writes_a_few_lines_a_second_and_counts_the_rest() {
        let budget = LogBudget::new(20);
        let written: Vec<u64> = (0..1000).filter_map(|_| budget.admit(7)).collect();
        assert_eq!(written.len(), 20);
        assert!(written.iter().all(|&n| n == 0));
        // The next second's first line says how many were left out.
        assert_eq!(budget.admit(8), Some(980));
        assert_eq!(budget.admit(8), Some(0));
    }
}
