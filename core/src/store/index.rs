//! Where one installed module's files live: its entries (path, offset and size in a chunk)
//! and the chunks they sit in, with the pack's dictionary when its text needs one. The store
//! keeps one small compressed index per module, so reading a lesson looks at its own module's
//! index only, whatever the size of the pack or the catalogue; together they take about what
//! the pack's compressed manifest does.
//!
//! An entry carries no hash of its own: a chunk is checked against its hash on every read
//! and inflating it is deterministic, so the entry's bytes are fixed by the chunk, the
//! offset and the size, all written at install from a manifest whose every entry was
//! verified.

use serde::{Deserialize, Serialize};

use super::error::StoreError;
use crate::hash::ContentHash;
use crate::pack::{Chunk, Codec, Manifest, Rendition};

/// Largest index, inflated: a module has at most a few thousand entries.
const MAX_INDEX_LEN: usize = 4 << 20;

/// The index of one installed module.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct ModuleIndex {
    /// The chunks its entries live in.
    chunks: Vec<IndexedChunk>,
    /// Its entries, sorted by path (inside the module's folder).
    entries: Vec<IndexedEntry>,
    /// The chunk holding the dictionary its `zstd-dict` chunks need.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dictionary: Option<IndexedChunk>,
}

/// A chunk as the index names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct IndexedChunk {
    hash: ContentHash,
    codec: Codec,
    size: u64,
}

/// An entry as the index names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct IndexedEntry {
    path: String,
    /// Index into [`ModuleIndex::chunks`].
    chunk: u32,
    offset: u64,
    size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    low_of: Option<String>,
}

/// Where an entry's bytes are: the chunk to read and open, and the slice of it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Located {
    /// The chunk (its `offset` is meaningless in the store).
    pub chunk: Chunk,
    /// Where the entry starts in the inflated chunk.
    pub offset: u64,
    /// Its size.
    pub size: u64,
    /// The dictionary chunk, when the chunk needs one.
    pub dictionary: Option<Chunk>,
}

impl ModuleIndex {
    /// The index of the module `module_id` in a verified pack's manifest.
    pub fn of(manifest: &Manifest, module_id: &str) -> Result<Self, StoreError> {
        let prefix = format!("{module_id}/");
        let mut chunks: Vec<IndexedChunk> = Vec::new();
        let mut entries = Vec::new();
        for entry in manifest
            .entries
            .iter()
            .filter(|e| e.path.starts_with(&prefix))
        {
            let chunk = manifest
                .chunks
                .get(entry.chunk as usize)
                .ok_or_else(|| StoreError::Damaged(format!("{} has no chunk", entry.path)))?;
            let index = match chunks.iter().position(|c| c.hash == chunk.hash) {
                Some(i) => i,
                None => {
                    chunks.push(IndexedChunk::from(chunk));
                    chunks.len() - 1
                }
            };
            entries.push(IndexedEntry {
                path: entry.path[prefix.len()..].to_owned(),
                chunk: index as u32,
                offset: entry.offset,
                size: entry.size,
                media_type: entry.media_type.clone(),
                low_of: entry.low_of.as_deref().map(|l| in_module(l).to_owned()),
            });
        }
        let needs_dictionary = chunks.iter().any(|c| c.codec == Codec::ZstdDict);
        let dictionary = match manifest.dictionary {
            Some(d) if needs_dictionary => manifest.chunks.get(d as usize).map(IndexedChunk::from),
            _ => None,
        };
        Ok(Self {
            chunks,
            entries,
            dictionary,
        })
    }

    /// The index compressed, as the store keeps it.
    pub fn encode(&self) -> Result<Vec<u8>, StoreError> {
        let json =
            serde_json::to_vec(self).map_err(|e| StoreError::Damaged(format!("an index: {e}")))?;
        Ok(zstd::bulk::compress(&json, 19)?)
    }

    /// An index as the store keeps it, bounded before it is inflated.
    pub fn decode(stored: &[u8]) -> Result<Self, StoreError> {
        let damaged = |e: String| StoreError::Damaged(format!("a module's index: {e}"));
        // The frame states its size (`encode` writes it): check it before allocating.
        let len = match zstd::zstd_safe::get_frame_content_size(stored) {
            Ok(Some(len)) if len <= MAX_INDEX_LEN as u64 => len as usize,
            _ => return Err(damaged("no size, or too large".into())),
        };
        let json = zstd::bulk::Decompressor::new()
            .and_then(|mut d| d.decompress(stored, len))
            .map_err(|e| damaged(e.to_string()))?;
        serde_json::from_slice(&json).map_err(|e| damaged(e.to_string()))
    }

    /// Where the entry at `path` (`<module-id>/…`) is, if the module has one.
    pub fn locate(&self, path: &str) -> Option<Located> {
        let path = in_module(path);
        let entry = self
            .entries
            .binary_search_by(|e| e.path.as_str().cmp(path))
            .ok()
            .and_then(|i| self.entries.get(i))?;
        let chunk = self.chunks.get(entry.chunk as usize)?;
        Some(Located {
            chunk: chunk.to_chunk(),
            offset: entry.offset,
            size: entry.size,
            dictionary: match chunk.codec {
                Codec::ZstdDict => self.dictionary.as_ref().map(IndexedChunk::to_chunk),
                _ => None,
            },
        })
    }

    /// Of the media file at `full_path`, the rendition to show (the one wanted when the
    /// module has it, else the other) and its media type; `None` when the pack carries
    /// neither (a text-only variant).
    pub fn choose_rendition(
        &self,
        full_path: &str,
        wanted: Rendition,
    ) -> Option<(String, Option<&str>)> {
        let module_dir = &full_path[..full_path.len() - in_module(full_path).len()];
        let full = self.entries.iter().find(|e| e.path == in_module(full_path));
        let low = self
            .entries
            .iter()
            .find(|e| e.low_of.as_deref() == Some(in_module(full_path)));
        let chosen = match wanted {
            Rendition::Low => low.or(full),
            Rendition::Full => full.or(low),
        }?;
        Some((
            format!("{module_dir}{}", chosen.path),
            chosen.media_type.as_deref(),
        ))
    }
}

/// A pack path without its module's folder (`<module-id>/`).
fn in_module(path: &str) -> &str {
    path.split_once('/').map_or(path, |(_, rest)| rest)
}

impl From<&Chunk> for IndexedChunk {
    fn from(chunk: &Chunk) -> Self {
        Self {
            hash: chunk.hash,
            codec: chunk.codec,
            size: chunk.size,
        }
    }
}

impl IndexedChunk {
    fn to_chunk(&self) -> Chunk {
        Chunk {
            hash: self.hash,
            offset: 0,
            stored_size: 0,
            size: self.size,
            codec: self.codec,
        }
    }
}
