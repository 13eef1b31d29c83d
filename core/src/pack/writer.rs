//! Builds a pack: groups small text entries into clusters, compresses each chunk on its own,
//! stores identical chunks once, writes the manifest and signs it with the publisher's key.
//! Output is deterministic: the same entries and key give the same bytes, so an unchanged
//! module keeps its chunk hashes across versions and updates download only what changed.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use super::error::PackError;
use super::format::{signed_message, Header, Limits, FORMAT_MINOR};
use super::hash::ContentHash;
use super::manifest::{Chunk, Codec, Entry, EntryKind, Manifest, ModuleEntry, PackInfo, Rendition};
use super::path::path_problem;
use crate::keys::SecretKey;

/// Tuning of the builder; the defaults are what the benchmark chose.
#[derive(Debug, Clone, Copy)]
pub struct BuildOptions {
    /// Train a zstd dictionary on the pack's text and use it when the pack comes out
    /// smaller with it (the benchmark: 19.8% of raw text instead of 32.2% on 60 modules).
    pub dictionary: bool,
    /// zstd level for text clusters (they are small, so the slowest level costs little).
    pub text_level: i32,
    /// zstd level for media that compresses at all.
    pub media_level: i32,
    /// Clusters are filled up to this many uncompressed bytes. 64 KiB: one lesson's
    /// cluster inflates in well under a millisecond, and most 15-minute modules fit in one.
    pub cluster_target: usize,
}

impl Default for BuildOptions {
    fn default() -> Self {
        Self {
            dictionary: true,
            text_level: 19,
            media_level: 19,
            cluster_target: 64 * 1024,
        }
    }
}

/// A file to put in a pack.
#[derive(Debug, Clone)]
pub struct NewEntry {
    /// Clean relative path, `<module-id>/…`.
    pub path: String,
    /// What it holds.
    pub kind: EntryKind,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Media type, for media.
    pub media_type: Option<String>,
    /// Full or low, for media.
    pub rendition: Option<Rendition>,
    /// For a low rendition, the path lessons use.
    pub low_of: Option<String>,
    /// Entries with the same cluster key share chunks (text of one module); `None` means
    /// a chunk of its own (media, so a device can fetch one rendition alone).
    pub cluster: Option<String>,
}

/// What a build produced, for the trainer's summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildSummary {
    /// Size of the pack file.
    pub file_len: u64,
    /// Size of the stored (compressed) manifest.
    pub stored_manifest_len: u64,
    /// Number of chunks.
    pub chunks: usize,
    /// Number of entries.
    pub entries: usize,
    /// Total uncompressed bytes of all entries.
    pub content_len: u64,
    /// Stored bytes per module id (a chunk shared by modules counts for the first).
    pub module_bytes: BTreeMap<String, u64>,
    /// Stored bytes of the shared dictionary (0 without one).
    pub dictionary_len: u64,
}

/// Collects entries, then writes a signed pack.
#[derive(Debug)]
pub struct PackBuilder {
    info: PackInfo,
    modules: Vec<ModuleEntry>,
    entries: BTreeMap<String, NewEntry>,
    options: BuildOptions,
    base_dictionary: Option<Vec<u8>>,
}

impl PackBuilder {
    /// A builder for the pack `info`.
    pub fn new(info: PackInfo, options: BuildOptions) -> Self {
        Self {
            info,
            modules: Vec::new(),
            entries: BTreeMap::new(),
            options,
            base_dictionary: None,
        }
    }

    /// Compresses text with the dictionary of the previous version instead of training a
    /// new one, so unchanged clusters come out byte for byte the same and an update
    /// downloads only what changed.
    pub fn reuse_dictionary(&mut self, dictionary: Vec<u8>) {
        self.base_dictionary = Some(dictionary);
    }

    /// Lists a module (its `module.json` must be added as an entry).
    pub fn add_module(&mut self, module: ModuleEntry) {
        self.modules.push(module);
    }

    /// Adds a file; refuses unclean or duplicate paths.
    pub fn add_entry(&mut self, entry: NewEntry) -> Result<(), PackError> {
        if let Some(problem) = path_problem(&entry.path, &Limits::V1) {
            return Err(PackError::Build(format!("{problem}: {:?}", entry.path)));
        }
        if self.entries.contains_key(&entry.path) {
            return Err(PackError::Build(format!("{} is added twice", entry.path)));
        }
        self.entries.insert(entry.path.clone(), entry);
        Ok(())
    }

    /// Compresses, signs and writes the pack. `progress` gets (bytes done, bytes total).
    pub fn write(
        self,
        key: &SecretKey,
        out: &mut impl Write,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<BuildSummary, PackError> {
        let content_len: u64 = self.entries.values().map(|e| e.bytes.len() as u64).sum();
        let groups = plan_chunks(&self.entries, self.options.cluster_target);
        let payloads: Vec<(Vec<u8>, Vec<u64>)> = groups
            .iter()
            .map(|group| {
                let mut payload = Vec::new();
                let offsets = group
                    .iter()
                    .map(|path| {
                        let at = payload.len() as u64;
                        payload.extend_from_slice(&self.entries[*path].bytes);
                        at
                    })
                    .collect();
                (payload, offsets)
            })
            .collect();
        let is_text = |group: &[&str]| self.entries[group[0]].cluster.is_some();
        let texts: Vec<&[u8]> = groups
            .iter()
            .zip(&payloads)
            .filter(|(g, _)| is_text(g))
            .map(|(_, (p, _))| p.as_slice())
            .collect();
        let samples: Vec<&[u8]> = self
            .entries
            .values()
            .filter(|e| e.cluster.is_some())
            .map(|e| e.bytes.as_slice())
            .collect();
        let text_codec = choose_text_codec(&texts, &samples, self.base_dictionary, &self.options)?;
        let mut store = ChunkStore::default();
        let mut dictionary = None;
        let mut dictionary_len = 0;
        if let TextCodec::Dictionary { dictionary: d, .. } = &text_codec {
            let stored = zstd::bulk::compress(d, self.options.text_level)?;
            let (index, len) = store.add(d, stored, Codec::Zstd);
            dictionary = Some(index);
            dictionary_len = len;
        }
        let mut text_stored = text_codec.into_stored().into_iter();
        let mut placed: HashMap<&str, (u32, u64)> = HashMap::new();
        let mut module_bytes = BTreeMap::new();
        let mut done = 0u64;
        for (group, (payload, offsets)) in groups.iter().zip(&payloads) {
            let (stored, codec) = if is_text(group) {
                text_stored
                    .next()
                    .ok_or_else(|| PackError::Build("text chunks out of step".into()))?
            } else {
                compress_media(payload, &self.options)?
            };
            let (index, new_bytes) = store.add(payload, stored, codec);
            let module = group[0].split('/').next().unwrap_or_default().to_owned();
            *module_bytes.entry(module).or_insert(0) += new_bytes;
            for (path, offset) in group.iter().zip(offsets) {
                placed.insert(path, (index, *offset));
                done += self.entries[*path].bytes.len() as u64;
            }
            progress(done, content_len);
        }
        let entries = self
            .entries
            .values()
            .map(|e| {
                let (chunk, offset) = placed[e.path.as_str()];
                Entry {
                    path: e.path.clone(),
                    kind: e.kind,
                    size: e.bytes.len() as u64,
                    hash: ContentHash::of(&e.bytes),
                    chunk,
                    offset,
                    media_type: e.media_type.clone(),
                    rendition: e.rendition,
                    low_of: e.low_of.clone(),
                }
            })
            .collect();
        let mut modules = self.modules;
        modules.sort_by(|a, b| a.id.cmp(&b.id));
        let manifest = Manifest {
            pack: self.info,
            modules,
            entries,
            chunks: store.chunks,
            dictionary,
        };
        manifest.check(manifest.data_len(), &Limits::V1)?;
        let json = serde_json::to_vec(&manifest)
            .map_err(|e| PackError::Build(format!("manifest: {e}")))?;
        let stored_manifest = zstd::bulk::compress(&json, self.options.text_level)?;
        let too_big = |what, n: usize, limit: u32| {
            u32::try_from(n)
                .ok()
                .filter(|n| *n <= limit)
                .ok_or(PackError::limit(what, n as u64, limit.into()))
        };
        let limits = Limits::V1;
        let mut header = Header {
            minor: FORMAT_MINOR,
            publisher: key.public_key().to_bytes(),
            manifest_stored_len: too_big(
                "the stored manifest",
                stored_manifest.len(),
                limits.max_manifest_stored,
            )?,
            manifest_len: too_big("the manifest", json.len(), limits.max_manifest_len)?,
            data_len: manifest.data_len(),
            signature: [0; 64],
        };
        header.signature = key.sign(&signed_message(&header.encode(), &stored_manifest));
        out.write_all(&header.encode())?;
        out.write_all(&stored_manifest)?;
        for bytes in &store.stored {
            out.write_all(bytes)?;
        }
        out.flush()?;
        Ok(BuildSummary {
            file_len: header.file_len(),
            stored_manifest_len: stored_manifest.len() as u64,
            chunks: manifest.chunks.len(),
            entries: manifest.entries.len(),
            content_len,
            module_bytes,
            dictionary_len,
        })
    }
}

/// Groups entry paths into chunks: clusters by key up to the target size, others alone.
fn plan_chunks(entries: &BTreeMap<String, NewEntry>, target: usize) -> Vec<Vec<&str>> {
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
struct ChunkStore {
    chunks: Vec<Chunk>,
    stored: Vec<Vec<u8>>,
    by_content: HashMap<ContentHash, u32>,
    offset: u64,
}

impl ChunkStore {
    /// Adds a compressed chunk (or finds its twin); returns its index and the bytes it added.
    fn add(&mut self, payload: &[u8], stored: Vec<u8>, codec: Codec) -> (u32, u64) {
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
enum TextCodec {
    /// Each cluster on its own.
    Plain(Vec<(Vec<u8>, Codec)>),
    /// Each cluster with a shared dictionary.
    Dictionary {
        dictionary: Vec<u8>,
        stored: Vec<(Vec<u8>, Codec)>,
    },
}

impl TextCodec {
    fn into_stored(self) -> Vec<(Vec<u8>, Codec)> {
        match self {
            Self::Plain(stored) | Self::Dictionary { stored, .. } => stored,
        }
    }
}

/// Text below this is too little to train a dictionary that pays for itself.
const MIN_TEXT_FOR_DICTIONARY: usize = 64 * 1024;

/// Compresses the text clusters plainly and, when a dictionary is given or worth training,
/// with it; keeps the dictionary when reused (so chunks stay stable) or when smaller.
fn choose_text_codec(
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
    let dictionary_cost = zstd::bulk::compress(&dictionary, level)?.len();
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
            zstd::bulk::Compressor::with_dictionary(level, d)?,
            Codec::ZstdDict,
        ),
        None => (zstd::bulk::Compressor::new(level)?, Codec::Zstd),
    };
    texts
        .iter()
        .map(|t| {
            let stored = compressor.compress(t)?;
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
fn compress_media(payload: &[u8], options: &BuildOptions) -> Result<(Vec<u8>, Codec), PackError> {
    // In u64: a 64 MiB clip times 100 overflows usize on 32-bit phones.
    let worth_it = |compressed: usize| (compressed as u64) * 100 < (payload.len() as u64) * 97;
    if !worth_it(zstd::bulk::compress(payload, 3)?.len()) {
        return Ok((payload.to_vec(), Codec::None));
    }
    Ok((
        zstd::bulk::compress(payload, options.media_level)?,
        Codec::Zstd,
    ))
}
