//! Signed requests: a small profile of HTTP Message Signatures (RFC 9421) with Ed25519. The
//! signature covers the method, path, query and the body's `Content-Digest` (RFC 9530,
//! SHA-256), and its parameters carry the signer's `did:key` and a nonce the hub issued. The
//! hub accepts each nonce once, so a replayed request fails without relying on the clock of
//! a cheap phone; `created` is sent for logs but never decides anything.
//!
//! ```text
//! Content-Digest: sha-256=:<base64>:
//! Signature-Input: sk=("@method" "@path" "@query" "content-digest");created=<unix>;keyid="did:key:…";nonce="<hex>";alg="ed25519"
//! Signature: sk=:<base64 signature>:
//! ```

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::keys::{PublicKey, SecretKey};

/// The header carrying the body's digest (RFC 9530).
pub const CONTENT_DIGEST: &str = "content-digest";
/// The header naming what the signature covers and its parameters (RFC 9421).
pub const SIGNATURE_INPUT: &str = "signature-input";
/// The header carrying the signature itself (RFC 9421).
pub const SIGNATURE: &str = "signature";

/// The signature label this profile uses.
const LABEL: &str = "sk";
/// The covered components, in order.
const COMPONENTS: &str = r#"("@method" "@path" "@query" "content-digest")"#;

/// What a request signature covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestParts<'a> {
    /// `GET`, `POST`…
    pub method: &'a str,
    /// The path, such as `/v1/packs`.
    pub path: &'a str,
    /// The query with its `?` (`?group=riders`), or `?` when there is none (RFC 9421 §2.2.7).
    pub query: &'a str,
    /// The body.
    pub body: &'a [u8],
}

/// The three headers of a signed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeaders {
    /// `Content-Digest`.
    pub content_digest: String,
    /// `Signature-Input`.
    pub signature_input: String,
    /// `Signature`.
    pub signature: String,
}

impl<'a> RequestParts<'a> {
    /// The parts of a request to `target` (a path with an optional `?query`), with the empty
    /// query written `?` as the profile wants.
    pub fn new(method: &'a str, target: &'a str, body: &'a [u8]) -> Self {
        let (path, query) = match target.find('?') {
            Some(at) => (&target[..at], &target[at..]),
            None => (target, "?"),
        };
        Self {
            method,
            path,
            query,
            body,
        }
    }
}

impl SignatureHeaders {
    /// The three headers as (name, value), to set on an outgoing request.
    pub fn pairs(&self) -> [(&'static str, &str); 3] {
        [
            (CONTENT_DIGEST, self.content_digest.as_str()),
            (SIGNATURE_INPUT, self.signature_input.as_str()),
            (SIGNATURE, self.signature.as_str()),
        ]
    }

    /// Reads the three headers of an incoming request through `header` (a lookup by
    /// lower-case name); the name of the first one missing is the error.
    pub fn read(
        mut header: impl FnMut(&'static str) -> Option<String>,
    ) -> Result<Self, &'static str> {
        let mut get = |name| header(name).ok_or(name);
        Ok(Self {
            content_digest: get(CONTENT_DIGEST)?,
            signature_input: get(SIGNATURE_INPUT)?,
            signature: get(SIGNATURE)?,
        })
    }
}

/// Why a signed request is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// A header is missing or not in this profile's form.
    #[error("the request signature is malformed: {0}")]
    Malformed(&'static str),
    /// The body does not match its digest.
    #[error("the body does not match its Content-Digest")]
    Digest,
    /// The signature does not verify.
    #[error("the request signature does not verify")]
    Invalid,
}

/// A verified request: who signed it and with which nonce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// The signer's key.
    pub key: PublicKey,
    /// The nonce the hub issued (check it was issued and not used yet).
    pub nonce: String,
}

/// `sha-256=:<base64>:` for a body.
pub fn content_digest(body: &[u8]) -> String {
    content_digest_of_sha256(&Sha256::digest(body).into())
}

/// `sha-256=:<base64>:` for a body whose SHA-256 was computed as it streamed by.
pub fn content_digest_of_sha256(sha256: &[u8; 32]) -> String {
    format!("sha-256=:{}:", B64.encode(sha256))
}

/// Signs a request with `key`, using `nonce` from the hub; `created` is informative.
pub fn sign_request(
    parts: &RequestParts<'_>,
    key: &SecretKey,
    nonce: &str,
    created: i64,
) -> SignatureHeaders {
    let digest = content_digest(parts.body);
    let params = format!(
        "{COMPONENTS};created={created};keyid=\"{}\";nonce=\"{nonce}\";alg=\"ed25519\"",
        key.public_key().to_did_key()
    );
    let base = signature_base(parts, &digest, &params);
    SignatureHeaders {
        content_digest: digest,
        signature_input: format!("{LABEL}={params}"),
        signature: format!("{LABEL}=:{}:", B64.encode(key.sign(base.as_bytes()))),
    }
}

/// Checks a signed request and returns its signer and nonce.
pub fn verify_request(
    parts: &RequestParts<'_>,
    headers: &SignatureHeaders,
) -> Result<Signer, SignatureError> {
    if headers.content_digest != content_digest(parts.body) {
        return Err(SignatureError::Digest);
    }
    verify_request_head(parts, headers)
}

/// Checks a signed request's signature over its method, target and `Content-Digest` header,
/// without the body (`parts.body` is not read): a receiver checks who signed before reading
/// a large body, then checks the body against the digest with [`content_digest_of_sha256`]
/// as it streams in. Until then the body is not known to be the signed one.
pub fn verify_request_head(
    parts: &RequestParts<'_>,
    headers: &SignatureHeaders,
) -> Result<Signer, SignatureError> {
    use SignatureError::Malformed;
    let params = headers
        .signature_input
        .strip_prefix("sk=")
        .ok_or(Malformed("Signature-Input has no sk= signature"))?;
    let rest = params
        .strip_prefix(COMPONENTS)
        .ok_or(Malformed("the covered components are not this profile's"))?;
    let param = |name: &str| -> Option<&str> {
        rest.split(';')
            .find_map(|p| p.strip_prefix(name)?.strip_prefix('='))
    };
    if param("alg") != Some("\"ed25519\"") {
        return Err(Malformed("alg must be ed25519"));
    }
    let keyid = param("keyid")
        .and_then(unquote)
        .ok_or(Malformed("keyid is missing"))?;
    let nonce = param("nonce")
        .and_then(unquote)
        .ok_or(Malformed("nonce is missing"))?;
    let key = PublicKey::parse(keyid).map_err(|_| Malformed("keyid is not a did:key"))?;
    let signature = headers
        .signature
        .strip_prefix("sk=:")
        .and_then(|s| s.strip_suffix(':'))
        .and_then(|s| B64.decode(s).ok())
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .ok_or(Malformed("Signature is not sk=:<base64>:"))?;
    let base = signature_base(parts, &headers.content_digest, params);
    key.verify(base.as_bytes(), &signature)
        .map_err(|_| SignatureError::Invalid)?;
    Ok(Signer {
        key,
        nonce: nonce.to_owned(),
    })
}

/// A quoted parameter value without its quotes.
fn unquote(value: &str) -> Option<&str> {
    value.strip_prefix('"')?.strip_suffix('"')
}

/// The RFC 9421 signature base for this profile's components.
fn signature_base(parts: &RequestParts<'_>, digest: &str, params: &str) -> String {
    format!(
        "\"@method\": {}\n\"@path\": {}\n\"@query\": {}\n\"content-digest\": {digest}\n\"@signature-params\": {params}",
        parts.method.to_ascii_uppercase(),
        parts.path,
        parts.query
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(body: &[u8]) -> RequestParts<'_> {
        RequestParts {
            method: "POST",
            path: "/v1/packs",
            query: "?group=riders",
            body,
        }
    }

    #[test]
    fn a_signed_request_verifies_and_names_its_signer_and_nonce() {
        let key = SecretKey::from_seed(&[8; 32]);
        let headers = sign_request(&parts(b"pack"), &key, "ab12", 1_700_000_000);
        let signer = verify_request(&parts(b"pack"), &headers).expect("verifies");
        assert_eq!(
            (signer.key, signer.nonce.as_str()),
            (key.public_key(), "ab12")
        );
    }

    #[test]
    fn the_head_verifies_before_the_body_and_the_digest_checks_the_body_after() {
        let key = SecretKey::from_seed(&[8; 32]);
        let headers = sign_request(&parts(b"pack"), &key, "ab12", 0);
        let signer = verify_request_head(&parts(b""), &headers).expect("the head verifies");
        assert_eq!(signer.key, key.public_key());
        let streamed: [u8; 32] = Sha256::digest(b"pack").into();
        assert_eq!(content_digest_of_sha256(&streamed), headers.content_digest);
        let mut other = parts(b"");
        other.path = "/v1/records";
        assert_eq!(
            verify_request_head(&other, &headers),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn a_target_splits_into_path_and_query() {
        let parts = RequestParts::new("POST", "/v1/packs?group=riders", b"");
        assert_eq!((parts.path, parts.query), ("/v1/packs", "?group=riders"));
        let parts = RequestParts::new("POST", "/v1/records", b"");
        assert_eq!((parts.path, parts.query), ("/v1/records", "?"));
    }

    #[test]
    fn headers_written_are_the_headers_read() {
        let key = SecretKey::from_seed(&[8; 32]);
        let headers = sign_request(&parts(b"pack"), &key, "ab12", 0);
        let pairs = headers.pairs();
        let read = SignatureHeaders::read(|name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        });
        assert_eq!(read, Ok(headers));
        assert_eq!(SignatureHeaders::read(|_| None), Err(CONTENT_DIGEST));
    }

    #[test]
    fn any_change_to_what_is_covered_is_refused() {
        let key = SecretKey::from_seed(&[8; 32]);
        let headers = sign_request(&parts(b"pack"), &key, "ab12", 0);
        assert_eq!(
            verify_request(&parts(b"other"), &headers),
            Err(SignatureError::Digest)
        );
        let mut other = parts(b"pack");
        other.query = "?group=cleaners";
        assert_eq!(
            verify_request(&other, &headers),
            Err(SignatureError::Invalid)
        );
        let mut h = headers.clone();
        h.signature_input = h.signature_input.replace("ab12", "ab13");
        assert_eq!(
            verify_request(&parts(b"pack"), &h),
            Err(SignatureError::Invalid)
        );
        let mut h = headers;
        h.signature = "sk=:AAAA:".into();
        assert!(matches!(
            verify_request(&parts(b"pack"), &h),
            Err(SignatureError::Malformed(_))
        ));
    }
}
