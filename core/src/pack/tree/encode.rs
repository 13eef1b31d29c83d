//! Writing a manifest as a tree (see the parent module for the layout): modules grouped into
//! parts, parts into pages, each piece compressed with the format's dictionary and named by
//! the hash of its stored bytes, laid out in the order a reader proves them.

use std::collections::HashMap;

use serde::Serialize;

use super::{compress_piece, ChunkRef, ItemRef, Page, Part, Root, PAGE_PARTS};
use crate::hash::ContentHash;
use crate::pack::error::PackError;
use crate::pack::manifest::{Chunk, Codec, Entry, Manifest};

/// A pack's manifest written as a tree: the stored root and the region in file order.
pub(in crate::pack) struct Encoded {
    /// The zstd root, which the publisher signs.
    pub stored_root: Vec<u8>,
    /// The root's length once inflated.
    pub root_len: usize,
    /// The manifest as a reader will see it: the chunks in their new order and places, the
    /// pages and parts as its index.
    pub manifest: Manifest,
    /// For each chunk of the new manifest, in order, its index in the manifest given.
    pub order: Vec<usize>,
    /// The stored pages and parts, in file order (the chunks follow them).
    pub index: Vec<Vec<u8>>,
}

/// Writes `manifest` (entries with or without hashes; the tree keeps none) as a tree whose
/// parts hold `groups` (each a sorted list of module ids, see [`parts_of`]), compressing the
/// pages, parts and root at `level`.
pub(in crate::pack) fn encode(
    manifest: &Manifest,
    groups: &[Vec<String>],
    level: i32,
) -> Result<Encoded, PackError> {
    let compress = |json: Vec<u8>| -> Result<(Vec<u8>, ItemRef), PackError> {
        let stored = compress_piece(&json, level)?;
        let item = ItemRef {
            hash: ContentHash::of(&stored),
            stored_size: stored.len() as u64,
            size: json.len() as u64,
        };
        Ok((stored, item))
    };
    let part_of: HashMap<&str, usize> = groups
        .iter()
        .enumerate()
        .flat_map(|(i, ids)| ids.iter().map(move |id| (id.as_str(), i)))
        .collect();
    let mut parts: Vec<Part> = groups
        .iter()
        .map(|ids| Part {
            modules: manifest
                .modules
                .iter()
                .filter(|m| ids.contains(&m.id))
                .cloned()
                .collect(),
            chunks: Vec::new(),
            entries: Vec::new(),
        })
        .collect();
    let mut local: Vec<HashMap<usize, u32>> = vec![HashMap::new(); parts.len()];
    for entry in &manifest.entries {
        let module = entry.path.split('/').next().unwrap_or_default();
        let &at = part_of
            .get(module)
            .ok_or_else(|| PackError::Build(format!("{} is in no part", entry.path)))?;
        let part = &mut parts[at];
        let chunk = entry.chunk as usize;
        let next = part.chunks.len() as u32;
        let index = *local[at].entry(chunk).or_insert(next);
        if index == next {
            part.chunks.push(ChunkRef::of(&manifest.chunks[chunk]));
        }
        part.entries.push(Entry {
            hash: None,
            chunk: index,
            ..entry.clone()
        });
    }
    // The region's order: the dictionary, then each chunk where a part first lists it.
    let mut order: Vec<usize> = manifest
        .dictionary
        .map(|d| d as usize)
        .into_iter()
        .collect();
    let mut placed: HashMap<usize, usize> = HashMap::new();
    for part in &local {
        let mut by_local: Vec<(u32, usize)> = part.iter().map(|(&g, &l)| (l, g)).collect();
        by_local.sort_unstable();
        for (_, global) in by_local {
            if !placed.contains_key(&global) && Some(global as u32) != manifest.dictionary {
                placed.insert(global, order.len());
                order.push(global);
            }
        }
    }
    if let Some(d) = manifest.dictionary {
        placed.insert(d as usize, 0);
    }
    let mut stored_parts = Vec::with_capacity(parts.len());
    let mut part_refs = Vec::with_capacity(parts.len());
    for part in &parts {
        let (stored, item) = compress(to_json("a part", part)?)?;
        stored_parts.push(stored);
        part_refs.push(item);
    }
    let mut index = Vec::new();
    let mut page_refs = Vec::new();
    for parts in part_refs.chunks(PAGE_PARTS) {
        let page = Page {
            parts: parts.to_vec(),
        };
        let (stored, item) = compress(to_json("a page", &page)?)?;
        index.push(stored);
        page_refs.push(item);
    }
    let root = Root {
        pack: manifest.pack.clone(),
        dictionary: manifest
            .dictionary
            .map(|d| ChunkRef::of(&manifest.chunks[d as usize])),
        pages: page_refs.clone(),
    };
    let root_json = to_json("the root", &root)?;
    let root_len = root_json.len();
    let stored_root = compress_piece(&root_json, level)?;
    index.extend(stored_parts);
    let mut offset = 0u64;
    let index_chunks = page_refs
        .iter()
        .chain(&part_refs)
        .map(|item| {
            let chunk = Chunk {
                hash: item.hash,
                offset,
                stored_size: item.stored_size,
                size: item.size,
                codec: Codec::Zstd,
            };
            offset += item.stored_size;
            chunk
        })
        .collect();
    let chunks = order
        .iter()
        .map(|&old| {
            let chunk = ChunkRef::of(&manifest.chunks[old]).at(offset);
            offset += chunk.stored_size;
            chunk
        })
        .collect();
    let entries = manifest
        .entries
        .iter()
        .map(|e| Entry {
            hash: None,
            chunk: placed[&(e.chunk as usize)] as u32,
            ..e.clone()
        })
        .collect();
    Ok(Encoded {
        stored_root,
        root_len,
        manifest: Manifest {
            pack: manifest.pack.clone(),
            modules: manifest.modules.clone(),
            entries,
            chunks,
            dictionary: manifest.dictionary.map(|_| 0),
            index: index_chunks,
            module_parts: manifest
                .modules
                .iter()
                .map(|m| {
                    part_of
                        .get(m.id.as_str())
                        .map_or(0, |&at| (page_refs.len() + at) as u32)
                })
                .collect(),
        },
        order,
        index,
    })
}

fn to_json(what: &str, value: &impl Serialize) -> Result<Vec<u8>, PackError> {
    serde_json::to_vec(value).map_err(|e| PackError::Build(format!("{what}: {e}")))
}
