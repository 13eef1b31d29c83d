//! The JSON bodies of protocol version 1.

use serde::{Deserialize, Serialize};

/// `GET /v1/nonce`: a single-use value to sign one request with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonceResponse {
    /// The nonce (hex).
    pub nonce: String,
    /// Seconds the hub keeps it valid.
    pub expires_in: u64,
}

/// `POST /v1/packs`: what the hub stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishResponse {
    /// Pack id.
    pub id: String,
    /// Pack version.
    pub version: String,
    /// SHA-256 of the pack's signed part (names it in URLs).
    pub hash: String,
    /// Group it is offered to.
    pub group: String,
    /// False when the hub already had this exact pack.
    pub created: bool,
}

/// One pack on offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogEntry {
    /// Pack id.
    pub id: String,
    /// Latest version offered.
    pub version: String,
    /// Its hash (download it at `/v1/packs/{hash}`).
    pub hash: String,
    /// Size in bytes.
    pub size: u64,
    /// Media variant (`full`, `low`, `text`).
    pub variant: String,
    /// Publisher's `did:key`.
    pub publisher: String,
    /// Module ids inside.
    pub modules: Vec<String>,
}

/// `GET /v1/catalog?group=G`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogResponse {
    /// The group.
    pub group: String,
    /// Packs offered, sorted by id.
    pub packs: Vec<CatalogEntry>,
}

/// Every error answer: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorResponse {
    /// The error.
    pub error: ErrorBody,
}

/// A stable code a client can act on, and a message for logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable, snake_case (`unknown_publisher`, `bad_signature`…).
    pub code: String,
    /// Human-readable detail.
    pub message: String,
}
