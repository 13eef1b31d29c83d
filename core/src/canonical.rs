//! Canonical JSON (RFC 8785, JCS) for everything the core signs: result records,
//! attestations and, later, credentials (`eddsa-jcs-2022`). One encoding, so a signature made
//! on a phone verifies on the hub and in any verifier that speaks JCS.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::pack::ContentHash;

/// The RFC 8785 canonical bytes of `value`.
pub fn to_canonical_json<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    // The canonicalizer takes sized values; a reference to the value is one.
    serde_json_canonicalizer::to_vec(&value)
}

/// The bytes a key signs for `value`: a domain-separation context, then its canonical JSON.
/// The context keeps a signature over one kind of object from ever verifying as another.
pub fn signing_input<T: Serialize + ?Sized>(
    context: &[u8],
    value: &T,
) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = context.to_vec();
    out.extend(to_canonical_json(value)?);
    Ok(out)
}

/// SHA-256 of the canonical JSON of `value`.
pub fn canonical_hash<T: Serialize + ?Sized>(value: &T) -> Result<ContentHash, serde_json::Error> {
    Ok(ContentHash(
        Sha256::digest(to_canonical_json(value)?).into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_rfc_8785_reference_vectors() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/jcs-rfc8785");
        for case in [
            "arrays",
            "french",
            "structures",
            "unicode",
            "values",
            "weird",
        ] {
            let input = std::fs::read(dir.join(format!("input/{case}.json"))).expect("input");
            let expected = std::fs::read(dir.join(format!("output/{case}.json"))).expect("output");
            let value: serde_json::Value = serde_json::from_slice(&input).expect("parses");
            let got = to_canonical_json(&value).expect("canonicalizes");
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&expected),
                "{case}"
            );
        }
    }
}
