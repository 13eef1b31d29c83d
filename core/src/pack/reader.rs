//! Opens and verifies packs from any `Read + Seek` source. Order matters: bounds first
//! (nothing is allocated from an unchecked length), then the publisher's signature over the
//! header and stored manifest (nothing unauthenticated is inflated), then the manifest's
//! structure (no offset is trusted before it is checked). Chunks are checked against their
//! stored hash before they are inflated, and entries against their own hash after.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use super::error::PackError;
use super::format::{signed_message, Header, Limits, FORMAT_MAJOR_V1, HEADER_LEN};
use super::inflate::inflate;
use super::manifest::{module_json_path, Chunk, Codec, Entry, Manifest};
use super::tree::{inflate_piece, TreeReader};
use crate::hash::ContentHash;
use crate::module::Module;
use zstd::dict::DecoderDictionary;

use crate::keys::PublicKey;
use crate::progress::{NoProgress, Progress};

/// Where one chunk's stored bytes lie in the pack file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkRange {
    /// The hash of the stored bytes (what names the chunk).
    pub hash: ContentHash,
    /// Offset from the start of the file.
    pub offset: u64,
    /// Length in bytes.
    pub len: u64,
}

/// An opened pack whose header, signature and manifest have been checked.
pub struct PackReader<R> {
    source: R,
    header: Header,
    manifest: Manifest,
    publisher: PublicKey,
    data_start: u64,
    /// For each chunk, the indexes of the entries inside it.
    entries_by_chunk: Vec<Vec<usize>>,
    /// The pack's dictionary, prepared once on first use.
    dictionary: Option<DecoderDictionary<'static>>,
    /// SHA-256 of the header and stored manifest: names this exact pack.
    pack_hash: ContentHash,
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

impl<R> std::fmt::Debug for PackReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PackReader")
            .field("pack", &self.manifest.pack)
            .field("publisher", &self.publisher)
            .finish_non_exhaustive()
    }
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
        let data_start = HEADER_LEN as u64 + u64::from(header.manifest_stored_len);
        let (head, publisher) = open_signed_head(&raw_header, &header, &stored_manifest, limits)?;
        let manifest = match head {
            SignedHead::Whole(manifest) => manifest,
            SignedHead::Tree(mut tree) => {
                while let Some(item) = tree.next() {
                    // The tree bounded the item's size and place before naming it.
                    let mut stored = vec![0u8; item.stored_size as usize];
                    source.seek(SeekFrom::Start(data_start + item.offset))?;
                    source.read_exact(&mut stored)?;
                    tree.take(&stored)?;
                }
                tree.finish()?
            }
        };
        let mut entries_by_chunk = vec![Vec::new(); manifest.chunks.len()];
        for (i, entry) in manifest.entries.iter().enumerate() {
            entries_by_chunk[entry.chunk as usize].push(i);
        }
        Ok(Self {
            source,
            data_start,
            header,
            manifest,
            publisher,
            entries_by_chunk,
            dictionary: None,
            pack_hash: ContentHash::of(&[raw_header.as_slice(), &stored_manifest].concat()),
        })
    }

    /// The checked manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// SHA-256 of the header and stored manifest. The signature covers these bytes and they
    /// hold every chunk's hash, so this names the exact pack, every byte of it.
    pub fn pack_hash(&self) -> ContentHash {
        self.pack_hash
    }

    /// Where each chunk lies in the pack file (format 2's pages and parts first), in file
    /// order: what a server needs to serve one chunk by hash straight out of the file.
    pub fn chunk_ranges(&self) -> Vec<ChunkRange> {
        self.manifest
            .index
            .iter()
            .chain(&self.manifest.chunks)
            .map(|c| ChunkRange {
                hash: c.hash,
                offset: self.data_start + c.offset,
                len: c.stored_size,
            })
            .collect()
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
        let chunk = self
            .manifest
            .chunks
            .get(index)
            .ok_or(PackError::NoSuchChunk(index))?;
        let range = ChunkRange {
            hash: chunk.hash,
            offset: self.data_start + chunk.offset,
            len: chunk.stored_size,
        };
        self.read_stored(&range).map_err(|e| match e {
            PackError::ChunkHashMismatch { .. } => PackError::ChunkHashMismatch { index },
            other => other,
        })
    }

    /// The stored bytes of one of this pack's [`chunk_ranges`](Self::chunk_ranges) (a chunk,
    /// or a page or part of a format 2 manifest), checked against its hash.
    pub fn read_stored(&mut self, range: &ChunkRange) -> Result<Vec<u8>, PackError> {
        // `Manifest::check` bounded every stored size by the limits; try_from keeps 32-bit
        // phones from truncating one.
        let len = usize::try_from(range.len)
            .map_err(|_| PackError::limit("a chunk's stored size", range.len, usize::MAX as u64))?;
        let mut stored = vec![0u8; len];
        self.source.seek(SeekFrom::Start(range.offset))?;
        self.source.read_exact(&mut stored)?;
        if ContentHash::of(&stored) != range.hash {
            return Err(PackError::ChunkHashMismatch { index: 0 });
        }
        Ok(stored)
    }

    /// A chunk's bytes, checked and inflated.
    pub fn read_chunk(&mut self, index: usize) -> Result<Vec<u8>, PackError> {
        let stored = self.read_stored_chunk(index)?;
        let chunk = self
            .manifest
            .chunks
            .get(index)
            .ok_or(PackError::NoSuchChunk(index))?;
        let size = chunk.size;
        let inflated = match chunk.codec {
            Codec::None => return Ok(stored),
            Codec::Zstd => inflate(&stored, size, None),
            Codec::ZstdDict => {
                let dictionary = self.dictionary()?;
                inflate(&stored, size, Some(dictionary))
            }
        };
        inflated.map_err(|reason| PackError::BadChunk { index, reason })
    }

    /// The prepared dictionary, read and checked on first use.
    fn dictionary(&mut self) -> Result<&DecoderDictionary<'static>, PackError> {
        if self.dictionary.is_none() {
            let index = self.manifest.dictionary.ok_or_else(|| {
                PackError::InvalidManifest(
                    "a chunk needs the dictionary but the pack has none".into(),
                )
            })?;
            let bytes = self.read_chunk(index as usize)?;
            self.dictionary = Some(DecoderDictionary::copy(&bytes));
        }
        self.dictionary
            .as_ref()
            .ok_or_else(|| PackError::InvalidManifest("the dictionary is missing".into()))
    }

    /// The raw dictionary bytes, if the pack has one (a new version can reuse them).
    pub fn dictionary_bytes(&mut self) -> Result<Option<Vec<u8>>, PackError> {
        match self.manifest.dictionary {
            Some(index) => self.read_chunk(index as usize).map(Some),
            None => Ok(None),
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
        let chunk_info = &self.manifest.chunks[entry.chunk as usize];
        if is_whole_stored_chunk(chunk_info, &entry) {
            return checked_whole(chunk_info, &entry).map(|()| chunk);
        }
        entry_bytes(&chunk, &entry).map(<[u8]>::to_vec)
    }

    /// Reads every chunk and checks every hash; progress counts chunks, and a cancellation
    /// stops it between chunks with [`PackError::Cancelled`].
    pub fn verify(&mut self, progress: &dyn Progress) -> Result<VerifyReport, PackError> {
        self.verify_visiting(progress, &mut |_, _| Ok(()))
    }

    /// [`verify`](Self::verify), handing each entry's bytes to `visit` once they are checked,
    /// so a caller that needs some of them does not inflate their chunks a second time.
    pub fn verify_visiting(
        &mut self,
        progress: &dyn Progress,
        visit: &mut EntryVisitor<'_>,
    ) -> Result<VerifyReport, PackError> {
        let total = self.manifest.chunks.len();
        let mut report = VerifyReport {
            chunks: 0,
            entries: 0,
            stored_bytes: 0,
            content_bytes: 0,
        };
        for index in 0..total {
            progress.on_progress(index as u64, total as u64);
            if progress.is_cancelled() {
                return Err(PackError::Cancelled);
            }
            let bytes = self.read_chunk(index)?;
            let chunk = &self.manifest.chunks[index];
            for &e in &self.entries_by_chunk[index] {
                let entry = &self.manifest.entries[e];
                let checked = if is_whole_stored_chunk(chunk, entry) {
                    checked_whole(chunk, entry)?;
                    bytes.as_slice()
                } else {
                    entry_bytes(&bytes, entry)?
                };
                visit(entry, checked)?;
                report.entries += 1;
            }
            report.chunks += 1;
            report.stored_bytes += self.manifest.chunks[index].stored_size;
            report.content_bytes += bytes.len() as u64;
        }
        progress.on_progress(total as u64, total as u64);
        Ok(report)
    }
}

impl<R: Read + Seek> PackReader<R> {
    /// Everything `skillpack verify` promises: every chunk and entry checked, and every
    /// module's `module.json` read back as the module the manifest lists.
    pub fn verify_contents(&mut self) -> Result<VerifyReport, PackError> {
        self.verify_with_modules().map(|(report, _)| report)
    }

    /// [`verify_contents`](Self::verify_contents), also giving each module's id and
    /// `module.json` bytes, taken as they were checked (every chunk is inflated once).
    pub fn verify_with_modules(&mut self) -> Result<(VerifyReport, Vec<ModuleJson>), PackError> {
        let wanted: BTreeMap<String, String> = self
            .manifest
            .modules
            .iter()
            .map(|m| (module_json_path(&m.id), m.id.clone()))
            .collect();
        let mut found: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        let report = self.verify_visiting(&NoProgress, &mut |entry, bytes| {
            let Some(id) = wanted.get(&entry.path) else {
                return Ok(());
            };
            let path = &entry.path;
            let module: Module = serde_json::from_slice(bytes)
                .map_err(|e| PackError::InvalidManifest(format!("{path} is not a module: {e}")))?;
            if module.id != *id {
                return Err(PackError::InvalidManifest(format!(
                    "{path} holds module {}",
                    module.id
                )));
            }
            found.insert(id.clone(), bytes.to_vec());
            Ok(())
        })?;
        let mut modules = Vec::with_capacity(wanted.len());
        for module in &self.manifest.modules {
            let json = found.remove(&module.id).ok_or_else(|| {
                PackError::InvalidManifest(format!("{} is missing", module_json_path(&module.id)))
            })?;
            modules.push((module.id.clone(), json));
        }
        Ok((report, modules))
    }
}

/// What [`PackReader::verify_visiting`] hands each checked entry's bytes to.
pub type EntryVisitor<'a> = dyn FnMut(&Entry, &[u8]) -> Result<(), PackError> + 'a;

/// A module's id and its `module.json` bytes.
pub type ModuleJson = (String, Vec<u8>);

/// Checks a chunk's stored bytes against its hash and inflates them, with the pack's
/// dictionary when the chunk needs it: what a device does with the chunks it keeps.
pub fn open_chunk(
    chunk: &Chunk,
    stored: Vec<u8>,
    dictionary: Option<&DecoderDictionary<'static>>,
) -> Result<Vec<u8>, PackError> {
    let corrupt = |reason: String| PackError::BadChunk { index: 0, reason };
    if ContentHash::of(&stored) != chunk.hash {
        return Err(corrupt("its hash does not match".into()));
    }
    match (chunk.codec, dictionary) {
        (Codec::None, _) => Ok(stored),
        (Codec::Zstd, _) => inflate(&stored, chunk.size, None).map_err(corrupt),
        (Codec::ZstdDict, Some(d)) => inflate(&stored, chunk.size, Some(d)).map_err(corrupt),
        (Codec::ZstdDict, None) => Err(corrupt("it needs the pack's dictionary".into())),
    }
}

/// The bytes of `entry` inside its opened chunk, checked against the entry's hash.
pub fn entry_in_chunk<'a>(
    chunk: &Chunk,
    bytes: &'a [u8],
    entry: &Entry,
) -> Result<&'a [u8], PackError> {
    if is_whole_stored_chunk(chunk, entry) {
        return checked_whole(chunk, entry).map(|()| bytes);
    }
    entry_bytes(bytes, entry)
}

/// True when an entry is all of a chunk stored as is: its bytes are the stored bytes,
/// whose hash was just checked, so hashing them again would only cost time.
fn is_whole_stored_chunk(chunk: &Chunk, entry: &Entry) -> bool {
    chunk.codec == Codec::None && entry.offset == 0 && entry.size == chunk.size
}

/// For such an entry, a format 1 manifest must give it the chunk's hash.
fn checked_whole(chunk: &Chunk, entry: &Entry) -> Result<(), PackError> {
    if entry.hash.is_none_or(|hash| hash == chunk.hash) {
        Ok(())
    } else {
        Err(PackError::EntryHashMismatch {
            path: entry.path.clone(),
        })
    }
}

/// The slice of a chunk an entry occupies, checked against the entry's hash where the
/// manifest gives one (format 1; in format 2 the chunk's hash already fixed these bytes).
fn entry_bytes<'a>(chunk: &'a [u8], entry: &Entry) -> Result<&'a [u8], PackError> {
    // `Manifest::check` proved offset + size <= chunk size, and the chunk inflated to
    // exactly its size, so this range is in bounds; `get` keeps it panic-free regardless.
    let bytes = usize::try_from(entry.offset)
        .ok()
        .zip(usize::try_from(entry.size).ok())
        .and_then(|(start, len)| chunk.get(start..start.checked_add(len)?))
        .ok_or_else(|| PackError::EntryHashMismatch {
            path: entry.path.clone(),
        })?;
    if entry
        .hash
        .is_some_and(|hash| ContentHash::of(bytes) != hash)
    {
        return Err(PackError::EntryHashMismatch {
            path: entry.path.clone(),
        });
    }
    Ok(bytes)
}

/// A signed head, checked: format 1's whole manifest, or format 2's root, from which the
/// pages and parts are read next.
pub(super) enum SignedHead {
    /// Format 1: the manifest, checked.
    Whole(Manifest),
    /// Format 2: the root, waiting for its pages and parts.
    Tree(Box<TreeReader>),
}

/// Checks the publisher's signature over a header and its stored head, then inflates and
/// checks the head: what both the reader and a download's check ([`super::PackStream`])
/// need before trusting a single offset.
pub(super) fn open_signed_head(
    raw_header: &[u8; HEADER_LEN],
    header: &Header,
    stored_manifest: &[u8],
    limits: &Limits,
) -> Result<(SignedHead, PublicKey), PackError> {
    let publisher =
        PublicKey::from_bytes(&header.publisher).map_err(|_| PackError::BadPublisherKey)?;
    publisher
        .verify(
            &signed_message(raw_header, stored_manifest),
            &header.signature,
        )
        .map_err(|_| PackError::BadSignature)?;
    if header.major != FORMAT_MAJOR_V1 {
        let json = inflate_piece(stored_manifest, header.manifest_len as u64)
            .map_err(PackError::BadManifest)?;
        let tree = TreeReader::new(&json, header.data_len, limits)?;
        return Ok((SignedHead::Tree(Box::new(tree)), publisher));
    }
    let json = inflate(stored_manifest, header.manifest_len as u64, None)
        .map_err(PackError::BadManifest)?;
    let manifest: Manifest =
        serde_json::from_slice(&json).map_err(|e| PackError::BadManifest(e.to_string()))?;
    if let Some(entry) = manifest.entries.iter().find(|e| e.hash.is_none()) {
        return Err(PackError::InvalidManifest(format!(
            "the entry {} has no hash, which format 1 needs",
            entry.path
        )));
    }
    manifest.check(header.data_len, limits)?;
    Ok((SignedHead::Whole(manifest), publisher))
}
