//! The fixed byte layout of a pack's header and the limits every reader enforces. See
//! `docs/pack-format.md`; a change here is a format change and needs a version bump.
//!
//! ```text
//! offset size field
//!      0    8 magic  89 53 4B 50 41 43 4B 0A  ("\x89SKPACK\n")
//!      8    2 format major (u16 LE)  = 2 (1 is still read)
//!     10    2 format minor (u16 LE)  = 0
//!     12    4 flags (u32 LE)         = 0 (reserved; non-zero is refused)
//!     16   32 publisher Ed25519 public key
//!     48    4 signed head stored length (u32 LE, zstd-compressed JSON)
//!     52    4 signed head length (u32 LE, uncompressed)
//!     56    8 data length (u64 LE, the chunk region)
//!     64   64 Ed25519 signature over CONTEXT || header[0..64] || stored head
//!    128    . stored head, then the chunk region
//! ```
//!
//! The signed head is the whole manifest in format 1, and in format 2 a small root that
//! names the pages and parts of the manifest, which lie at the start of the chunk region
//! (`super::tree`).

use super::error::PackError;

/// First bytes of every pack. The high first byte and the newline catch text-mode mangling.
pub const MAGIC: [u8; 8] = *b"\x89SKPACK\n";
/// The format major version this code writes.
pub const FORMAT_MAJOR: u16 = 2;
/// The older format major version this code still reads (and writes only when asked), so
/// packs already shared between phones still install for one release.
pub const FORMAT_MAJOR_V1: u16 = 1;
/// The format minor version this code writes (readers accept any minor of their major).
pub const FORMAT_MINOR: u16 = 0;
/// Size of the fixed header.
pub const HEADER_LEN: usize = 128;
/// The part of the header the signature covers (everything before the signature).
pub const SIGNED_HEADER_LEN: usize = 64;
/// Domain separation for the publisher's signature on a format 1 pack, so it can never be
/// replayed as a signature over anything else the same key signs.
pub const SIGNATURE_CONTEXT: &[u8] = b"skillpack pack manifest v1\0";
/// The same for format 2: a format 1 signature can never pass for a format 2 one.
pub const SIGNATURE_CONTEXT_V2: &[u8] = b"skillpack pack root v2\0";

/// Bounds a reader checks before it allocates or inflates anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest stored (compressed) manifest.
    pub max_manifest_stored: u32,
    /// Largest manifest once decompressed.
    pub max_manifest_len: u32,
    /// Most entries in one pack.
    pub max_entries: usize,
    /// Most chunks in one pack.
    pub max_chunks: usize,
    /// Most modules in one pack.
    pub max_modules: usize,
    /// Largest chunk once decompressed (also the largest entry).
    pub max_chunk_len: u64,
    /// Largest chunk region (the whole pack, near enough).
    pub max_data_len: u64,
    /// Largest shared dictionary.
    pub max_dictionary_len: u64,
    /// Longest entry path, in bytes.
    pub max_path_len: usize,
    /// Most folders in an entry path.
    pub max_path_depth: usize,
    /// Most pages a format 2 root names.
    pub max_pages: usize,
    /// Most parts one page names.
    pub max_parts_per_page: usize,
}

impl Limits {
    /// The limits of format 1: generous for a course, small enough for a cheap phone.
    pub const V1: Limits = Limits {
        max_manifest_stored: 8 << 20,
        max_manifest_len: 32 << 20,
        max_entries: 65_536,
        max_chunks: 65_536,
        max_modules: 1024,
        max_chunk_len: 64 << 20,
        max_data_len: 4 << 30,
        max_dictionary_len: 1 << 20,
        max_path_len: 255,
        max_path_depth: 16,
        max_pages: 1024,
        max_parts_per_page: 256,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::V1
    }
}

/// The decoded fixed header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Format major version: [`FORMAT_MAJOR`] or [`FORMAT_MAJOR_V1`] once decoded.
    pub major: u16,
    /// Format minor version.
    pub minor: u16,
    /// The publisher's public key bytes.
    pub publisher: [u8; 32],
    /// Stored (compressed) length of the signed head (the manifest, or format 2's root).
    pub manifest_stored_len: u32,
    /// Length of the signed head once decompressed.
    pub manifest_len: u32,
    /// Length of the chunk region.
    pub data_len: u64,
    /// The publisher's signature.
    pub signature: [u8; 64],
}

impl Header {
    /// Encodes the header.
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[..8].copy_from_slice(&MAGIC);
        out[8..10].copy_from_slice(&self.major.to_le_bytes());
        out[10..12].copy_from_slice(&self.minor.to_le_bytes());
        out[12..16].copy_from_slice(&0u32.to_le_bytes());
        out[16..48].copy_from_slice(&self.publisher);
        out[48..52].copy_from_slice(&self.manifest_stored_len.to_le_bytes());
        out[52..56].copy_from_slice(&self.manifest_len.to_le_bytes());
        out[56..64].copy_from_slice(&self.data_len.to_le_bytes());
        out[64..128].copy_from_slice(&self.signature);
        out
    }

    /// Decodes and bounds-checks a header.
    pub fn decode(bytes: &[u8; HEADER_LEN], limits: &Limits) -> Result<Self, PackError> {
        if bytes[..8] != MAGIC {
            return Err(PackError::NotAPack);
        }
        let u16_at = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]);
        let u32_at = |at: usize| {
            u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let (major, minor) = (u16_at(8), u16_at(10));
        if major != FORMAT_MAJOR && major != FORMAT_MAJOR_V1 {
            return Err(PackError::UnsupportedVersion { major, minor });
        }
        let flags = u32_at(12);
        if flags != 0 {
            return Err(PackError::UnknownFlags(flags));
        }
        let mut data_len = [0u8; 8];
        data_len.copy_from_slice(&bytes[56..64]);
        let header = Header {
            major,
            minor,
            publisher: bytes[16..48].try_into().map_err(|_| PackError::NotAPack)?,
            manifest_stored_len: u32_at(48),
            manifest_len: u32_at(52),
            data_len: u64::from_le_bytes(data_len),
            signature: bytes[64..128].try_into().map_err(|_| PackError::NotAPack)?,
        };
        let check = |what, value: u64, limit: u64| {
            if value > limit {
                Err(PackError::limit(what, value, limit))
            } else {
                Ok(())
            }
        };
        check(
            "the stored manifest length",
            header.manifest_stored_len.into(),
            limits.max_manifest_stored.into(),
        )?;
        check(
            "the manifest length",
            header.manifest_len.into(),
            limits.max_manifest_len.into(),
        )?;
        check("the data length", header.data_len, limits.max_data_len)?;
        Ok(header)
    }

    /// Total file length this header accounts for.
    pub fn file_len(&self) -> u64 {
        HEADER_LEN as u64 + u64::from(self.manifest_stored_len) + self.data_len
    }
}

/// The bytes the publisher signs: the context of the header's format, the first 64 header
/// bytes, the stored head.
pub fn signed_message(header: &[u8; HEADER_LEN], stored_manifest: &[u8]) -> Vec<u8> {
    let context = if header[8..10] == FORMAT_MAJOR_V1.to_le_bytes() {
        SIGNATURE_CONTEXT
    } else {
        SIGNATURE_CONTEXT_V2
    };
    let mut message = Vec::with_capacity(context.len() + SIGNED_HEADER_LEN + stored_manifest.len());
    message.extend_from_slice(context);
    message.extend_from_slice(&header[..SIGNED_HEADER_LEN]);
    message.extend_from_slice(stored_manifest);
    message
}
