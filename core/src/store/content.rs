//! Reading one installed entry's bytes: its module's index says where it lives, its chunk is
//! checked against its hash and inflated (with its pack's dictionary, prepared once and kept
//! for the next read), and the entry's slice is cut out. Nothing here grows with the number
//! of packs or modules installed.

use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension};
use zstd::dict::DecoderDictionary;

use super::error::StoreError;
use super::index::{read_locator, ModuleIndex};
use crate::hash::ContentHash;
use crate::pack::{open_chunk, read_part, Chunk, Codec};

/// How many prepared dictionaries a store keeps: a learner reads in one or two packs at a
/// time, and each costs the memory of its dictionary (about 100 KiB).
const KEPT_DICTIONARIES: usize = 2;

/// The few values read last, newest last: what a learner reads next is most often what they
/// read just before, and keeping only a few bounds the memory whatever the catalogue. No lock
/// is held while a value is made, so making one may take other locks.
pub(super) struct Recent<K, V> {
    kept: usize,
    state: Mutex<RecentState<K, V>>,
}

struct RecentState<K, V> {
    items: Vec<(K, Arc<V>)>,
    /// Counts [`Recent::clear`]s: a value made before the last one is not kept.
    generation: u64,
}

impl<K: PartialEq + Clone, V> Recent<K, V> {
    /// Keeps up to `kept` values.
    pub(super) fn new(kept: usize) -> Self {
        Self {
            kept,
            state: Mutex::new(RecentState {
                items: Vec::new(),
                generation: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, RecentState<K, V>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The value under `key`, made by `make` (and kept) when it is not there.
    pub(super) fn get_or_make(
        &self,
        key: &K,
        make: impl FnOnce() -> Result<V, StoreError>,
    ) -> Result<Arc<V>, StoreError> {
        let generation = {
            let mut state = self.lock();
            if let Some(i) = state.items.iter().position(|(k, _)| k == key) {
                let hit = state.items.remove(i);
                let value = Arc::clone(&hit.1);
                state.items.push(hit);
                return Ok(value);
            }
            state.generation
        };
        let value = Arc::new(make()?);
        let mut state = self.lock();
        if state.generation == generation && !state.items.iter().any(|(k, _)| k == key) {
            if state.items.len() >= self.kept {
                state.items.remove(0);
            }
            state.items.push((key.clone(), Arc::clone(&value)));
        }
        Ok(value)
    }

    /// Forgets everything (what was installed changed).
    pub(super) fn clear(&self) {
        let mut state = self.lock();
        state.items.clear();
        state.generation += 1;
    }
}

/// Prepared zstd dictionaries of the packs read last, by the hash of the chunk holding each.
pub(super) struct Dictionaries(Recent<ContentHash, DecoderDictionary<'static>>);

impl Default for Dictionaries {
    fn default() -> Self {
        Self(Recent::new(KEPT_DICTIONARIES))
    }
}

impl Dictionaries {
    /// The prepared dictionary held in `chunk`, read and prepared on first use.
    fn get(
        &self,
        conn: &Connection,
        chunk: &Chunk,
    ) -> Result<Arc<DecoderDictionary<'static>>, StoreError> {
        self.0.get_or_make(&chunk.hash, || {
            let bytes = open_chunk(chunk, stored_chunk(conn, &chunk.hash)?, None)
                .map_err(|e| StoreError::Damaged(format!("a dictionary: {e}")))?;
            Ok(DecoderDictionary::copy(&bytes))
        })
    }
}

/// The index of an installed module: where its files live. A module of a format 2 pack is
/// found through the part of the manifest that lists it; one of a format 1 pack has an
/// index of its own.
pub(super) fn module_index(conn: &Connection, module_id: &str) -> Result<ModuleIndex, StoreError> {
    type Row = (Vec<u8>, Option<Vec<u8>>, Option<Vec<u8>>);
    let row: Option<Row> = conn
        .prepare_cached(
            "SELECT m.contents, m.part, p.dictionary FROM modules m
             JOIN packs p ON p.id = m.pack_id WHERE m.id = ?1",
        )?
        .query_row([module_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let (contents, part, dictionary) =
        row.ok_or_else(|| super::library::not_installed("module", module_id))?;
    let Some(part) = part else {
        return ModuleIndex::decode(&contents);
    };
    let (hash, size) = read_locator(&part)?;
    let stored = stored_chunk(conn, &hash)?;
    if ContentHash::of(&stored) != hash {
        return Err(StoreError::Damaged(format!("the part of {module_id}")));
    }
    let part = read_part(&stored, size)
        .map_err(|e| StoreError::Damaged(format!("the part of {module_id}: {e}")))?;
    let dictionary = match dictionary {
        Some(bytes) => {
            let (hash, size) = read_locator(&bytes)?;
            Some(Chunk {
                hash,
                offset: 0,
                stored_size: 0,
                size,
                codec: Codec::Zstd,
            })
        }
        None => None,
    };
    ModuleIndex::of_part(&part, dictionary.as_ref(), module_id)
}

/// The bytes of the entry at `path` of a module, checked against the hash of its chunk, or
/// `None` when the module has no such entry.
pub(super) fn read_entry(
    conn: &Connection,
    dictionaries: &Dictionaries,
    index: &ModuleIndex,
    path: &str,
) -> Result<Option<Vec<u8>>, StoreError> {
    let Some(found) = index.locate(path) else {
        return Ok(None);
    };
    let dictionary = match &found.dictionary {
        Some(chunk) => Some(dictionaries.get(conn, chunk)?),
        None => None,
    };
    let stored = stored_chunk(conn, &found.chunk.hash)?;
    let mut bytes = open_chunk(&found.chunk, stored, dictionary.as_deref())
        .map_err(|e| StoreError::Damaged(format!("a chunk of {path}: {e}")))?;
    let start = usize::try_from(found.offset).ok();
    let end = start
        .zip(usize::try_from(found.size).ok())
        .and_then(|(s, n)| s.checked_add(n));
    match (start, end) {
        (Some(0), Some(end)) if end == bytes.len() => Ok(Some(bytes)),
        (Some(start), Some(end)) if end <= bytes.len() => {
            bytes.truncate(end);
            Ok(Some(bytes.split_off(start)))
        }
        _ => Err(StoreError::Damaged(format!(
            "{path} lies outside its chunk"
        ))),
    }
}

/// A chunk's stored bytes.
fn stored_chunk(conn: &Connection, hash: &ContentHash) -> Result<Vec<u8>, StoreError> {
    held_chunk(conn, hash)?.ok_or_else(|| StoreError::Damaged(format!("chunk {hash} is missing")))
}

/// A chunk's stored bytes, if the store holds it (in any installed pack).
pub(super) fn held_chunk(
    conn: &Connection,
    hash: &ContentHash,
) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT stored FROM chunks WHERE hash = ?1")?
        .query_row([hash.0.as_slice()], |r| r.get(0))
        .optional()?)
}
