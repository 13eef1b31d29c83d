//! Reading one installed entry's bytes: one lookup of where it lives, its chunk checked
//! against its hash and inflated (with its pack's dictionary, prepared once and kept for the
//! next read), and the entry's slice checked against its own hash. Nothing here grows with
//! the number of packs or modules installed.

use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection, OptionalExtension};
use zstd::dict::DecoderDictionary;

use super::error::StoreError;
use crate::hash::ContentHash;
use crate::pack::{entry_in_chunk, open_chunk, Chunk, Codec, Entry, Rendition};

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
    /// The prepared dictionary held in the chunk `hash`, read and prepared on first use.
    fn get(
        &self,
        conn: &Connection,
        pack_id: &str,
        hash: ContentHash,
    ) -> Result<Arc<DecoderDictionary<'static>>, StoreError> {
        self.0.get_or_make(&hash, || {
            let (chunk, stored) = stored_chunk(conn, pack_id, hash)?
                .ok_or_else(|| StoreError::Damaged(format!("the dictionary of pack {pack_id}")))?;
            let bytes = open_chunk(&chunk, stored, None).map_err(|e| {
                StoreError::Damaged(format!("the dictionary of pack {pack_id}: {e}"))
            })?;
            Ok(DecoderDictionary::copy(&bytes))
        })
    }
}

/// The bytes of the entry at `path` in the pack `module_id` came from, checked against the
/// hashes it was installed with, or `None` when that pack has no such entry.
pub(super) fn read_entry(
    conn: &Connection,
    dictionaries: &Dictionaries,
    module_id: &str,
    path: &str,
) -> Result<Option<Vec<u8>>, StoreError> {
    let Some(found) = locate(conn, module_id, path)? else {
        return Ok(None);
    };
    let dictionary = match (found.chunk.codec, found.dictionary) {
        (Codec::ZstdDict, Some(hash)) => Some(dictionaries.get(conn, &found.pack_id, hash)?),
        _ => None,
    };
    let bytes = open_chunk(&found.chunk, found.stored, dictionary.as_deref())
        .map_err(|e| StoreError::Damaged(format!("a chunk of {path}: {e}")))?;
    let slice = entry_in_chunk(&found.chunk, &bytes, &found.entry)
        .map_err(|e| StoreError::Damaged(format!("{path}: {e}")))?;
    Ok(Some(slice.to_vec()))
}

/// Of the media file at `full_path` in the pack `module_id` came from, the rendition to show
/// (the one wanted when the pack has it, else the other) with its media type; `None` when
/// the pack carries neither (a text-only variant).
pub(super) fn choose_rendition(
    conn: &Connection,
    module_id: &str,
    full_path: &str,
    wanted: Rendition,
) -> Result<Option<(String, Option<String>)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.path, e.media_type, e.low_of IS NOT NULL FROM modules m
         JOIN entries e ON e.pack_id = m.pack_id AND (e.path = ?2 OR e.low_of = ?2)
         WHERE m.id = ?1",
    )?;
    let found: Vec<(String, Option<String>, bool)> = stmt
        .query_map(params![module_id, full_path], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<Result<_, _>>()?;
    let pick = |low: bool| found.iter().find(|(_, _, is_low)| *is_low == low);
    let chosen = match wanted {
        Rendition::Low => pick(true).or_else(|| pick(false)),
        Rendition::Full => pick(false).or_else(|| pick(true)),
    };
    Ok(chosen.map(|(path, media_type, _)| (path.clone(), media_type.clone())))
}

/// Where an entry lives: its chunk's stored bytes and how to open them.
struct Located {
    pack_id: String,
    entry: Entry,
    chunk: Chunk,
    stored: Vec<u8>,
    dictionary: Option<ContentHash>,
}

fn locate(conn: &Connection, module_id: &str, path: &str) -> Result<Option<Located>, StoreError> {
    let row = conn
        .prepare_cached(
            "SELECT m.pack_id, e.kind, e.chunk_hash, e.offset, e.size, e.hash, pc.codec, pc.size,
                    c.stored, p.dictionary
             FROM modules m
             JOIN entries e ON e.pack_id = m.pack_id AND e.path = ?2
             JOIN pack_chunks pc ON pc.pack_id = e.pack_id AND pc.chunk_hash = e.chunk_hash
             JOIN chunks c ON c.hash = e.chunk_hash
             JOIN packs p ON p.id = m.pack_id
             WHERE m.id = ?1",
        )?
        .query_row(params![module_id, path], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Vec<u8>>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, Vec<u8>>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, i64>(7)?,
                r.get::<_, Vec<u8>>(8)?,
                r.get::<_, Option<Vec<u8>>>(9)?,
            ))
        })
        .optional()?;
    let Some((pack_id, kind, chunk_hash, offset, size, hash, codec, chunk_size, stored, dict)) =
        row
    else {
        return Ok(None);
    };
    let damaged = |what: &str| StoreError::Damaged(format!("{what} of {path}"));
    let chunk = Chunk {
        hash: hash_of(&chunk_hash).ok_or_else(|| damaged("the chunk"))?,
        offset: 0,
        stored_size: stored.len() as u64,
        size: u64::try_from(chunk_size).map_err(|_| damaged("the chunk's size"))?,
        codec: named(&codec).ok_or_else(|| damaged("the chunk's codec"))?,
    };
    let entry = Entry {
        path: path.to_owned(),
        kind: named(&kind).ok_or_else(|| damaged("the kind"))?,
        size: u64::try_from(size).map_err(|_| damaged("the size"))?,
        hash: hash_of(&hash).ok_or_else(|| damaged("the hash"))?,
        chunk: 0,
        offset: u64::try_from(offset).map_err(|_| damaged("the offset"))?,
        media_type: None,
        rendition: None,
        low_of: None,
    };
    let dictionary = match dict {
        Some(d) => Some(hash_of(&d).ok_or_else(|| damaged("the dictionary"))?),
        None => None,
    };
    Ok(Some(Located {
        pack_id,
        entry,
        chunk,
        stored,
        dictionary,
    }))
}

/// The stored bytes of a pack's chunk and how to open them.
fn stored_chunk(
    conn: &Connection,
    pack_id: &str,
    hash: ContentHash,
) -> Result<Option<(Chunk, Vec<u8>)>, StoreError> {
    let row = conn
        .prepare_cached(
            "SELECT pc.codec, pc.size, c.stored FROM pack_chunks pc
             JOIN chunks c ON c.hash = pc.chunk_hash
             WHERE pc.pack_id = ?1 AND pc.chunk_hash = ?2",
        )?
        .query_row(params![pack_id, hash.0.as_slice()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Vec<u8>>(2)?,
            ))
        })
        .optional()?;
    let Some((codec, size, stored)) = row else {
        return Ok(None);
    };
    let damaged = || StoreError::Damaged(format!("chunk {hash} of pack {pack_id}"));
    let chunk = Chunk {
        hash,
        offset: 0,
        stored_size: stored.len() as u64,
        size: u64::try_from(size).map_err(|_| damaged())?,
        codec: named(&codec).ok_or_else(damaged)?,
    };
    Ok(Some((chunk, stored)))
}

fn hash_of(bytes: &[u8]) -> Option<ContentHash> {
    Some(ContentHash(bytes.try_into().ok()?))
}

/// A manifest value from the name the store keeps (`zstd-dict`, `lesson`…).
fn named<T: serde::de::DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
}
