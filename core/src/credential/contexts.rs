//! The JSON-LD contexts a credential may name, bundled in the library: canonicalisation
//! reads them from here and never from the network, so a credential verifies offline and a
//! hostile document cannot make a phone fetch anything. A context not listed here is an
//! error, not a download.

use std::collections::HashMap;
use std::sync::OnceLock;

use iref::IriBuf;
use ssi_json_ld::RemoteDocument;

use super::CredentialError;

/// The W3C Verifiable Credentials 2.0 context.
pub const CREDENTIALS_V2: &str = "https://www.w3.org/ns/credentials/v2";
/// The W3C Verifiable Credentials 1.1 context, which Open Badges 3.0 credentials signed with
/// `Ed25519Signature2020` before VC 2.0 name (the Learner Credential Wallet's, 2023-2024).
pub const CREDENTIALS_V1: &str = "https://www.w3.org/2018/credentials/v1";
/// The Open Badges 3.0 context.
pub const OPEN_BADGES_V3: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// The Open Badges 3.0 context as published before 3.0.3, which credentials issued in 2023
/// name (3.0.1 from May, 3.0.2 from July): bundled so that a wallet verifies them.
pub const OPEN_BADGES_V3_EARLIER: [&str; 2] = [
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
];
/// 1EdTech's extensions to Open Badges 3.0 (validators and revocation list types).
pub const OPEN_BADGES_EXTENSIONS: &str = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json";
/// The `Ed25519Signature2020` proof suite's context: what the Learner Credential Wallet signs
/// its DID authentications with (`credential::presentation`), and what VC 1.1 credentials
/// signed with that suite name.
pub const ED25519_SIGNATURE_2020_V1: &str = "https://w3id.org/security/suites/ed25519-2020/v1";
/// The placeholder context of Skillpack's first credentials, whose terms expand to a
/// namespace of ours that no other verifier can load. It is bundled so that credentials
/// issued with it keep verifying in Skillpack, reported as the old form; nothing writes it
/// now (docs/adr/0005-eu-elements-in-published-vocabularies.md).
pub const OLD_MICROCREDENTIAL_V1: &str =
    "https://skillpack.example/contexts/microcredential-v1.jsonld";

const BUNDLED_FILES: &[(&str, &str)] = &[
    (
        CREDENTIALS_V2,
        include_str!("contexts/credentials-v2.jsonld"),
    ),
    (
        CREDENTIALS_V1,
        include_str!("contexts/credentials-v1.jsonld"),
    ),
    (
        OPEN_BADGES_V3,
        include_str!("contexts/ob-v3p0-context-3.0.3.json"),
    ),
    (
        OPEN_BADGES_V3_EARLIER[0],
        include_str!("contexts/ob-v3p0-context-3.0.1.json"),
    ),
    (
        OPEN_BADGES_V3_EARLIER[1],
        include_str!("contexts/ob-v3p0-context-3.0.2.json"),
    ),
    (
        OPEN_BADGES_EXTENSIONS,
        include_str!("contexts/ob-v3p0-extensions.json"),
    ),
    (
        ED25519_SIGNATURE_2020_V1,
        include_str!("contexts/ed25519-signature-2020-v1.jsonld"),
    ),
    (
        OLD_MICROCREDENTIAL_V1,
        include_str!("contexts/skillpack-microcredential-v1.jsonld"),
    ),
];

/// The inline context every credential carries as its third `@context` entry: the EU
/// micro-credential elements Open Badges 3.0 has no field for, mapped to the European
/// Learning Model's properties and the EU's concept IRIs, so any verifier expands them
/// without loading anything of ours (ADR 0005).
pub fn elm_terms() -> &'static serde_json::Value {
    static TERMS: OnceLock<serde_json::Value> = OnceLock::new();
    TERMS.get_or_init(|| {
        // The file is ours and a test reads it: it parses.
        serde_json::from_str(include_str!("contexts/elm-terms.json"))
            .unwrap_or(serde_json::Value::Null)
    })
}

/// Whether a credential names the placeholder context of the first releases (the old form,
/// which verifies only in Skillpack).
pub fn is_old_form(credential: &serde_json::Value) -> bool {
    credential
        .get("@context")
        .and_then(serde_json::Value::as_array)
        .is_some_and(|list| list.iter().any(|c| c == OLD_MICROCREDENTIAL_V1))
}

/// A set of contexts served by URL: the document loader of canonicalisation.
#[derive(Debug, Clone)]
pub struct Contexts {
    pub(super) loader: HashMap<IriBuf, RemoteDocument>,
}

impl Contexts {
    /// The contexts bundled in the library, read once.
    pub fn bundled() -> &'static Contexts {
        static BUNDLED: OnceLock<Contexts> = OnceLock::new();
        BUNDLED.get_or_init(|| {
            let mut contexts = Contexts {
                loader: HashMap::new(),
            };
            for (url, text) in BUNDLED_FILES {
                // The bundled files are ours and a test reads every one: they parse.
                let _ = contexts.insert(url, text);
            }
            contexts
        })
    }

    /// These contexts and one more, served at `url` (a verifier that knows another context;
    /// the tests of the W3C vectors, which name the examples context).
    pub fn with(&self, url: &str, text: &str) -> Result<Self, CredentialError> {
        let mut more = self.clone();
        more.insert(url, text)?;
        Ok(more)
    }

    fn insert(&mut self, url: &str, text: &str) -> Result<(), CredentialError> {
        let iri = IriBuf::new(url.to_owned())
            .map_err(|_| CredentialError::Malformed(format!("{url} is not a URL")))?;
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| CredentialError::Malformed(format!("the context {url}: {e}")))?;
        let document = RemoteDocument::new(
            Some(iri.clone()),
            None,
            json_syntax::Value::from_serde_json(value),
        );
        self.loader.insert(iri, document);
        Ok(())
    }

    /// Whether a context is served at `url`.
    pub fn knows(&self, url: &str) -> bool {
        self.loader.keys().any(|k| k.as_str() == url)
    }
}
