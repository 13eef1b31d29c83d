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

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::error::StoreError;
use crate::hash::ContentHash;
use crate::pack::{Chunk, Codec, Entry, Limits, Manifest, ModuleEntry, PartContents, Rendition};

/// Largest index, inflated: as large as a whole pack's manifest may be, so any module a
/// pack may hold has an index the store can read back.
const MAX_INDEX_LEN: usize = Limits::V1.max_manifest_len as usize;

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

/// How the store names a part of a format 2 pack (or a pack's dictionary chunk): the
/// SHA-256 of its stored bytes, then its inflated size (u64 LE).
pub(super) fn locator(hash: &ContentHash, size: u64) -> Vec<u8> {
    [hash.0.as_slice(), &size.to_le_bytes()].concat()
}

/// Reads back a [`locator`].
pub(super) fn read_locator(bytes: &[u8]) -> Result<(ContentHash, u64), StoreError> {
    let damaged = || StoreError::Damaged("a part or dictionary locator".into());
    let hash: [u8; 32] = bytes
        .get(..32)
        .and_then(|h| h.try_into().ok())
        .ok_or_else(damaged)?;
    let size: [u8; 8] = bytes
        .get(32..)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(damaged)?;
    Ok((ContentHash(hash), u64::from_le_bytes(size)))
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
    /// The index of every module of a verified pack's manifest, by module id, in one pass
    /// over its entries (an entry's path starts with its module's folder).
    pub fn all_of(manifest: &Manifest) -> Result<BTreeMap<String, Self>, StoreError> {
        let dictionary = manifest
            .dictionary
            .and_then(|d| manifest.chunks.get(d as usize));
        Self::of_listing(
            &manifest.modules,
            &manifest.entries,
            &manifest.chunks,
            dictionary,
        )
    }

    /// The index of `module` from the part of a format 2 pack that lists it, with the
    /// pack's dictionary chunk: how the store finds the files of such a module without an
    /// index of its own. Checked as [`decode`](Self::decode) checks what it reads back.
    pub fn of_part(
        part: &PartContents,
        dictionary: Option<&Chunk>,
        module: &str,
    ) -> Result<Self, StoreError> {
        let damaged = |e: String| StoreError::Damaged(format!("the part of {module}: {e}"));
        let mut all = Self::of_listing(&part.modules, &part.entries, &part.chunks, dictionary)?;
        let index = all
            .remove(module)
            .ok_or_else(|| damaged("it does not list the module".into()))?;
        index.check().map_err(damaged)?;
        Ok(index)
    }

    /// The indexes of `modules` from a listing of entries (whose `chunk` indexes `chunks`),
    /// in one pass over the entries (an entry's path starts with its module's folder).
    fn of_listing(
        modules: &[ModuleEntry],
        entries: &[Entry],
        chunks: &[Chunk],
        dictionary: Option<&Chunk>,
    ) -> Result<BTreeMap<String, Self>, StoreError> {
        let mut building: BTreeMap<&str, (Self, HashMap<ContentHash, u32>)> = modules
            .iter()
            .map(|m| {
                let empty = Self {
                    chunks: Vec::new(),
                    entries: Vec::new(),
                    dictionary: None,
                };
                (m.id.as_str(), (empty, HashMap::new()))
            })
            .collect();
        for entry in entries {
            let module = entry.path.split_once('/').map_or("", |(m, _)| m);
            let Some((index, positions)) = building.get_mut(module) else {
                return Err(StoreError::Damaged(format!(
                    "{} is in no module of the pack",
                    entry.path
                )));
            };
            let chunk = chunks
                .get(entry.chunk as usize)
                .ok_or_else(|| StoreError::Damaged(format!("{} has no chunk", entry.path)))?;
            let position = *positions.entry(chunk.hash).or_insert_with(|| {
                index.chunks.push(IndexedChunk::from(chunk));
                (index.chunks.len() - 1) as u32
            });
            index.entries.push(IndexedEntry {
                path: in_module(&entry.path).to_owned(),
                chunk: position,
                offset: entry.offset,
                size: entry.size,
                media_type: entry.media_type.clone(),
                low_of: entry.low_of.as_deref().map(|l| in_module(l).to_owned()),
            });
        }
        let dictionary = dictionary.map(IndexedChunk::from);
        Ok(building
            .into_iter()
            .map(|(id, (mut index, _))| {
                if index.chunks.iter().any(|c| c.codec == Codec::ZstdDict) {
                    index.dictionary = dictionary.clone();
                }
                (id.to_owned(), index)
            })
            .collect())
    }

    /// The index compressed, as the store keeps it.
    pub fn encode(&self) -> Result<Vec<u8>, StoreError> {
        let json =
            serde_json::to_vec(self).map_err(|e| StoreError::Damaged(format!("an index: {e}")))?;
        if json.len() > MAX_INDEX_LEN {
            return Err(StoreError::Damaged(format!(
                "a module lists more files than a device keeps an index of ({} bytes, at most \
                 {MAX_INDEX_LEN})",
                json.len()
            )));
        }
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
        let index: Self = serde_json::from_slice(&json).map_err(|e| damaged(e.to_string()))?;
        index.check().map_err(damaged)?;
        Ok(index)
    }

    /// The rules `of` guarantees, checked again on what the store file gives back (a file
    /// can be edited): sizes within the format's limits, every entry inside its chunk, a
    /// dictionary for chunks that need one.
    fn check(&self) -> Result<(), String> {
        let limit = Limits::V1.max_chunk_len;
        let all = self.chunks.iter().chain(self.dictionary.iter());
        if all.clone().any(|c| c.size > limit) {
            return Err(format!("a chunk over {limit} bytes"));
        }
        if self.dictionary.is_none() && self.chunks.iter().any(|c| c.codec == Codec::ZstdDict) {
            return Err("a chunk needs a dictionary the index does not name".into());
        }
        for entry in &self.entries {
            let chunk = self
                .chunks
                .get(entry.chunk as usize)
                .ok_or_else(|| format!("{} names no chunk", entry.path))?;
            if entry
                .offset
                .checked_add(entry.size)
                .is_none_or(|end| end > chunk.size)
            {
                return Err(format!("{} lies outside its chunk", entry.path));
            }
        }
        if !self.entries.windows(2).all(|w| w[0].path < w[1].path) {
            return Err("entries out of order".into());
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::PackReader;

    fn sample() -> BTreeMap<String, ModuleIndex> {
        let bytes = crate::testing::sample_pack();
        let reader = PackReader::open(std::io::Cursor::new(&bytes)).expect("opens");
        ModuleIndex::all_of(reader.manifest()).expect("indexes")
    }

    #[test]
    fn an_index_reads_back_as_written_and_finds_every_entry() {
        for (id, index) in sample() {
            let back = ModuleIndex::decode(&index.encode().expect("encodes")).expect("decodes");
            assert_eq!(back, index);
            for entry in &index.entries {
                let found = back.locate(&format!("{id}/{}", entry.path)).expect("found");
                assert_eq!((found.offset, found.size), (entry.offset, entry.size));
            }
            assert!(back.locate(&format!("{id}/nothing.md")).is_none());
        }
    }

    #[test]
    fn an_edited_index_is_refused_before_anything_is_read() {
        let index = sample().into_values().next().expect("a module");
        let mut outside = index.clone();
        outside.entries[0].size = u64::MAX;
        let mut huge = index.clone();
        huge.chunks[0].size = u64::MAX;
        let mut unordered = index.clone();
        unordered.entries.reverse();
        for (what, edited) in [
            ("outside", outside),
            ("huge", huge),
            ("unordered", unordered),
        ] {
            let stored = zstd::bulk::compress(&serde_json::to_vec(&edited).expect("json"), 3)
                .expect("compress");
            assert!(ModuleIndex::decode(&stored).is_err(), "{what}");
        }
        let json = serde_json::to_vec(&index).expect("json");
        let mut no_size = Vec::new();
        let mut encoder = zstd::stream::write::Encoder::new(&mut no_size, 3).expect("encoder");
        encoder.include_contentsize(false).expect("no size");
        std::io::Write::write_all(&mut encoder, &json).expect("write");
        encoder.finish().expect("finish");
        assert!(
            ModuleIndex::decode(&no_size).is_err(),
            "a frame that does not say its size"
        );
    }
}
