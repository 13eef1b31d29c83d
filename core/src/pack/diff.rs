//! Compares two manifests the way an update sees them: which chunks the device already
//! has, which it must download, and what that costs in bytes.

use std::collections::{BTreeSet, HashSet};

use serde::Serialize;

use super::format::HEADER_LEN;
use super::manifest::Manifest;

/// What updating from one pack to another costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackDiff {
    /// Chunks of the new pack the old one already has.
    pub shared_chunks: usize,
    /// Chunks of the new pack that are new.
    pub new_chunks: usize,
    /// Chunks of the old pack the new one no longer has.
    pub dropped_chunks: usize,
    /// Bytes an update downloads: the header, the manifest and the new chunks.
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

/// Compares `old` with `new`; `new_manifest_len` is the new pack's stored manifest size.
pub fn diff(old: &Manifest, new: &Manifest, new_manifest_len: u64) -> PackDiff {
    let old_chunks: HashSet<_> = old.chunks.iter().map(|c| c.hash).collect();
    let new_chunks: HashSet<_> = new.chunks.iter().map(|c| c.hash).collect();
    let fresh_bytes: u64 = new
        .chunks
        .iter()
        .filter(|c| !old_chunks.contains(&c.hash))
        .map(|c| c.stored_size)
        .sum();
    let overhead = HEADER_LEN as u64 + new_manifest_len;
    let old_paths: BTreeSet<&str> = old.entries.iter().map(|e| e.path.as_str()).collect();
    let new_paths: BTreeSet<&str> = new.entries.iter().map(|e| e.path.as_str()).collect();
    let changed = new
        .entries
        .iter()
        .filter(|e| old.entry(&e.path).is_some_and(|o| o.hash != e.hash))
        .map(|e| e.path.clone())
        .collect();
    PackDiff {
        shared_chunks: new_chunks.intersection(&old_chunks).count(),
        new_chunks: new_chunks.difference(&old_chunks).count(),
        dropped_chunks: old_chunks.difference(&new_chunks).count(),
        download_bytes: overhead + fresh_bytes,
        full_bytes: overhead + new.data_len(),
        added: new_paths
            .difference(&old_paths)
            .map(|p| p.to_string())
            .collect(),
        removed: old_paths
            .difference(&new_paths)
            .map(|p| p.to_string())
            .collect(),
        changed,
    }
}
