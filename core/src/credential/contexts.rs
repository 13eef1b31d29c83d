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
/// The Open Badges 3.0 context.
pub const OPEN_BADGES_V3: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// 1EdTech's extensions to Open Badges 3.0 (validators and revocation list types).
pub const OPEN_BADGES_EXTENSIONS: &str = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json";
/// Ours: the micro-credential elements Open Badges 3.0 has no term for.
pub const MICROCREDENTIAL_V1: &str = "https://skillpack.example/contexts/microcredential-v1.jsonld";

const BUNDLED_FILES: &[(&str, &str)] = &[
    (
        CREDENTIALS_V2,
        include_str!("contexts/credentials-v2.jsonld"),
    ),
    (
        OPEN_BADGES_V3,
        include_str!("contexts/ob-v3p0-context-3.0.3.json"),
    ),
    (
        OPEN_BADGES_EXTENSIONS,
        include_str!("contexts/ob-v3p0-extensions.json"),
    ),
    (
        MICROCREDENTIAL_V1,
        include_str!("contexts/skillpack-microcredential-v1.jsonld"),
    ),
];

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
