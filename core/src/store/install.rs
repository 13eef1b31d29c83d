//! Installing and removing packs. A pack is checked completely (publisher trusted, every
//! byte verified, every module readable and sound, `pack::check_pack`) before anything is written, then stored in one
//! transaction: after a crash it is fully there or not at all. Chunks are kept once however
//! many packs hold them; an update keeps the learner's progress and attempts, which are keyed
//! by module, not by pack; removing a pack frees the chunks nothing else uses.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::{params, OptionalExtension, Transaction};

use super::error::StoreError;
use super::index::{locator, ModuleIndex};
use super::{db, Store};
use crate::keys::PublicKey;
use crate::module::{parse_version, Module};
use crate::pack::{check_pack, Manifest, PackReader};

/// What an install did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallReport {
    /// The pack id.
    pub pack_id: String,
    /// Its version.
    pub version: String,
    /// The version it replaced, if it was an update.
    pub replaced: Option<String>,
    /// The modules it holds.
    pub modules: Vec<String>,
    /// Chunks newly stored.
    pub new_chunks: usize,
    /// Chunks the device already had.
    pub shared_chunks: usize,
}

/// A pack on the device, and the publisher it was installed from (who owns its id here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledPack {
    /// The pack id.
    pub id: String,
    /// Its version.
    pub version: String,
    /// The key that signed it.
    pub publisher: PublicKey,
}

impl Store {
    /// Installs (or updates) a pack from a file.
    pub fn install(&self, path: &Path) -> Result<InstallReport, StoreError> {
        let trusted = self.trusted()?;
        let checked = check_pack(PackReader::open_path(path)?, Some(&trusted))?;
        let mut reader = checked.reader;
        let manifest = reader.manifest().clone();
        let modules: Vec<(String, Module)> = checked
            .modules
            .into_iter()
            .map(|m| (m.id, m.module))
            .collect();
        let indexes = ModuleIndex::all_of(&manifest)?;
        let parts = part_of_each_module(&manifest);
        let dictionary = manifest
            .dictionary
            .and_then(|d| manifest.chunks.get(d as usize))
            .filter(|_| !parts.is_empty())
            .map(|d| locator(&d.hash, d.size));
        let pack = &manifest.pack;
        let publisher = reader.publisher();
        let mut conn = self.lock();
        self.modules.clear();
        db::write(&mut conn, |tx| {
            check_owner(tx, &pack.id, &publisher)?;
            let replaced = replace_older(tx, &pack.id, &pack.version)?;
            for (id, _) in &modules {
                let owner: Option<String> = tx
                    .query_row("SELECT pack_id FROM modules WHERE id = ?1", [id], |r| {
                        r.get(0)
                    })
                    .optional()?;
                if let Some(owner) = owner {
                    return Err(StoreError::ModuleClash {
                        module: id.clone(),
                        pack: owner,
                    });
                }
            }
            tx.execute(
                "INSERT INTO packs (id, version, hash, publisher, installed_at, dictionary)
                 VALUES (?1, ?2, ?3, ?4, datetime('now'), ?5)",
                params![
                    pack.id,
                    pack.version,
                    reader.pack_hash().0.as_slice(),
                    publisher.to_bytes().as_slice(),
                    dictionary
                ],
            )?;
            let (mut new_chunks, mut shared_chunks) = (0, 0);
            // Format 2's pages and parts are kept like chunks: an update takes those that
            // did not change from here instead of downloading them.
            for range in reader.chunk_ranges() {
                let hash = range.hash.0;
                let have: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM chunks WHERE hash = ?1)",
                    [hash.as_slice()],
                    |r| r.get(0),
                )?;
                if have {
                    shared_chunks += 1;
                } else {
                    let stored = reader.read_stored(&range)?;
                    tx.execute(
                        "INSERT INTO chunks (hash, stored) VALUES (?1, ?2)",
                        params![hash.as_slice(), stored],
                    )?;
                    new_chunks += 1;
                }
                tx.execute(
                    "INSERT INTO pack_chunks (pack_id, chunk_hash) VALUES (?1, ?2)",
                    params![pack.id, hash.as_slice()],
                )?;
            }
            for (id, module) in &modules {
                // A module of a format 2 pack is found through its part, kept above with the
                // chunks; one of a format 1 pack keeps an index of its own.
                let part = parts.get(id);
                let contents = match part {
                    Some(_) => Vec::new(),
                    None => indexes
                        .get(id)
                        .ok_or_else(|| StoreError::Damaged(format!("module {id}")))?
                        .encode()?,
                };
                tx.execute(
                    "INSERT INTO modules
                     (id, pack_id, title, language, minutes, lessons, contents, part)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![
                        id,
                        pack.id,
                        module.title,
                        module.language,
                        module.minutes,
                        module.lessons.len() as i64,
                        contents,
                        part
                    ],
                )?;
            }
            drop_unused_chunks(tx)?;
            Ok(InstallReport {
                pack_id: pack.id.clone(),
                version: pack.version.clone(),
                replaced,
                modules: modules.iter().map(|(id, _)| id.clone()).collect(),
                new_chunks,
                shared_chunks,
            })
        })
    }

    /// The stored bytes of a chunk the device holds (in any installed pack), if it holds it:
    /// what an update takes from the device instead of downloading it again.
    pub fn held_chunk(
        &self,
        hash: &crate::hash::ContentHash,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        super::content::held_chunk(&self.lock(), hash)
    }

    /// Removes a pack and the chunks no other pack uses. The learner's progress, attempts and
    /// records stay: they are the learner's, and a reinstall picks them up again.
    pub fn uninstall(&self, pack_id: &str) -> Result<(), StoreError> {
        let mut conn = self.lock();
        self.modules.clear();
        db::write(&mut conn, |tx| {
            let removed = tx.execute("DELETE FROM packs WHERE id = ?1", [pack_id])?;
            if removed == 0 {
                return Err(StoreError::NotInstalled {
                    what: "pack",
                    id: pack_id.to_owned(),
                });
            }
            drop_unused_chunks(tx)
        })?;
        conn.execute_batch("PRAGMA incremental_vacuum")?;
        Ok(())
    }
}

/// For a format 2 pack, the [`locator`] of the part that lists each module (empty for a
/// format 1 pack, whose modules keep an index of their own).
fn part_of_each_module(manifest: &Manifest) -> BTreeMap<String, Vec<u8>> {
    manifest
        .modules
        .iter()
        .zip(&manifest.module_parts)
        .filter_map(|(module, &at)| {
            let part = manifest.index.get(at as usize)?;
            Some((module.id.clone(), locator(&part.hash, part.size)))
        })
        .collect()
}

/// Refuses a pack whose id is installed from another publisher: an id belongs to the
/// publisher that first published it, so a second trusted publisher cannot replace a pack
/// (and the learner's progress in it) by reusing its id with a higher version.
fn check_owner(tx: &Transaction<'_>, id: &str, publisher: &PublicKey) -> Result<(), StoreError> {
    let owner: Option<Vec<u8>> = tx
        .query_row("SELECT publisher FROM packs WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?;
    match owner {
        Some(owner) if owner.as_slice() != publisher.to_bytes().as_slice() => {
            let owner: [u8; 32] = owner
                .try_into()
                .map_err(|_| StoreError::Damaged(format!("the publisher of pack {id}")))?;
            Err(StoreError::NotYourPack {
                id: id.to_owned(),
                owner: PublicKey::from_bytes(&owner)?.fingerprint(),
            })
        }
        _ => Ok(()),
    }
}

/// Removes an installed older version of the pack (keeping the learner's data); refuses an
/// equal or newer one. Returns the version replaced.
fn replace_older(
    tx: &Transaction<'_>,
    id: &str,
    offered: &str,
) -> Result<Option<String>, StoreError> {
    let installed: Option<String> = tx
        .query_row("SELECT version FROM packs WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?;
    let Some(installed) = installed else {
        return Ok(None);
    };
    if !is_newer(offered, &installed) {
        return Err(StoreError::NotNewer {
            id: id.to_owned(),
            installed,
            offered: offered.to_owned(),
        });
    }
    tx.execute("DELETE FROM packs WHERE id = ?1", [id])?;
    Ok(Some(installed))
}

fn drop_unused_chunks(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM chunks WHERE hash NOT IN (SELECT chunk_hash FROM pack_chunks)",
        [],
    )?;
    Ok(())
}

/// True when `offered` is a newer `MAJOR.MINOR.PATCH` than `installed`.
fn is_newer(offered: &str, installed: &str) -> bool {
    matches!((parse_version(offered), parse_version(installed)), (Some(o), Some(i)) if o > i)
}

#[cfg(test)]
mod tests;
