//! The structural rules of a manifest, checked before a reader trusts any offset in it:
//! counts, chunks that tile the data region, entries that fit their chunks, clean paths,
//! and modules, pack id and version that mean what they say. See `docs/pack-format.md`.

use std::collections::HashSet;

use super::error::PackError;
use super::format::Limits;
use super::manifest::{module_json_path, Chunk, Codec, EntryKind, Manifest};
use super::path::{path_problem, EntryPaths};
use crate::module::{is_valid_id, is_valid_version};

fn invalid<T>(why: String) -> Result<T, PackError> {
    Err(PackError::InvalidManifest(why))
}

fn within(what: &'static str, value: u64, limit: u64) -> Result<(), PackError> {
    if value > limit {
        Err(PackError::limit(what, value, limit))
    } else {
        Ok(())
    }
}

/// The most a chunk of `size` bytes can take stored: zstd's worst case is a little over the
/// input (about 1/256 more plus a frame header), so this leaves room and nothing more.
pub(super) fn max_stored(size: u64) -> u64 {
    size + size / 128 + 1024
}

impl Manifest {
    /// Checks every structural rule; `data_len` is the chunk region's length from the header.
    pub fn check(&self, data_len: u64, limits: &Limits) -> Result<(), PackError> {
        within(
            "the number of entries",
            self.entries.len() as u64,
            limits.max_entries as u64,
        )?;
        within(
            "the number of chunks",
            self.chunks.len() as u64,
            limits.max_chunks as u64,
        )?;
        within(
            "the number of modules",
            self.modules.len() as u64,
            limits.max_modules as u64,
        )?;
        self.check_identity()?;
        self.check_chunks(data_len, limits)?;
        let used = self.check_entries(limits)?;
        self.check_dictionary(used, limits)
    }

    fn check_identity(&self) -> Result<(), PackError> {
        if !is_valid_id(&self.pack.id) || !is_valid_version(&self.pack.version) {
            return invalid("the pack id or version is not valid".into());
        }
        if self.modules.is_empty() {
            return invalid("the pack holds no module".into());
        }
        for pair in self.modules.windows(2) {
            if pair[0].id >= pair[1].id {
                return invalid(format!(
                    "module {} appears twice or out of order",
                    pair[1].id
                ));
            }
        }
        for module in &self.modules {
            if !is_valid_id(&module.id) {
                return invalid(format!("module id {:?} is not valid", module.id));
            }
            let json = module_json_path(&module.id);
            if self
                .entry(&json)
                .is_none_or(|e| e.kind != EntryKind::Module)
            {
                return invalid(format!("the module {} has no {json}", module.id));
            }
        }
        Ok(())
    }

    fn check_chunks(&self, data_len: u64, limits: &Limits) -> Result<(), PackError> {
        let mut offset = 0u64;
        let mut hashes = HashSet::new();
        for (i, item) in self.index.iter().enumerate() {
            if item.offset != offset {
                return invalid(format!(
                    "page or part {i} does not start where the one before it ends"
                ));
            }
            if item.codec != Codec::Zstd {
                return invalid(format!("page or part {i} is not a zstd frame"));
            }
            within(
                "a page or part's size",
                item.size,
                limits.max_manifest_len.into(),
            )?;
            within(
                "a page or part's stored size",
                item.stored_size,
                max_stored(item.size),
            )?;
            if !hashes.insert(item.hash) {
                return invalid(format!("page or part {i} repeats an earlier one"));
            }
            offset += item.stored_size; // bounded by the limits above: no overflow
        }
        for (i, chunk) in self.chunks.iter().enumerate() {
            if chunk.offset != offset {
                return invalid(match i {
                    0 => "chunk 0 does not start where the pages and parts end".into(),
                    _ => format!("chunk {i} does not start where chunk {} ends", i - 1),
                });
            }
            within("a chunk's size", chunk.size, limits.max_chunk_len)?;
            within(
                "a chunk's stored size",
                chunk.stored_size,
                max_stored(chunk.size),
            )?;
            if chunk.codec == Codec::None && chunk.stored_size != chunk.size {
                return invalid(format!("chunk {i} is stored as is but its sizes differ"));
            }
            if !hashes.insert(chunk.hash) {
                return invalid(format!("chunk {i} repeats an earlier chunk"));
            }
            offset += chunk.stored_size; // bounded by the limits above: no overflow
        }
        if offset != data_len {
            return invalid(format!(
                "the chunks cover {offset} bytes but the data region has {data_len}"
            ));
        }
        Ok(())
    }

    /// Checks entries; returns which chunks hold at least one.
    fn check_entries(&self, limits: &Limits) -> Result<Vec<bool>, PackError> {
        let modules: HashSet<&str> = self.modules.iter().map(|m| m.id.as_str()).collect();
        let mut used = vec![false; self.chunks.len()];
        let mut folded = EntryPaths::default();
        let mut previous: Option<&str> = None;
        for entry in &self.entries {
            let path = entry.path.as_str();
            if let Some(problem) = path_problem(path, limits) {
                return invalid(format!("{problem}: {path:?}"));
            }
            if previous.is_some_and(|p| p >= path) {
                return invalid(format!(
                    "the entry {path} appears twice or out of order (entries are sorted by path)"
                ));
            }
            previous = Some(path);
            // Phones often store files on case-insensitive storage: A.png and a.png collide.
            if folded.insert(path).is_err() {
                return invalid(format!(
                    "the entry {path} differs from another only by case"
                ));
            }
            if !path
                .split_once('/')
                .is_some_and(|(m, _)| modules.contains(m))
            {
                return invalid(format!("the entry {path} is not inside a listed module"));
            }
            if let Some(problem) = entry
                .low_of
                .as_deref()
                .and_then(|p| path_problem(p, limits))
            {
                return invalid(format!("{problem}: {:?}", entry.low_of));
            }
            let Some(chunk) = self.chunks.get(entry.chunk as usize) else {
                return invalid(format!(
                    "the entry {path} names a chunk that does not exist"
                ));
            };
            used[entry.chunk as usize] = true;
            if entry
                .offset
                .checked_add(entry.size)
                .is_none_or(|end| end > chunk.size)
            {
                return invalid(format!(
                    "the entry {path} reaches past the end of its chunk"
                ));
            }
        }
        Ok(used)
    }

    fn check_dictionary(&self, mut used: Vec<bool>, limits: &Limits) -> Result<(), PackError> {
        match self.dictionary {
            Some(d) => {
                let Some(chunk) = self.chunks.get(d as usize) else {
                    return invalid("the dictionary chunk does not exist".into());
                };
                if chunk.codec == Codec::ZstdDict {
                    return invalid("the dictionary chunk cannot itself need a dictionary".into());
                }
                within(
                    "the dictionary's size",
                    chunk.size,
                    limits.max_dictionary_len,
                )?;
                if used[d as usize] {
                    return invalid("the dictionary chunk also holds entries".into());
                }
                used[d as usize] = true;
            }
            None if self
                .chunks
                .iter()
                .any(|c: &Chunk| c.codec == Codec::ZstdDict) =>
            {
                return invalid("a chunk needs the dictionary but the pack has none".into());
            }
            None => {}
        }
        match used.iter().position(|u| !u) {
            Some(i) => invalid(format!("chunk {i} holds no entry")),
            None => Ok(()),
        }
    }
}
