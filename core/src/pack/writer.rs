//! Builds a pack: groups small text entries into clusters, compresses each chunk on its own,
//! stores identical chunks once, writes the manifest and signs it with the publisher's key.
//! Output is deterministic: the same entries and key give the same bytes, so an unchanged
//! module keeps its chunk hashes across versions and updates download only what changed.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use super::chunking::{choose_text_codec, compress_media, plan_chunks, ChunkStore, TextCodec};
use super::error::PackError;
use super::format::{signed_message, Header, Limits, FORMAT_MAJOR, FORMAT_MAJOR_V1, FORMAT_MINOR};
use super::manifest::{Codec, Entry, EntryKind, Manifest, ModuleEntry, PackInfo, Rendition};
use super::path::{path_problem, EntryPaths};
use super::tree::{encode, families, parts_of};
use crate::hash::ContentHash;
use crate::keys::SecretKey;
use crate::progress::Progress;

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
    /// The format major version to write: [`FORMAT_MAJOR`], or [`FORMAT_MAJOR_V1`] for a
    /// phone whose app reads only format 1 (and for the tests of reading it).
    pub format: u16,
}

impl Default for BuildOptions {
    fn default() -> Self {
        Self {
            dictionary: true,
            text_level: 19,
            media_level: 19,
            cluster_target: 64 * 1024,
            format: FORMAT_MAJOR,
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
    /// Stored (compressed) size of the manifest: in format 2, its root, pages and parts.
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
    paths: EntryPaths,
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
            paths: EntryPaths::default(),
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

    /// Adds a file; refuses unclean or duplicate paths, and paths that differ from another
    /// only by case (the rule of [`path_problem`] and [`EntryPaths`], which `check` shares).
    pub fn add_entry(&mut self, entry: NewEntry) -> Result<(), PackError> {
        if let Some(problem) = path_problem(&entry.path, &Limits::V1) {
            return Err(PackError::Build(format!("{problem}: {:?}", entry.path)));
        }
        if self.entries.contains_key(&entry.path) {
            return Err(PackError::Build(format!("{} is added twice", entry.path)));
        }
        if let Err(other) = self.paths.insert(&entry.path) {
            return Err(PackError::Build(format!(
                "{} differs from {other} only by case",
                entry.path
            )));
        }
        self.entries.insert(entry.path.clone(), entry);
        Ok(())
    }

    /// Compresses, signs and writes the pack; progress counts content bytes, and a
    /// cancellation stops it between chunks with [`PackError::Cancelled`].
    pub fn write(
        self,
        key: &SecretKey,
        out: &mut impl Write,
        progress: &dyn Progress,
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
            let stored =
                zstd::bulk::compress(d, self.options.text_level).map_err(PackError::Compress)?;
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
            progress.on_progress(done, content_len);
            if progress.is_cancelled() {
                return Err(PackError::Cancelled);
            }
        }
        let v1 = match self.options.format {
            FORMAT_MAJOR => false,
            FORMAT_MAJOR_V1 => true,
            other => return Err(PackError::Build(format!("no pack format {other}"))),
        };
        let entries = self
            .entries
            .values()
            .map(|e| {
                let (chunk, offset) = placed[e.path.as_str()];
                Entry {
                    path: e.path.clone(),
                    kind: e.kind,
                    size: e.bytes.len() as u64,
                    hash: v1.then(|| ContentHash::of(&e.bytes)),
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
        let mut manifest = Manifest {
            pack: self.info,
            modules,
            entries,
            chunks: store.chunks,
            dictionary,
            index: Vec::new(),
            module_parts: Vec::new(),
        };
        manifest.check(manifest.data_len(), &Limits::V1)?;
        let level = self.options.text_level;
        let (stored_head, head_len, index, order) = if v1 {
            let json = serde_json::to_vec(&manifest)
                .map_err(|e| PackError::Build(format!("manifest: {e}")))?;
            let stored = zstd::bulk::compress(&json, level).map_err(PackError::Compress)?;
            let order = (0..manifest.chunks.len()).collect();
            (stored, json.len(), Vec::new(), order)
        } else {
            let families = families(
                manifest.modules.iter().map(|m| m.id.as_str()),
                self.entries.values().filter_map(|e| {
                    let module = e.path.split('/').next()?;
                    Some((module, e.cluster.as_deref()?))
                }),
            );
            let encoded = encode(&manifest, &parts_of(families), level)?;
            manifest = encoded.manifest;
            manifest.check(manifest.data_len(), &Limits::V1)?;
            (
                encoded.stored_root,
                encoded.root_len,
                encoded.index,
                encoded.order,
            )
        };
        let too_big = |what, n: usize, limit: u32| {
            u32::try_from(n)
                .ok()
                .filter(|n| *n <= limit)
                .ok_or(PackError::limit(what, n as u64, limit.into()))
        };
        let limits = Limits::V1;
        let mut header = Header {
            major: self.options.format,
            minor: FORMAT_MINOR,
            publisher: key.public_key().to_bytes(),
            manifest_stored_len: too_big(
                "the stored manifest",
                stored_head.len(),
                limits.max_manifest_stored,
            )?,
            manifest_len: too_big("the manifest", head_len, limits.max_manifest_len)?,
            data_len: manifest.data_len(),
            signature: [0; 64],
        };
        header.signature = key.sign(&signed_message(&header.encode(), &stored_head));
        out.write_all(&header.encode())?;
        out.write_all(&stored_head)?;
        for bytes in &index {
            out.write_all(bytes)?;
        }
        for &chunk in &order {
            out.write_all(&store.stored[chunk])?;
        }
        out.flush()?;
        Ok(BuildSummary {
            file_len: header.file_len(),
            stored_manifest_len: stored_head.len() as u64 + manifest.index_len(),
            chunks: manifest.chunks.len(),
            entries: manifest.entries.len(),
            content_len,
            module_bytes,
            dictionary_len,
        })
    }
}
