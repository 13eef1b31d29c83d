//! The controller documents of issuers that are not a `did:key` (a `did:web`), read while
//! online and kept with when they were read: a credential from such an issuer is added and
//! checked again offline against the document the device holds.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::error::StoreError;
use super::Store;
use crate::credential::{ControllerDocument, CredentialError};

impl Store {
    /// Keeps an issuer's controller document as read at `fetched_at` (checked as any verifier
    /// reads one), in place of the one kept before for the same issuer.
    pub fn keep_issuer_document(
        &self,
        document: &serde_json::Value,
        fetched_at: DateTime<Utc>,
    ) -> Result<ControllerDocument, StoreError> {
        let read = ControllerDocument::from_value(document)?;
        let body = crate::canonical::to_canonical_json(document)
            .map_err(|e| CredentialError::Malformed(e.to_string()))?;
        let body =
            String::from_utf8(body).map_err(|e| CredentialError::Malformed(e.to_string()))?;
        self.lock().execute(
            "INSERT INTO issuer_documents (id, body, fetched_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at",
            params![read.id, body, crate::ledger::record_time(fetched_at)],
        )?;
        Ok(read)
    }

    /// The issuers' controller documents the device keeps.
    pub fn issuer_documents(&self) -> Result<Vec<ControllerDocument>, StoreError> {
        let bodies: Vec<String> = {
            let conn = self.lock();
            let mut stmt = conn.prepare("SELECT body FROM issuer_documents ORDER BY id")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        bodies
            .iter()
            .map(|body| {
                ControllerDocument::parse(body.as_bytes())
                    .map_err(|e| StoreError::Damaged(format!("an issuer's document: {e}")))
            })
            .collect()
    }

    /// When the device read `issuer`'s document, if it holds one.
    pub fn issuer_document_read_at(&self, issuer: &str) -> Result<Option<String>, StoreError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .lock()
            .query_row(
                "SELECT fetched_at FROM issuer_documents WHERE id = ?1",
                [issuer],
                |r| r.get(0),
            )
            .optional()?)
    }
}
