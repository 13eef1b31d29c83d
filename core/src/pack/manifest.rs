//! The manifest: the signed table of contents of a pack. It names the pack and its
//! modules, lists every entry (path, size, hash, where it lives) and every chunk (where it
//! sits in the file, its stored hash and sizes). [`Manifest::check`] holds every structural
//! rule a reader enforces before trusting an offset.

use serde::{Deserialize, Deserializer, Serialize};

use super::format::Limits;

use crate::hash::ContentHash;
use crate::module::MediaKind;

/// The table of contents of a pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// What the pack is.
    pub pack: PackInfo,
    /// The modules it holds.
    #[serde(deserialize_with = "bounded::<_, _, { Limits::V1.max_modules }>")]
    pub modules: Vec<ModuleEntry>,
    /// Every file in the pack, sorted by path.
    #[serde(deserialize_with = "bounded::<_, _, { Limits::V1.max_entries }>")]
    pub entries: Vec<Entry>,
    /// Every chunk, in file order.
    #[serde(deserialize_with = "bounded::<_, _, { Limits::V1.max_chunks }>")]
    pub chunks: Vec<Chunk>,
    /// The chunk holding the zstd dictionary that `zstd-dict` chunks need, if any. It is
    /// trained on the pack's own text; small packs go without (it would cost more than it saves).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dictionary: Option<u32>,
    /// Format 2 only: the pages and parts this manifest was stored as, in file order at the
    /// start of the chunk region (the chunks follow them). Empty for format 1.
    #[serde(skip)]
    pub index: Vec<Chunk>,
    /// Format 2 only: for each module (in `modules` order), the position in `index` of the
    /// part that lists it. Empty for format 1.
    #[serde(skip)]
    pub module_parts: Vec<u32>,
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
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
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
    /// SHA-256 of its bytes: format 1 only. Format 2 leaves it out, since the hash of the
    /// chunk and the entry's place in it already fix its bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<ContentHash>,
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
    /// The entry at `path`, if any.
    pub fn entry(&self, path: &str) -> Option<&Entry> {
        // `check` guarantees entries are sorted by path.
        self.entries
            .binary_search_by(|e| e.path.as_str().cmp(path))
            .ok()
            .and_then(|i| self.entries.get(i))
    }

    /// Total stored bytes of the chunk region: pages and parts (format 2), then chunks.
    pub fn data_len(&self) -> u64 {
        self.index_len() + self.chunks.iter().map(|c| c.stored_size).sum::<u64>()
    }

    /// Stored bytes of the pages and parts at the start of the chunk region (0 in format 1).
    pub fn index_len(&self) -> u64 {
        self.index.iter().map(|c| c.stored_size).sum()
    }
}

/// Where a module's compiled `module.json` lives in a pack.
pub fn module_json_path(module_id: &str) -> String {
    format!("{module_id}/module.json")
}

/// Deserializes a list of at most `N` items, failing as soon as there are more: a forged
/// manifest cannot make the reader build lists far beyond the format's limits first.
pub(super) fn bounded<'de, D, T, const N: usize>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Bounded<T, const N: usize>(std::marker::PhantomData<T>);

    impl<'de, T: Deserialize<'de>, const N: usize> serde::de::Visitor<'de> for Bounded<T, N> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "a list of at most {N} items")
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
            while let Some(item) = seq.next_element()? {
                if out.len() == N {
                    return Err(serde::de::Error::custom(format!("more than {N} items")));
                }
                out.push(item);
            }
            Ok(out)
        }
    }

    deserializer.deserialize_seq(Bounded::<T, N>(std::marker::PhantomData))
}
