//! Format 2's manifest, stored as a tree so that an update fetches only what changed: a small
//! signed **root** names the **pages**, each page names up to [`PAGE_PARTS`] **parts**, and
//! each part lists one family of modules (a module and its translations, which share
//! chunks): the modules, their entries and the chunks those entries lie in. Pages and parts
//! are zstd JSON at the start of the chunk region, each named by the hash of its stored
//! bytes, so a hub serves them by hash like any chunk and a device keeps them like any chunk.
//!
//! No record holds a file offset: the region is laid out in the order the tree is read
//! (pages in root order, parts in page order, the dictionary, then each chunk where a part
//! first lists it), so a changed lesson changes its chunk, its part, its page and the root,
//! and nothing else. Entries carry no hash: a chunk's hash and an entry's place in it fix
//! the entry's bytes. Reading in file order, every item is proven by a hash already proven
//! before it, which is what lets a download be checked as it arrives.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::OnceLock;

use zstd::dict::DecoderDictionary;

use serde::{Deserialize, Serialize};

use super::check::max_stored;
use super::error::PackError;
use super::format::Limits;
use super::inflate::inflate;
use super::manifest::{bounded, Chunk, Codec, Entry, Manifest, ModuleEntry, PackInfo};
use crate::hash::ContentHash;

mod encode;

pub(super) use encode::encode;

/// Most modules a part holds when this code writes one, unless one family (a module and its
/// translations) has more: small enough that an update pays little for the part of a changed
/// lesson (about 2 KB), large enough that what each part repeats is paid by several modules.
pub const PART_MODULES: usize = 8;

/// Most parts a page names when this code writes one: a page then costs about 2 KB, what an
/// update pays for the page above a changed part.
pub const PAGE_PARTS: usize = 32;

/// What pages and parts are made of (their field names and the values they repeat), given
/// to zstd as a dictionary for every page, part and root: each is compressed on its own, and
/// this spares a one-module part from paying for those words itself. Part of the format:
/// changing a byte of it is a format change.
const PIECE_DICTIONARY: &[u8] = br#"{"parts":[{"hash":"","stored_size":,"size":},{"hash":"","stored_size":,"size":}]}{"pack":{"id":"","version":"1.0.0","variant":"full"},"dictionary":{"hash":"","stored_size":,"size":,"codec":"zstd"},"pages":[{"hash":"","stored_size":,"size":}]}"variant":"text""variant":"low"{"kind":"image","size":,"chunk":0,"offset":0,"media_type":"image/png","rendition":"full"}{"kind":"image","size":,"chunk":1,"offset":0,"media_type":"image/jpeg","rendition":"low","low_of":""}{"kind":"image","size":,"chunk":2,"offset":0,"media_type":"image/webp"}{"kind":"audio","size":,"chunk":3,"offset":0,"media_type":"audio/ogg","rendition":"full"}"media_type":"audio/mpeg""codec":"none"}{"modules":[{"id":"","version":"1.0.0","title":"","language":"en","minutes":15}],"chunks":[{"hash":"","stored_size":,"size":,"codec":"zstd-dict"},{"hash":"","stored_size":,"size":,"codec":"zstd"}],"entries":[{"path":"/lessons/01-.md","kind":"lesson","size":,"chunk":0,"offset":0},{"path":"/lessons/02-.md","kind":"lesson","size":,"chunk":0,"offset":},{"path":"/lessons/03-.md","kind":"lesson","size":,"chunk":0,"offset":},{"path":"/images/.png","kind":"image","size":,"chunk":1,"offset":0,"media_type":"image/png","rendition":"full"},{"path":"/module.json","kind":"module","size":,"chunk":0,"offset":}]}"#;

/// The prepared [`PIECE_DICTIONARY`], for inflating.
fn piece_dictionary() -> &'static DecoderDictionary<'static> {
    static PREPARED: OnceLock<DecoderDictionary<'static>> = OnceLock::new();
    PREPARED.get_or_init(|| DecoderDictionary::copy(PIECE_DICTIONARY))
}

/// Compresses a page, part or root with the [`PIECE_DICTIONARY`].
fn compress_piece(json: &[u8], level: i32) -> Result<Vec<u8>, PackError> {
    zstd::bulk::Compressor::with_dictionary(level, PIECE_DICTIONARY)
        .and_then(|mut c| c.compress(json))
        .map_err(PackError::Compress)
}

/// Inflates a page, part or root that must come to exactly `size` bytes.
pub(super) fn inflate_piece(stored: &[u8], size: u64) -> Result<Vec<u8>, String> {
    inflate(stored, size, Some(piece_dictionary()))
}

/// A stored item of the chunk region named by its hash; where it lies follows from the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct ItemRef {
    hash: ContentHash,
    stored_size: u64,
    size: u64,
}

/// A chunk as a part lists it: an [`ItemRef`] with its codec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct ChunkRef {
    hash: ContentHash,
    stored_size: u64,
    size: u64,
    codec: Codec,
}

/// The signed root.
#[derive(Debug, Serialize, Deserialize)]
struct Root {
    pack: PackInfo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dictionary: Option<ChunkRef>,
    #[serde(deserialize_with = "bounded::<_, _, { Limits::V1.max_pages }>")]
    pages: Vec<ItemRef>,
}

/// A page: the parts it names, in file order.
#[derive(Debug, Serialize, Deserialize)]
struct Page {
    #[serde(deserialize_with = "bounded::<_, _, { Limits::V1.max_parts_per_page }>")]
    parts: Vec<ItemRef>,
}

/// A part: one family of modules, its entries (whose `chunk` indexes this part's chunks)
/// and its chunks.
#[derive(Debug, Serialize, Deserialize)]
struct Part {
    #[serde(deserialize_with = "bounded::<_, _, { Limits::V1.max_modules }>")]
    modules: Vec<ModuleEntry>,
    #[serde(deserialize_with = "bounded::<_, _, { Limits::V1.max_chunks }>")]
    chunks: Vec<ChunkRef>,
    #[serde(deserialize_with = "bounded::<_, _, { Limits::V1.max_entries }>")]
    entries: Vec<Entry>,
}

impl ChunkRef {
    fn of(chunk: &Chunk) -> Self {
        Self {
            hash: chunk.hash,
            stored_size: chunk.stored_size,
            size: chunk.size,
            codec: chunk.codec,
        }
    }

    fn at(self, offset: u64) -> Chunk {
        Chunk {
            hash: self.hash,
            offset,
            stored_size: self.stored_size,
            size: self.size,
            codec: self.codec,
        }
    }
}

/// What kind of item the tree expects next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Page,
    Part,
}

/// A format 2 manifest being read item by item, in file order, from its proven root.
#[derive(Debug)]
pub(super) struct TreeReader {
    pack: PackInfo,
    dictionary: Option<ChunkRef>,
    limits: Limits,
    /// The chunk region's length, from the header.
    data_len: u64,
    /// Pages and parts still to read, in file order.
    pending: VecDeque<(Kind, ItemRef)>,
    /// Pages and parts proven so far, with their places.
    index: Vec<Chunk>,
    /// Where the next page or part starts in the chunk region.
    offset: u64,
    /// Where the last page or part queued ends.
    queued_end: u64,

    /// Bytes the pages and parts inflate to so far (bounded as one manifest is).
    inflated: u64,
    modules: Vec<ModuleEntry>,
    /// For each of `modules`, the position in `index` of the part that lists it.
    module_parts: Vec<u32>,
    entries: Vec<Entry>,
    /// Data chunks in region order, and where each hash sits in that list.
    chunks: Vec<ChunkRef>,
    by_hash: HashMap<ContentHash, u32>,
}

/// The place of one page or part in the chunk region, and the hash it must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Wanted {
    /// The hash of its stored bytes.
    pub hash: ContentHash,
    /// Where it starts in the chunk region.
    pub offset: u64,
    /// Its stored length.
    pub stored_size: u64,
}

fn invalid<T>(why: impl Into<String>) -> Result<T, PackError> {
    Err(PackError::InvalidManifest(why.into()))
}

impl TreeReader {
    /// Starts from the root's JSON (already inflated from bytes the signature covers).
    pub fn new(root_json: &[u8], data_len: u64, limits: &Limits) -> Result<Self, PackError> {
        let root: Root =
            serde_json::from_slice(root_json).map_err(|e| PackError::BadManifest(e.to_string()))?;
        if root.pages.len() > limits.max_pages {
            return Err(PackError::limit(
                "the number of pages",
                root.pages.len() as u64,
                limits.max_pages as u64,
            ));
        }
        if root.pages.is_empty() {
            return invalid("the pack holds no module");
        }
        let mut reader = Self {
            pack: root.pack,
            dictionary: root.dictionary,
            limits: *limits,
            data_len,
            pending: VecDeque::new(),
            index: Vec::new(),
            offset: 0,
            queued_end: 0,
            inflated: root_json.len() as u64,
            modules: Vec::new(),
            module_parts: Vec::new(),
            entries: Vec::new(),
            chunks: Vec::new(),
            by_hash: HashMap::new(),
        };
        if let Some(dictionary) = root.dictionary {
            reader.by_hash.insert(dictionary.hash, 0);
            reader.chunks.push(dictionary);
        }
        reader.expect(Kind::Page, &root.pages)?;
        Ok(reader)
    }

    /// The next page or part to read, if any are left.
    pub fn next(&self) -> Option<Wanted> {
        let (_, item) = self.pending.front()?;
        Some(Wanted {
            hash: item.hash,
            offset: self.offset,
            stored_size: item.stored_size,
        })
    }

    /// Takes the stored bytes of the next page or part: checks them against its hash,
    /// inflates and reads them, and learns the items they name. On an error nothing is
    /// taken: the same item is still the next one.
    pub fn take(&mut self, stored: &[u8]) -> Result<(), PackError> {
        let Some(&(kind, item)) = self.pending.front() else {
            return invalid("no page or part is left to read");
        };
        let position = self.index.len();
        if stored.len() as u64 != item.stored_size || ContentHash::of(stored) != item.hash {
            return Err(PackError::ChunkHashMismatch { index: position });
        }
        let json = inflate_piece(stored, item.size).map_err(|reason| PackError::BadChunk {
            index: position,
            reason,
        })?;
        let bad = |e: serde_json::Error| PackError::BadManifest(e.to_string());
        match kind {
            Kind::Page => {
                let page: Page = serde_json::from_slice(&json).map_err(bad)?;
                if page.parts.is_empty() {
                    return invalid(format!("page {position} names no part"));
                }
                self.expect(Kind::Part, &page.parts)?;
            }
            Kind::Part => {
                let part: Part = serde_json::from_slice(&json).map_err(bad)?;
                self.add_part(part, position)?;
            }
        }
        self.pending.pop_front();
        self.index.push(Chunk {
            hash: item.hash,
            offset: self.offset,
            stored_size: item.stored_size,
            size: item.size,
            codec: Codec::Zstd,
        });
        self.offset += item.stored_size;
        Ok(())
    }

    /// Once every page and part is read: the manifest, laid out and checked. Called once;
    /// the reader is spent after it.
    pub fn finish(&mut self) -> Result<Manifest, PackError> {
        if !self.pending.is_empty() {
            return invalid("pages or parts are missing");
        }
        let mut offset = self.offset;
        let chunks = self
            .chunks
            .iter()
            .map(|c| {
                let chunk = c.at(offset);
                offset = offset.saturating_add(c.stored_size);
                chunk
            })
            .collect();
        let mut listed: Vec<(ModuleEntry, u32)> = std::mem::take(&mut self.modules)
            .into_iter()
            .zip(std::mem::take(&mut self.module_parts))
            .collect();
        listed.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        let (modules, module_parts) = listed.into_iter().unzip();
        let mut entries = std::mem::take(&mut self.entries);
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        let manifest = Manifest {
            pack: self.pack.clone(),
            modules,
            entries,
            chunks,
            dictionary: self.dictionary.map(|_| 0),
            index: std::mem::take(&mut self.index),
            module_parts,
        };
        manifest.check(self.data_len, &self.limits)?;
        Ok(manifest)
    }

    /// Queues items after bounding them (all or none): nothing is allocated for an item
    /// before this, and every item queued lies inside the chunk region.
    fn expect(&mut self, kind: Kind, items: &[ItemRef]) -> Result<(), PackError> {
        let budget = u64::from(self.limits.max_manifest_len);
        let count = self.index.len() + self.pending.len() + items.len();
        if count > self.limits.max_pages + self.limits.max_modules {
            return invalid("the pack has more pages and parts than its modules allow");
        }
        let (mut inflated, mut end) = (self.inflated, self.queued_end);
        for item in items {
            inflated = inflated.saturating_add(item.size);
            if inflated > budget {
                return Err(PackError::limit("the manifest length", inflated, budget));
            }
            if item.stored_size > max_stored(item.size) {
                return Err(PackError::limit(
                    "a page or part's stored size",
                    item.stored_size,
                    max_stored(item.size),
                ));
            }
            end = end.saturating_add(item.stored_size);
            if end > self.data_len {
                return invalid("the pages and parts reach past the end of the pack");
            }
        }
        (self.inflated, self.queued_end) = (inflated, end);
        self.pending.extend(items.iter().map(|item| (kind, *item)));
        Ok(())
    }

    /// Adds a part's modules, entries and chunks (all or none).
    fn add_part(&mut self, part: Part, position: usize) -> Result<(), PackError> {
        if part.modules.is_empty() {
            return invalid(format!("part {position} holds no module"));
        }
        let over = |what, have: usize, more: usize, limit: usize| {
            let total = have.saturating_add(more);
            if total > limit {
                Err(PackError::limit(what, total as u64, limit as u64))
            } else {
                Ok(())
            }
        };
        let limits = self.limits;
        over(
            "the number of modules",
            self.modules.len(),
            part.modules.len(),
            limits.max_modules,
        )?;
        over(
            "the number of entries",
            self.entries.len(),
            part.entries.len(),
            limits.max_entries,
        )?;
        let mut fresh: Vec<ChunkRef> = Vec::new();
        let mut global = Vec::with_capacity(part.chunks.len());
        let mut listed = std::collections::HashSet::new();
        for chunk in &part.chunks {
            if !listed.insert(chunk.hash) {
                return invalid(format!("part {position} lists a chunk twice"));
            }
            match self.by_hash.get(&chunk.hash) {
                Some(&index) => {
                    if self.chunks[index as usize] != *chunk
                        || Some(index) == self.dictionary_index()
                    {
                        return invalid("a chunk is listed twice in different ways");
                    }
                    global.push(index);
                }
                None => {
                    global.push((self.chunks.len() + fresh.len()) as u32);
                    fresh.push(*chunk);
                }
            }
        }
        over(
            "the number of chunks",
            self.chunks.len(),
            fresh.len(),
            limits.max_chunks,
        )?;
        let mut entries = Vec::with_capacity(part.entries.len());
        for mut entry in part.entries {
            let module = entry.path.split('/').next().unwrap_or_default();
            if !part.modules.iter().any(|m| m.id == module) {
                return invalid(format!(
                    "the entry {} is listed by a part that does not hold its module",
                    entry.path
                ));
            }
            if entry.hash.is_some() {
                return invalid(format!(
                    "the entry {} carries a hash, which format 2 leaves out",
                    entry.path
                ));
            }
            let Some(&chunk) = global.get(entry.chunk as usize) else {
                return invalid(format!(
                    "the entry {} names a chunk that does not exist",
                    entry.path
                ));
            };
            entry.chunk = chunk;
            entries.push(entry);
        }
        for chunk in fresh {
            self.by_hash.insert(chunk.hash, self.chunks.len() as u32);
            self.chunks.push(chunk);
        }
        self.entries.extend(entries);
        self.module_parts
            .extend(std::iter::repeat_n(position as u32, part.modules.len()));
        self.modules.extend(part.modules);
        Ok(())
    }

    fn dictionary_index(&self) -> Option<u32> {
        self.dictionary.map(|_| 0)
    }
}

/// What one part lists, read back from its stored bytes (which the caller has checked
/// against the part's hash): the modules, their entries (whose `chunk` indexes `chunks`)
/// and the chunks they lie in (whose `offset` means nothing here). What a device store reads
/// to find a module's files, keeping no index of its own beside the part.
#[derive(Debug, Clone, PartialEq)]
pub struct PartContents {
    /// The modules the part holds.
    pub modules: Vec<ModuleEntry>,
    /// Their entries, as the part lists them.
    pub entries: Vec<Entry>,
    /// The chunks the entries lie in.
    pub chunks: Vec<Chunk>,
}

/// Reads a part's stored bytes, which inflate to `size` bytes (at most a manifest's limit).
pub fn read_part(stored: &[u8], size: u64) -> Result<PartContents, PackError> {
    let limit = u64::from(Limits::V1.max_manifest_len);
    if size > limit {
        return Err(PackError::limit("the manifest length", size, limit));
    }
    let json = inflate_piece(stored, size).map_err(PackError::BadManifest)?;
    let part: Part =
        serde_json::from_slice(&json).map_err(|e| PackError::BadManifest(e.to_string()))?;
    Ok(PartContents {
        modules: part.modules,
        entries: part.entries,
        chunks: part.chunks.into_iter().map(|c| c.at(0)).collect(),
    })
}

/// Groups families (in order) into parts of up to [`PART_MODULES`] modules; a family is
/// never split, so a module and its translations, which share chunks, share a part.
pub(super) fn parts_of(families: Vec<Vec<String>>) -> Vec<Vec<String>> {
    let mut parts = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for family in families {
        if !current.is_empty() && current.len() + family.len() > PART_MODULES {
            parts.push(std::mem::take(&mut current));
        }
        current.extend(family);
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// The families of modules a builder's entries form: modules whose text shares a cluster
/// key (a module and its translations) go in one part; every other module is alone.
pub(super) fn families<'a>(
    modules: impl Iterator<Item = &'a str>,
    clusters: impl Iterator<Item = (&'a str, &'a str)>,
) -> Vec<Vec<String>> {
    let mut family: BTreeMap<&str, &str> = modules.map(|m| (m, m)).collect();
    fn root<'a>(family: &BTreeMap<&'a str, &'a str>, mut id: &'a str) -> &'a str {
        while let Some(&up) = family.get(id) {
            if up == id {
                break;
            }
            id = up;
        }
        id
    }
    let mut first_of_key: HashMap<&str, &str> = HashMap::new();
    for (module, key) in clusters {
        if !family.contains_key(module) {
            continue;
        }
        let other = *first_of_key.entry(key).or_insert(module);
        let (a, b) = (root(&family, module), root(&family, other));
        if a != b {
            let (low, high) = if a < b { (a, b) } else { (b, a) };
            family.insert(high, low);
        }
    }
    let mut grouped: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for &id in family.keys() {
        grouped
            .entry(root(&family, id))
            .or_default()
            .push(id.to_owned());
    }
    grouped.into_values().collect()
}

#[cfg(test)]
mod tests;
