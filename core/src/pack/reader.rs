//! Opens and verifies packs from any `Read + Seek` source. Order matters: bounds first
//! (nothing is allocated from an unchecked length), then the publisher's signature over the
//! header and stored manifest (nothing unauthenticated is inflated), then the manifest's
//! structure (no offset is trusted before it is checked). Chunks are checked against their
//! stored hash before they are inflated, and entries against their own hash after.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use super::error::PackError;
use super::format::{signed_message, Header, Limits, HEADER_LEN};
use super::hash::ContentHash;
use super::manifest::{Codec, Entry, Manifest};
use crate::keys::PublicKey;

/// An opened pack whose header, signature and manifest have been checked.
#[derive(Debug)]
pub struct PackReader<R> {
    source: R,
    header: Header,
    manifest: Manifest,
    publisher: PublicKey,
    data_start: u64,
    /// For each chunk, the indexes of the entries inside it.
    entries_by_chunk: Vec<Vec<usize>>,
}

/// What a full verification found (it returns an error at the first fault instead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Chunks checked.
    pub chunks: usize,
    /// Entries checked.
    pub entries: usize,
    /// Stored bytes read.
    pub stored_bytes: u64,
    /// Bytes after inflating.
    pub content_bytes: u64,
}

impl PackReader<BufReader<File>> {
    /// Opens a pack file.
    pub fn open_path(path: &Path) -> Result<Self, PackError> {
        Self::open(BufReader::new(File::open(path)?))
    }
}

impl<R: Read + Seek> PackReader<R> {
    /// Opens a pack with the format's limits.
    pub fn open(source: R) -> Result<Self, PackError> {
        Self::open_with_limits(source, &Limits::V1)
    }

    /// Opens a pack, checking header, signature and manifest against `limits`.
    pub fn open_with_limits(mut source: R, limits: &Limits) -> Result<Self, PackError> {
        let found = source.seek(SeekFrom::End(0))?;
        source.seek(SeekFrom::Start(0))?;
        let mut raw_header = [0u8; HEADER_LEN];
        if found < HEADER_LEN as u64 {
            // Still say "not a pack" for short files that do not even start right.
            let mut head = vec![0u8; found as usize];
            source.read_exact(&mut head)?;
            if !super::format::MAGIC.starts_with(&head[..head.len().min(8)]) {
                return Err(PackError::NotAPack);
            }
            return Err(PackError::Truncated {
                expected: HEADER_LEN as u64,
                found,
            });
        }
        source.read_exact(&mut raw_header)?;
        let header = Header::decode(&raw_header, limits)?;
        let expected = header.file_len();
        if found < expected {
            return Err(PackError::Truncated { expected, found });
        }
        if found > expected {
            return Err(PackError::TrailingBytes(found - expected));
        }
        let mut stored_manifest = vec![0u8; header.manifest_stored_len as usize];
        source.read_exact(&mut stored_manifest)?;
        let publisher =
            PublicKey::from_bytes(&header.publisher).map_err(|_| PackError::BadPublisherKey)?;
        publisher
            .verify(
                &signed_message(&raw_header, &stored_manifest),
                &header.signature,
            )
            .map_err(|_| PackError::BadSignature)?;
        let json = inflate(&stored_manifest, header.manifest_len as u64)
            .map_err(PackError::BadManifest)?;
        let manifest: Manifest =
            serde_json::from_slice(&json).map_err(|e| PackError::BadManifest(e.to_string()))?;
        manifest.check(header.data_len, limits)?;
        let mut entries_by_chunk = vec![Vec::new(); manifest.chunks.len()];
        for (i, entry) in manifest.entries.iter().enumerate() {
            entries_by_chunk[entry.chunk as usize].push(i);
        }
        Ok(Self {
            source,
            data_start: HEADER_LEN as u64 + u64::from(header.manifest_stored_len),
            header,
            manifest,
            publisher,
            entries_by_chunk,
        })
    }

    /// The checked manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The decoded header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The underlying source (tests count the bytes read through it).
    pub fn get_ref(&self) -> &R {
        &self.source
    }

    /// The publisher whose signature the pack carries.
    pub fn publisher(&self) -> PublicKey {
        self.publisher
    }

    /// Fails with [`PackError::Untrusted`] unless the publisher is one of `trusted`.
    pub fn check_trusted(&self, trusted: &[PublicKey]) -> Result<(), PackError> {
        if trusted.contains(&self.publisher) {
            Ok(())
        } else {
            Err(PackError::Untrusted(self.publisher.fingerprint()))
        }
    }

    /// The stored bytes of a chunk, checked against its hash (what a hub serves by hash).
    pub fn read_stored_chunk(&mut self, index: usize) -> Result<Vec<u8>, PackError> {
        let chunk = &self.manifest.chunks[index];
        let mut stored = vec![0u8; chunk.stored_size as usize];
        self.source
            .seek(SeekFrom::Start(self.data_start + chunk.offset))?;
        self.source.read_exact(&mut stored)?;
        if ContentHash::of(&stored) != chunk.hash {
            return Err(PackError::ChunkHashMismatch { index });
        }
        Ok(stored)
    }

    /// A chunk's bytes, checked and inflated.
    pub fn read_chunk(&mut self, index: usize) -> Result<Vec<u8>, PackError> {
        let stored = self.read_stored_chunk(index)?;
        let chunk = &self.manifest.chunks[index];
        match chunk.codec {
            Codec::None => Ok(stored),
            Codec::Zstd => {
                inflate(&stored, chunk.size).map_err(|reason| PackError::BadChunk { index, reason })
            }
        }
    }

    /// One entry's bytes, reading only the chunk that holds it.
    pub fn read_entry(&mut self, path: &str) -> Result<Vec<u8>, PackError> {
        let entry = self
            .manifest
            .entry(path)
            .cloned()
            .ok_or_else(|| PackError::NoSuchEntry(path.to_owned()))?;
        let chunk = self.read_chunk(entry.chunk as usize)?;
        extract(&chunk, &entry)
    }

    /// Reads every chunk and checks every hash. `progress` gets (chunks done, total) and
    /// returns `false` to cancel.
    pub fn verify(
        &mut self,
        progress: &mut dyn FnMut(usize, usize) -> bool,
    ) -> Result<VerifyReport, PackError> {
        let total = self.manifest.chunks.len();
        let mut report = VerifyReport {
            chunks: 0,
            entries: 0,
            stored_bytes: 0,
            content_bytes: 0,
        };
        for index in 0..total {
            if !progress(index, total) {
                return Err(PackError::Cancelled);
            }
            let bytes = self.read_chunk(index)?;
            for &e in &self.entries_by_chunk[index] {
                extract(&bytes, &self.manifest.entries[e])?;
                report.entries += 1;
            }
            report.chunks += 1;
            report.stored_bytes += self.manifest.chunks[index].stored_size;
            report.content_bytes += bytes.len() as u64;
        }
        progress(total, total);
        Ok(report)
    }
}

/// The slice of a chunk an entry occupies, checked against the entry's hash.
fn extract(chunk: &[u8], entry: &Entry) -> Result<Vec<u8>, PackError> {
    // `Manifest::check` proved offset + size <= chunk size, and the chunk inflated to
    // exactly its size, so this range is in bounds; `get` keeps it panic-free regardless.
    let bytes = usize::try_from(entry.offset)
        .ok()
        .zip(usize::try_from(entry.size).ok())
        .and_then(|(start, len)| chunk.get(start..start.checked_add(len)?))
        .ok_or_else(|| PackError::EntryHashMismatch {
            path: entry.path.clone(),
        })?;
    if ContentHash::of(bytes) != entry.hash {
        return Err(PackError::EntryHashMismatch {
            path: entry.path.clone(),
        });
    }
    Ok(bytes.to_vec())
}

/// Inflates a zstd frame that must come to exactly `size` bytes (already bounded by limits).
fn inflate(stored: &[u8], size: u64) -> Result<Vec<u8>, String> {
    let capacity = usize::try_from(size).map_err(|_| "too large for this device".to_owned())?;
    let bytes = zstd::bulk::decompress(stored, capacity).map_err(|e| e.to_string())?;
    if bytes.len() != capacity {
        return Err(format!(
            "inflates to {} bytes, the manifest says {capacity}",
            bytes.len()
        ));
    }
    Ok(bytes)
}
