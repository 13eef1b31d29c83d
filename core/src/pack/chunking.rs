//! How a pack's content becomes chunks: text entries of one module clustered up to a target
//! size, media alone, identical chunks stored once, text compressed plainly or with a shared
//! dictionary (whichever is smaller, or the base pack's dictionary when reused), and media
//! stored as is when zstd cannot shrink it.

use std::collections::{BTreeMap, HashMap};

use super::error::PackError;
use super::manifest::{Chunk, Codec};
use super::writer::{BuildOptions, NewEntry};
use crate::hash::ContentHash;

/// Groups entry paths into chunks: clusters by key up to the target size, others alone.
pub(super) fn plan_chunks(entries: &BTreeMap<String, NewEntry>, target: usize) -> Vec<Vec<&str>> {
    let mut clusters: BTreeMap<&str, Vec<&NewEntry>> = BTreeMap::new();
    let mut groups = Vec::new();
    for entry in entries.values() {
        match &entry.cluster {
            Some(key) => clusters.entry(key).or_default().push(entry),
            None => groups.push(vec![entry.path.as_str()]),
        }
    }
    let mut clustered = Vec::new();
    for members in clusters.values() {
        let mut current: Vec<&str> = Vec::new();
        let mut len = 0;
        for entry in members {
            if !current.is_empty() && len + entry.bytes.len() > target {
                clustered.push(std::mem::take(&mut current));
                len = 0;
            }
            current.push(&entry.path);
            len += entry.bytes.len();
        }
        if !current.is_empty() {
            clustered.push(current);
        }
    }
    clustered.extend(groups);
    clustered
}

/// Chunks compressed so far, deduplicated by content.
#[derive(Default)]
pub(super) struct ChunkStore {
    pub(super) chunks: Vec<Chunk>,
    pub(super) stored: Vec<Vec<u8>>,
    by_content: HashMap<ContentHash, u32>,
    offset: u64,
}

impl ChunkStore {
    /// Adds a compressed chunk (or finds its twin); returns its index and the bytes it added.
    pub(super) fn add(&mut self, payload: &[u8], stored: Vec<u8>, codec: Codec) -> (u32, u64) {
        let content = ContentHash::of(payload);
        if let Some(&index) = self.by_content.get(&content) {
            return (index, 0);
        }
        let index = self.chunks.len() as u32;
        let stored_size = stored.len() as u64;
        self.chunks.push(Chunk {
            hash: ContentHash::of(&stored),
            offset: self.offset,
            stored_size,
            size: payload.len() as u64,
            codec,
        });
        self.offset += stored_size;
        self.stored.push(stored);
        self.by_content.insert(content, index);
        (index, stored_size)
    }
}

/// How the text clusters of a pack are compressed.
pub(super) enum TextCodec {
    /// Each cluster on its own.
    Plain(Vec<(Vec<u8>, Codec)>),
    /// Each cluster with a shared dictionary.
    Dictionary {
        dictionary: Vec<u8>,
        stored: Vec<(Vec<u8>, Codec)>,
    },
}

impl TextCodec {
    pub(super) fn into_stored(self) -> Vec<(Vec<u8>, Codec)> {
        match self {
            Self::Plain(stored) | Self::Dictionary { stored, .. } => stored,
        }
    }
}

/// Text below this is too little to train a dictionary that pays for itself.
const MIN_TEXT_FOR_DICTIONARY: usize = 64 * 1024;

/// Compresses the text clusters plainly and, when a dictionary is given or worth training,
/// with it; keeps the dictionary when reused (so chunks stay stable) or when smaller.
pub(super) fn choose_text_codec(
    texts: &[&[u8]],
    samples: &[&[u8]],
    base: Option<Vec<u8>>,
    options: &BuildOptions,
) -> Result<TextCodec, PackError> {
    let level = options.text_level;
    if let Some(dictionary) = base {
        let stored = compress_all(texts, level, Some(&dictionary))?;
        return Ok(TextCodec::Dictionary { dictionary, stored });
    }
    let plain = compress_all(texts, level, None)?;
    let text_len: usize = samples.iter().map(|s| s.len()).sum();
    if !options.dictionary || text_len < MIN_TEXT_FOR_DICTIONARY {
        return Ok(TextCodec::Plain(plain));
    }
    // Larger dictionaries paid more in the benchmark, up to about 112 KiB (docs/benchmarks.md);
    // smaller packs get a proportionally smaller one.
    let size = (text_len / 16).clamp(4 * 1024, 112 * 1024);
    let Ok(dictionary) = zstd::dict::from_samples(samples, size) else {
        return Ok(TextCodec::Plain(plain));
    };
    let with = compress_all(texts, level, Some(&dictionary))?;
    let dictionary_cost = zstd::bulk::compress(&dictionary, level)
        .map_err(PackError::Compress)?
        .len();
    let total = |s: &[(Vec<u8>, Codec)]| s.iter().map(|(b, _)| b.len()).sum::<usize>();
    if total(&with) + dictionary_cost < total(&plain) {
        Ok(TextCodec::Dictionary {
            dictionary,
            stored: with,
        })
    } else {
        Ok(TextCodec::Plain(plain))
    }
}

fn compress_all(
    texts: &[&[u8]],
    level: i32,
    dictionary: Option<&[u8]>,
) -> Result<Vec<(Vec<u8>, Codec)>, PackError> {
    let (mut compressor, codec) = match dictionary {
        Some(d) => (
            zstd::bulk::Compressor::with_dictionary(level, d).map_err(PackError::Compress)?,
            Codec::ZstdDict,
        ),
        None => (
            zstd::bulk::Compressor::new(level).map_err(PackError::Compress)?,
            Codec::Zstd,
        ),
    };
    texts
        .iter()
        .map(|t| {
            let stored = compressor.compress(t).map_err(PackError::Compress)?;
            Ok(if stored.len() < t.len() {
                (stored, codec)
            } else {
                (t.to_vec(), Codec::None)
            })
        })
        .collect()
}

/// Compresses one media chunk. It is tried at a fast level first: JPEG, PNG or MP3 rarely
/// shrink, and storing them as they are saves phones the work of inflating them.
pub(super) fn compress_media(
    payload: &[u8],
    options: &BuildOptions,
) -> Result<(Vec<u8>, Codec), PackError> {
    // In u64: a 64 MiB clip times 100 overflows usize on 32-bit phones.
    let worth_it = |compressed: usize| (compressed as u64) * 100 < (payload.len() as u64) * 97;
    if !worth_it(
        zstd::bulk::compress(payload, 3)
            .map_err(PackError::Compress)?
            .len(),
    ) {
        return Ok((payload.to_vec(), Codec::None));
    }
    Ok((
        zstd::bulk::compress(payload, options.media_level).map_err(PackError::Compress)?,
        Codec::Zstd,
    ))
}
