//! A credential baked into a PNG image, as Open Badges 3.0 says (section 5.3, "Baking"): the
//! credential's JSON in one uncompressed `iTXt` chunk with the keyword `openbadgecredential`.
//! The image is still an image (a learner shares it as a picture), and a wallet or badge
//! platform that takes baked badges finds the credential in it. Reading is bounded like every
//! other way in: the file's size, the number of chunks, each chunk's length and CRC.

use serde_json::Value;

use super::rdfc::MAX_DOCUMENT_LEN;
use super::CredentialError;

/// The `iTXt` keyword Open Badges 3.0 names for a baked credential.
pub const KEYWORD: &str = "openbadgecredential";
/// Largest PNG read or baked: a badge image and its credential, with room to spare.
pub const MAX_PNG_LEN: usize = 8 * 1024 * 1024;
/// Most chunks read from one PNG before it is refused (a real image has a few dozen).
pub const MAX_CHUNKS: usize = 4096;

/// What every PNG file starts with.
const SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

/// One chunk of a PNG: its four-letter type and its data.
struct Chunk<'a> {
    kind: [u8; 4],
    data: &'a [u8],
}

impl Chunk<'_> {
    /// Whether this is the `iTXt` chunk of a baked credential.
    fn is_credential(&self) -> bool {
        &self.kind == b"iTXt"
            && self.data.len() > KEYWORD.len()
            && self.data.starts_with(KEYWORD.as_bytes())
            && self.data[KEYWORD.len()] == 0
    }
}

/// `png` with `credential` baked in: any credential baked before is replaced, and the new
/// chunk goes just before the image's end.
pub fn bake(png: &[u8], credential: &Value) -> Result<Vec<u8>, CredentialError> {
    let chunks = chunks(png)?;
    let text = serde_json::to_string(credential)
        .map_err(|e| CredentialError::Malformed(format!("the credential: {e}")))?;
    if text.len() > MAX_DOCUMENT_LEN {
        return Err(CredentialError::TooLarge {
            what: "the credential",
            value: text.len(),
            limit: MAX_DOCUMENT_LEN,
        });
    }
    // keyword, NUL, compression flag 0 and method 0, an empty language tag and translated
    // keyword (each ended by NUL), then the text.
    let mut data = Vec::with_capacity(KEYWORD.len() + 5 + text.len());
    data.extend_from_slice(KEYWORD.as_bytes());
    data.extend_from_slice(&[0, 0, 0, 0, 0]);
    data.extend_from_slice(text.as_bytes());
    let mut out = Vec::with_capacity(png.len() + data.len() + 12);
    out.extend_from_slice(SIGNATURE);
    for chunk in chunks.iter().filter(|c| !c.is_credential()) {
        if &chunk.kind == b"IEND" {
            write_chunk(&mut out, b"iTXt", &data);
        }
        write_chunk(&mut out, &chunk.kind, chunk.data);
    }
    if out.len() > MAX_PNG_LEN {
        return Err(CredentialError::TooLarge {
            what: "the baked image",
            value: out.len(),
            limit: MAX_PNG_LEN,
        });
    }
    Ok(out)
}

/// The credential baked into `png`, read as JSON and bounded (it still has to verify).
pub fn unbake(png: &[u8]) -> Result<Value, CredentialError> {
    let mut found = chunks(png)?.into_iter().filter(Chunk::is_credential);
    let chunk = found
        .next()
        .ok_or_else(|| CredentialError::Malformed("the image holds no baked credential".into()))?;
    if found.next().is_some() {
        return Err(CredentialError::Malformed(
            "the image holds two baked credentials; Open Badges allows one".into(),
        ));
    }
    let rest = &chunk.data[KEYWORD.len() + 1..];
    let [compressed, _method, tail @ ..] = rest else {
        return Err(CredentialError::Malformed(
            "the baked credential's chunk is cut short".into(),
        ));
    };
    if *compressed != 0 {
        return Err(CredentialError::Malformed(
            "the baked credential is compressed, which Open Badges forbids".into(),
        ));
    }
    // Skip the language tag and the translated keyword, each ended by NUL.
    let mut text = tail;
    for _ in 0..2 {
        let end = text.iter().position(|&b| b == 0).ok_or_else(|| {
            CredentialError::Malformed("the baked credential's chunk is cut short".into())
        })?;
        text = &text[end + 1..];
    }
    super::json::parse(text)
}

/// The chunks of `png`, each checked against its CRC, up to and including `IEND`.
fn chunks(png: &[u8]) -> Result<Vec<Chunk<'_>>, CredentialError> {
    let bad = |why: &str| CredentialError::Malformed(format!("not a PNG image: {why}"));
    if png.len() > MAX_PNG_LEN {
        return Err(CredentialError::TooLarge {
            what: "the image",
            value: png.len(),
            limit: MAX_PNG_LEN,
        });
    }
    let mut rest = png
        .strip_prefix(SIGNATURE)
        .ok_or_else(|| bad("it does not start as one"))?;
    let mut chunks = Vec::new();
    loop {
        if chunks.len() == MAX_CHUNKS {
            return Err(CredentialError::TooLarge {
                what: "the image's chunks",
                value: chunks.len() + 1,
                limit: MAX_CHUNKS,
            });
        }
        if rest.len() < 12 {
            return Err(bad("it ends inside a chunk"));
        }
        let length = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        if length > rest.len() - 12 {
            return Err(bad("a chunk runs past the end"));
        }
        let kind = [rest[4], rest[5], rest[6], rest[7]];
        let data = &rest[8..8 + length];
        let stated = u32::from_be_bytes([
            rest[8 + length],
            rest[9 + length],
            rest[10 + length],
            rest[11 + length],
        ]);
        if crc(&kind, data) != stated {
            return Err(bad("a chunk's CRC is wrong"));
        }
        if chunks.is_empty() && &kind != b"IHDR" {
            return Err(bad("its first chunk is not IHDR"));
        }
        chunks.push(Chunk { kind, data });
        rest = &rest[12 + length..];
        if &kind == b"IEND" {
            return Ok(chunks);
        }
    }
}

/// Appends one chunk: length, type, data and the CRC of type and data.
fn write_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    // Every chunk written is bounded by MAX_PNG_LEN, far below 2^31.
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc(kind, data).to_be_bytes());
}

/// The CRC-32 a PNG chunk carries, over its type and data.
fn crc(kind: &[u8; 4], data: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(kind);
    hasher.update(data);
    hasher.finalize()
}
