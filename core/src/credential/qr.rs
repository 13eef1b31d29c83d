//! A credential in one QR code, for Skillpack to Skillpack (a wallet takes a credential
//! through the hub's exchange or a baked badge instead): its canonical JSON (RFC 8785),
//! compressed with zstd and a dictionary of what credentials repeat (the inline context,
//! field names, the usual values and sentences), then written in base45 (RFC 9285), whose
//! characters are exactly QR's alphanumeric set, behind the prefix `SP3:`. Every proof still
//! verifies after the round trip: the JSON values are unchanged, only their spacing and
//! order, which no proof signs. Codes of the earlier formats, `SP1:` and `SP2:`, are still
//! read.

use std::sync::OnceLock;

use serde_json::Value;
use zstd::dict::DecoderDictionary;
use zstd::zstd_safe::CParameter;

use super::rdfc::MAX_DOCUMENT_LEN;
use super::CredentialError;

/// What a payload starts with: the format and its version.
pub const PREFIX: &str = "SP3:";
/// The second format's prefix (its dictionary knew no endorsement), read and no longer
/// written.
pub const PREFIX_SP2: &str = "SP2:";
/// The first format's prefix, read and no longer written.
pub const PREFIX_SP1: &str = "SP1:";
/// Most characters a payload may have: what a version 40 QR code holds in alphanumeric mode
/// at the lowest error correction.
pub const MAX_PAYLOAD_LEN: usize = 4296;

/// The compression dictionary of `SP3`: `SP2`'s (the sentences Skillpack writes into
/// credentials, then a credential as the hub issues it, the ELM inline context included, in
/// the order of its canonical JSON), then the provider's endorsement of the issuer key as the
/// hub embeds it (ADR 0006), its keys, signature, id and dates left out. Part of the format:
/// changing one byte needs a new prefix.
const DICTIONARY: &[u8] = include_bytes!("qr-dictionary-sp3.txt");
/// The dictionary of `SP2`, for codes printed before `SP3`.
const DICTIONARY_SP2: &[u8] = include_bytes!("qr-dictionary-sp2.txt");
/// The dictionary of `SP1`, for codes printed before `SP2`.
const DICTIONARY_SP1: &[u8] = include_bytes!("qr-dictionary-sp1.json");

fn prepared(format: Format) -> &'static DecoderDictionary<'static> {
    static SP1: OnceLock<DecoderDictionary<'static>> = OnceLock::new();
    static SP2: OnceLock<DecoderDictionary<'static>> = OnceLock::new();
    static SP3: OnceLock<DecoderDictionary<'static>> = OnceLock::new();
    match format {
        Format::Sp1 => SP1.get_or_init(|| DecoderDictionary::copy(DICTIONARY_SP1)),
        Format::Sp2 => SP2.get_or_init(|| DecoderDictionary::copy(DICTIONARY_SP2)),
        Format::Sp3 => SP3.get_or_init(|| DecoderDictionary::copy(DICTIONARY)),
    }
}

/// The payload formats read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Sp1,
    Sp2,
    Sp3,
}

/// A credential from its JSON or from a QR code's text (by its prefix), bounded before
/// parsing: what a learner pastes or scans.
pub fn read_text(text: &str) -> Result<Value, CredentialError> {
    let text = text.trim();
    if [PREFIX, PREFIX_SP2, PREFIX_SP1]
        .iter()
        .any(|prefix| text.starts_with(prefix))
    {
        return from_payload(text);
    }
    super::json::parse(text.as_bytes())
}

/// The QR payload of a credential. The zstd frame leaves out what the format fixes (the
/// dictionary's id, a checksum, the content's size): the signature checks the content.
pub fn to_payload(credential: &Value) -> Result<String, CredentialError> {
    let json = crate::canonical::to_canonical_json(credential)
        .map_err(|e| CredentialError::Malformed(e.to_string()))?;
    let compressing = |e: std::io::Error| CredentialError::Malformed(format!("compressing: {e}"));
    let mut compressor =
        zstd::bulk::Compressor::with_dictionary(19, DICTIONARY).map_err(compressing)?;
    for parameter in [
        CParameter::DictIdFlag(false),
        CParameter::ChecksumFlag(false),
        CParameter::ContentSizeFlag(false),
    ] {
        compressor.set_parameter(parameter).map_err(compressing)?;
    }
    let compressed = compressor.compress(&json).map_err(compressing)?;
    let payload = format!("{PREFIX}{}", base45_encode(&compressed));
    if payload.len() > MAX_PAYLOAD_LEN {
        return Err(CredentialError::TooLarge {
            what: "the QR payload",
            value: payload.len(),
            limit: MAX_PAYLOAD_LEN,
        });
    }
    Ok(payload)
}

/// The credential in a QR payload (bounded before anything is inflated).
pub fn from_payload(payload: &str) -> Result<Value, CredentialError> {
    let payload = payload.trim();
    if payload.len() > MAX_PAYLOAD_LEN {
        return Err(CredentialError::TooLarge {
            what: "the QR payload",
            value: payload.len(),
            limit: MAX_PAYLOAD_LEN,
        });
    }
    let (format, body) = if let Some(body) = payload.strip_prefix(PREFIX) {
        (Format::Sp3, body)
    } else if let Some(body) = payload.strip_prefix(PREFIX_SP2) {
        (Format::Sp2, body)
    } else if let Some(body) = payload.strip_prefix(PREFIX_SP1) {
        (Format::Sp1, body)
    } else {
        return Err(CredentialError::Malformed(format!(
            "a credential QR code starts with {PREFIX}"
        )));
    };
    let compressed = base45_decode(body)?;
    let json = zstd::bulk::Decompressor::with_prepared_dictionary(prepared(format))
        .and_then(|mut d| d.decompress(&compressed, MAX_DOCUMENT_LEN))
        .map_err(|e| CredentialError::Malformed(format!("the QR payload does not inflate: {e}")))?;
    super::json::parse(&json)
}

const BASE45: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// Base45 (RFC 9285): two bytes become three characters, a last byte two.
pub fn base45_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() / 2 * 3 + 2);
    for pair in bytes.chunks(2) {
        let (mut n, digits) = match pair {
            [a, b] => (usize::from(*a) * 256 + usize::from(*b), 3),
            [a] => (usize::from(*a), 2),
            _ => continue,
        };
        for _ in 0..digits {
            out.push(char::from(BASE45[n % 45]));
            n /= 45;
        }
    }
    out
}

/// Reads base45 back, refusing characters outside its alphabet and values that no bytes
/// encode to.
pub fn base45_decode(text: &str) -> Result<Vec<u8>, CredentialError> {
    let bad = |why: &str| CredentialError::Malformed(format!("not base45: {why}"));
    let values: Vec<usize> = text
        .bytes()
        .map(|c| {
            BASE45
                .iter()
                .position(|&b| b == c)
                .ok_or_else(|| bad("a character outside its alphabet"))
        })
        .collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(values.len() / 3 * 2 + 1);
    for group in values.chunks(3) {
        match group {
            [c, d, e] => {
                let n = c + d * 45 + e * 45 * 45;
                if n > 0xFFFF {
                    return Err(bad("a group above 65535"));
                }
                out.push((n / 256) as u8);
                out.push((n % 256) as u8);
            }
            [c, d] => {
                let n = c + d * 45;
                if n > 0xFF {
                    return Err(bad("a last pair above 255"));
                }
                out.push(n as u8);
            }
            _ => return Err(bad("a length that leaves one character over")),
        }
    }
    Ok(out)
}
