//! Compares two packs the way an update sees them: which chunks (and, in format 2, which
//! manifest pages and parts) the device already has, which it must download, what that
//! costs in bytes, and which entries changed.

use std::collections::{BTreeSet, HashSet};
use std::io::{Read, Seek};

use serde::Serialize;

use super::error::PackError;
use super::format::HEADER_LEN;
use super::manifest::{Entry, Manifest};
use super::reader::PackReader;

/// What updating from one pack to another costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackDiff {
    /// Chunks of the new pack the old one already has.
    pub shared_chunks: usize,
    /// Chunks of the new pack that are new.
    pub new_chunks: usize,
    /// Chunks of the old pack the new one no longer has.
    pub dropped_chunks: usize,
    /// Bytes of the new manifest an update downloads: the header and signed head, and in
    /// format 2 the pages and parts that changed.
    pub manifest_bytes: u64,
    /// Bytes an update downloads: the manifest bytes and the new chunks.
    pub download_bytes: u64,
    /// Size of the new pack as a whole, for comparison.
    pub full_bytes: u64,
    /// Entry paths only in the new pack.
    pub added: Vec<String>,
    /// Entry paths only in the old pack.
    pub removed: Vec<String>,
    /// Entry paths in both whose content changed.
    pub changed: Vec<String>,
}

/// Compares the pack `old` with `new`. Entries whose place changed are read from both to
/// say whether their bytes did (a changed lesson changes its whole cluster's chunk).
pub fn diff<A: Read + Seek, B: Read + Seek>(
    old: &mut PackReader<A>,
    new: &mut PackReader<B>,
) -> Result<PackDiff, PackError> {
    let (om, nm) = (old.manifest().clone(), new.manifest().clone());
    let old_chunks: HashSet<_> = om.chunks.iter().map(|c| c.hash).collect();
    let new_chunks: HashSet<_> = nm.chunks.iter().map(|c| c.hash).collect();
    let fresh_bytes: u64 = nm
        .chunks
        .iter()
        .filter(|c| !old_chunks.contains(&c.hash))
        .map(|c| c.stored_size)
        .sum();
    let old_index: HashSet<_> = om.index.iter().map(|c| c.hash).collect();
    let fresh_index: u64 = nm
        .index
        .iter()
        .filter(|c| !old_index.contains(&c.hash))
        .map(|c| c.stored_size)
        .sum();
    let manifest_bytes =
        HEADER_LEN as u64 + u64::from(new.header().manifest_stored_len) + fresh_index;
    let old_paths: BTreeSet<&str> = om.entries.iter().map(|e| e.path.as_str()).collect();
    let new_paths: BTreeSet<&str> = nm.entries.iter().map(|e| e.path.as_str()).collect();
    let mut changed = Vec::new();
    for entry in &nm.entries {
        let Some(before) = om.entry(&entry.path) else {
            continue;
        };
        let differs = match (before.hash, entry.hash) {
            (Some(a), Some(b)) => a != b,
            _ if same_place(&om, before, &nm, entry) => false,
            _ => old.read_entry(&entry.path)? != new.read_entry(&entry.path)?,
        };
        if differs {
            changed.push(entry.path.clone());
        }
    }
    Ok(PackDiff {
        shared_chunks: new_chunks.intersection(&old_chunks).count(),
        new_chunks: new_chunks.difference(&old_chunks).count(),
        dropped_chunks: old_chunks.difference(&new_chunks).count(),
        manifest_bytes,
        download_bytes: manifest_bytes + fresh_bytes,
        full_bytes: new.header().file_len(),
        added: new_paths
            .difference(&old_paths)
            .map(|p| p.to_string())
            .collect(),
        removed: old_paths
            .difference(&new_paths)
            .map(|p| p.to_string())
            .collect(),
        changed,
    })
}

/// True when two entries lie at the same place of the same chunk: the same bytes.
fn same_place(old: &Manifest, a: &Entry, new: &Manifest, b: &Entry) -> bool {
    let hash = |m: &Manifest, e: &Entry| m.chunks.get(e.chunk as usize).map(|c| c.hash);
    hash(old, a) == hash(new, b) && a.offset == b.offset && a.size == b.size
}
