//! An issuer known by its controller document: an issuer whose id is not a `did:key` (a
//! `did:web`, or an https address as 1EdTech's own test vector has) publishes a document that
//! lists its keys, and says which of them may sign credentials (`assertionMethod`). A verifier
//! that read the document (fetched while online, or handed over with the credential) checks a
//! proof against it offline. Only Ed25519 keys as `Multikey` (`publicKeyMultibase`, `z6Mk…`)
//! are read, as only they sign `eddsa-rdfc-2022` and `eddsa-jcs-2022`.

use serde_json::Value;

use super::{json, CredentialError};
use crate::keys::PublicKey;

/// Largest controller document read (one lists a handful of keys): the bound of every JSON
/// document a verifier reads (`credential::json::parse`).
pub const MAX_CONTROLLER_DOCUMENT_BYTES: usize = super::rdfc::MAX_DOCUMENT_LEN;
/// Most verification methods read from one document.
pub const MAX_VERIFICATION_METHODS: usize = 32;

/// An issuer's controller document, as far as a verifier needs it: its id and the Ed25519
/// keys it allows to sign credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControllerDocument {
    /// Its id: the issuer's (`did:web:…` or `https://…`).
    pub id: String,
    /// The verification methods allowed to sign credentials (`assertionMethod`), by id.
    pub signers: Vec<(String, PublicKey)>,
}

impl ControllerDocument {
    /// Reads a controller document's JSON, bounded.
    pub fn parse(bytes: &[u8]) -> Result<Self, CredentialError> {
        Self::from_value(&json::parse(bytes)?)
    }

    /// Reads a controller document already parsed.
    pub fn from_value(document: &Value) -> Result<Self, CredentialError> {
        let bad = |why: &str| CredentialError::Malformed(format!("the controller document {why}"));
        let id = document
            .get("id")
            .and_then(Value::as_str)
            .filter(|id| id.starts_with("did:web:") || id.starts_with("https://"))
            .ok_or_else(|| bad("has no did:web or https id"))?;
        let methods: Vec<&Value> = match document.get("verificationMethod") {
            Some(Value::Array(methods)) => methods.iter().collect(),
            Some(method @ Value::Object(_)) => vec![method],
            _ => Vec::new(),
        };
        let asserting: Vec<&Value> = match document.get("assertionMethod") {
            Some(Value::Array(methods)) => methods.iter().collect(),
            Some(one) => vec![one],
            None => Vec::new(),
        };
        if methods.len() + asserting.len() > MAX_VERIFICATION_METHODS {
            return Err(bad("lists more keys than a verifier reads"));
        }
        let key_of = |method: &Value| -> Option<(String, PublicKey)> {
            let method_id = method.get("id")?.as_str()?;
            let controller = method.get("controller")?.as_str()?;
            if controller != id || method.get("type")?.as_str()? != "Multikey" {
                return None;
            }
            let multibase = method.get("publicKeyMultibase")?.as_str()?;
            let key = PublicKey::parse(multibase.strip_prefix('z').map(|_| multibase)?).ok()?;
            Some((absolute(id, method_id), key))
        };
        let mut signers = Vec::new();
        for entry in asserting {
            let found = match entry {
                // A reference to one of the document's methods.
                Value::String(reference) => {
                    let wanted = absolute(id, reference);
                    methods
                        .iter()
                        .filter_map(|m| key_of(m))
                        .find(|(method_id, _)| *method_id == wanted)
                }
                // A method written in place.
                method @ Value::Object(_) => key_of(method),
                _ => None,
            };
            if let Some(signer) = found {
                signers.push(signer);
            }
        }
        if signers.is_empty() {
            return Err(bad("allows no Ed25519 key to sign credentials"));
        }
        Ok(Self {
            id: id.to_owned(),
            signers,
        })
    }

    /// The key of `method` when this document allows it to sign credentials.
    pub fn signer(&self, method: &str) -> Option<PublicKey> {
        self.signers
            .iter()
            .find(|(id, _)| id == method)
            .map(|(_, key)| *key)
    }
}

/// A method id made absolute against the document's id (`#key-1` is `<id>#key-1`).
fn absolute(document: &str, method: &str) -> String {
    if method.starts_with('#') {
        format!("{document}{method}")
    } else {
        method.to_owned()
    }
}

/// Where a `did:web` issuer publishes its document: `did:web:example.org` at
/// `https://example.org/.well-known/did.json`, `did:web:example.org:issuers:7` at
/// `https://example.org/issuers/7/did.json`, a port written `%3A`. On this machine's loopback
/// (`127.0.0.1`, `localhost`) the address is http, as for status lists (a hub and its tests
/// on one machine). `None` for anything else, or a host that is not a plain name.
pub fn did_web_url(did: &str) -> Option<String> {
    let rest = did.strip_prefix("did:web:")?;
    let mut parts = rest.split(':');
    let host = parts.next()?.replace("%3A", ":").replace("%3a", ":");
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'))
    };
    let path: Vec<&str> = parts.collect();
    if !plain(&host) || path.iter().any(|p| !plain(p) || p.contains(':')) {
        return None;
    }
    let name = host.split(':').next().unwrap_or("");
    let scheme = if matches!(name, "127.0.0.1" | "localhost") {
        "http"
    } else {
        "https"
    };
    Some(if path.is_empty() {
        format!("{scheme}://{host}/.well-known/did.json")
    } else {
        format!("{scheme}://{host}/{}/did.json", path.join("/"))
    })
}
