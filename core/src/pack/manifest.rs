//! The manifest: the signed table of contents of a pack. It names the pack and its
//! modules, lists every entry (path, size, hash, where it lives) and every chunk (where it
//! sits in the file, its stored hash and sizes). [`Manifest::check`] holds every structural
//! rule a reader enforces before trusting an offset.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::error::PackError;
use super::format::Limits;
use super::hash::ContentHash;
use super::path::path_problem;
use crate::module::MediaKind;

/// The table of contents of a pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// What the pack is.
    pub pack: PackInfo,
    /// The modules it holds.
    pub modules: Vec<ModuleEntry>,
    /// Every file in the pack, sorted by path.
    pub entries: Vec<Entry>,
    /// Every chunk, in file order.
    pub chunks: Vec<Chunk>,
    /// The chunk holding the zstd dictionary that `zstd-dict` chunks need, if any. It is
    /// trained on the pack's own text; small packs go without (it would cost more than it saves).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dictionary: Option<u32>,
}

/// The pack's identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackInfo {
    /// Stable identifier (lowercase letters, digits, hyphens); a new version keeps it.
    pub id: String,
    /// `MAJOR.MINOR.PATCH`.
    pub version: String,
    /// Which media the pack carries.
    pub variant: Variant,
}

/// Which media a pack carries, so a download fits a data budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    /// Full media, plus low-data variants where the trainer made them.
    #[default]
    Full,
    /// Low-data variants only (the full file where no low variant exists).
    Low,
    /// No media at all: text and questions only.
    Text,
}

impl std::str::FromStr for Variant {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "full" => Ok(Self::Full),
            "low" => Ok(Self::Low),
            "text" => Ok(Self::Text),
            other => Err(format!(
                "unknown variant \"{other}\" (use full, low or text)"
            )),
        }
    }
}

impl std::fmt::Display for Variant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Full => "full",
            Self::Low => "low",
            Self::Text => "text",
        })
    }
}

/// A module in the pack: enough to list it without opening its `module.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleEntry {
    /// The module id; its entries live under `<id>/`.
    pub id: String,
    /// The module version.
    pub version: String,
    /// Its title.
    pub title: String,
    /// Its BCP 47 language.
    pub language: String,
    /// Estimated minutes.
    pub minutes: u32,
}

/// What an entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// A compiled `module.json`.
    Module,
    /// A lesson's Markdown.
    Lesson,
    /// An image.
    Image,
    /// An audio clip.
    Audio,
}

impl From<MediaKind> for EntryKind {
    fn from(kind: MediaKind) -> Self {
        match kind {
            MediaKind::Image => Self::Image,
            MediaKind::Audio => Self::Audio,
        }
    }
}

/// Which rendition of a media file an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rendition {
    /// The original.
    Full,
    /// The smaller, low-data one.
    Low,
}

/// One file in the pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Clean relative path, `<module-id>/…`.
    pub path: String,
    /// What it holds.
    pub kind: EntryKind,
    /// Size in bytes, uncompressed.
    pub size: u64,
    /// SHA-256 of its bytes.
    pub hash: ContentHash,
    /// Index of the chunk that holds it.
    pub chunk: u32,
    /// Where it starts in the chunk's uncompressed bytes.
    pub offset: u64,
    /// Media type (`image/png`…), for media entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// For media: full or low rendition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rendition: Option<Rendition>,
    /// For a low rendition: the path lessons use for this media (its full rendition).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_of: Option<String>,
}

/// A run of bytes in the chunk region, compressed on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chunk {
    /// SHA-256 of the stored bytes: the chunk's identity, checked before inflating.
    pub hash: ContentHash,
    /// Where it starts in the chunk region.
    pub offset: u64,
    /// Bytes stored in the file.
    pub stored_size: u64,
    /// Bytes once decompressed.
    pub size: u64,
    /// How the stored bytes are encoded.
    pub codec: Codec,
}

/// How a chunk is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Codec {
    /// A zstd frame.
    Zstd,
    /// A zstd frame compressed with the pack's dictionary.
    #[serde(rename = "zstd-dict")]
    ZstdDict,
    /// As is (media that zstd cannot shrink).
    None,
}

impl std::fmt::Display for Codec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Zstd => "zstd",
            Self::ZstdDict => "zstd-dict",
            Self::None => "none",
        })
    }
}

impl Manifest {
    /// Checks every structural rule; `data_len` is the chunk region's length from the header.
    pub fn check(&self, data_len: u64, limits: &Limits) -> Result<(), PackError> {
        let invalid = |msg: String| Err(PackError::InvalidManifest(msg));
        let count = |what, n: usize, limit: usize| {
            if n > limit {
                Err(PackError::limit(what, n as u64, limit as u64))
            } else {
                Ok(())
            }
        };
        count(
            "the number of entries",
            self.entries.len(),
            limits.max_entries,
        )?;
        count("the number of chunks", self.chunks.len(), limits.max_chunks)?;
        count(
            "the number of modules",
            self.modules.len(),
            limits.max_modules,
        )?;
        if self.modules.is_empty() {
            return invalid("the pack holds no module".into());
        }
        let mut offset = 0u64;
        let mut chunk_hashes = HashSet::new();
        for (i, chunk) in self.chunks.iter().enumerate() {
            if chunk.offset != offset {
                return invalid(format!(
                    "chunk {i} does not start where chunk {} ends",
                    i.wrapping_sub(1)
                ));
            }
            if chunk.size > limits.max_chunk_len {
                return Err(PackError::limit(
                    "a chunk's size",
                    chunk.size,
                    limits.max_chunk_len,
                ));
            }
            if chunk.codec == Codec::None && chunk.stored_size != chunk.size {
                return invalid(format!("chunk {i} is stored as is but its sizes differ"));
            }
            if !chunk_hashes.insert(chunk.hash) {
                return invalid(format!("chunk {i} repeats an earlier chunk"));
            }
            offset = offset
                .checked_add(chunk.stored_size)
                .ok_or_else(|| PackError::InvalidManifest("chunk sizes overflow".into()))?;
        }
        if offset != data_len {
            return invalid(format!(
                "the chunks cover {offset} bytes but the data region has {data_len}"
            ));
        }
        let mut previous: Option<&str> = None;
        let mut used = vec![false; self.chunks.len()];
        for entry in &self.entries {
            if let Some(problem) = path_problem(&entry.path, limits) {
                return invalid(format!("{problem}: {:?}", entry.path));
            }
            if previous.is_some_and(|p| p >= entry.path.as_str()) {
                return invalid(format!(
                    "the entry {} appears twice or out of order (entries are sorted by path)",
                    entry.path
                ));
            }
            previous = Some(&entry.path);
            let Some(chunk) = self.chunks.get(entry.chunk as usize) else {
                return invalid(format!(
                    "the entry {} names a chunk that does not exist",
                    entry.path
                ));
            };
            used[entry.chunk as usize] = true;
            let end = entry.offset.checked_add(entry.size);
            if end.is_none_or(|end| end > chunk.size) {
                return invalid(format!(
                    "the entry {} reaches past the end of its chunk",
                    entry.path
                ));
            }
            if let Some(low_of) = &entry.low_of {
                if let Some(problem) = path_problem(low_of, limits) {
                    return invalid(format!("{problem}: {low_of:?}"));
                }
            }
        }
        if let Some(d) = self.dictionary {
            let Some(chunk) = self.chunks.get(d as usize) else {
                return invalid("the dictionary chunk does not exist".into());
            };
            if chunk.codec == Codec::ZstdDict || chunk.size > MAX_DICTIONARY_LEN {
                return invalid(
                    "the dictionary chunk is not a plain chunk of at most 1 MiB".into(),
                );
            }
            if used[d as usize] {
                return invalid("the dictionary chunk also holds entries".into());
            }
            used[d as usize] = true;
        } else if self.chunks.iter().any(|c| c.codec == Codec::ZstdDict) {
            return invalid("a chunk needs the dictionary but the pack has none".into());
        }
        if let Some(i) = used.iter().position(|u| !u) {
            return invalid(format!("chunk {i} holds no entry"));
        }
        let mut ids = HashSet::new();
        for module in &self.modules {
            if !ids.insert(module.id.as_str()) {
                return invalid(format!("the module {} appears twice", module.id));
            }
            let json = module_json_path(&module.id);
            if !self
                .entries
                .iter()
                .any(|e| e.path == json && e.kind == EntryKind::Module)
            {
                return invalid(format!("the module {} has no {json}", module.id));
            }
        }
        Ok(())
    }

    /// The entry at `path`, if any.
    pub fn entry(&self, path: &str) -> Option<&Entry> {
        // `check` guarantees entries are sorted by path.
        self.entries
            .binary_search_by(|e| e.path.as_str().cmp(path))
            .ok()
            .and_then(|i| self.entries.get(i))
    }

    /// Total stored bytes of all chunks.
    pub fn data_len(&self) -> u64 {
        self.chunks.iter().map(|c| c.stored_size).sum()
    }
}

/// Largest dictionary a pack may carry.
pub const MAX_DICTIONARY_LEN: u64 = 1 << 20;

/// Where a module's compiled `module.json` lives in a pack.
pub fn module_json_path(module_id: &str) -> String {
    format!("{module_id}/module.json")
}
