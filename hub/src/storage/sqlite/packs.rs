//! Publishers and published packs on SQLite: who may publish, storing a pack's description
//! once by hash (its bytes are in the pack store), the catalog a group sees, and where a
//! pack's or a chunk's bytes are. A pack stored before packs moved to the pack store is one
//! blob in `pack_bytes` until `hub move-packs` moves it, read in pieces through SQLite's
//! incremental blob I/O: reading a blob as a column value (`substr` included) loads all of it.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior, MAIN_DB};
use skillpack_core::keys::PublicKey;
use skillpack_core::protocol::{CatalogEntry, PublishResponse};

use super::{in_scope, scope_param, SqliteHub, NOW};
use crate::error::HubError;
use crate::storage::rows::{ChunkPlace, PackPlace};
use crate::storage::rows::{CodeRow, PublishRefusal};
use crate::storage::rules::stored_pack_hash;
use crate::storage::rules::{
    grouped_code, modules_json, newest_of_each, publish_response, CatalogColumns,
};
use crate::storage::{NewPack, Scope};

impl SqliteHub {
    pub(crate) async fn add_publisher(&self, key: PublicKey, name: String) -> Result<(), HubError> {
        self.run(move |db| {
            db.lock().execute(
                &format!(
                    "INSERT INTO publishers (public_key, name, added_at) VALUES (?1, ?2, {NOW})
                     ON CONFLICT (public_key) DO UPDATE SET name = excluded.name"
                ),
                params![key.to_bytes().as_slice(), name],
            )?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn is_publisher(&self, key: PublicKey) -> Result<bool, HubError> {
        self.run(move |db| {
            Ok(db.read().query_row(
                "SELECT EXISTS (SELECT 1 FROM publishers WHERE public_key = ?1)",
                [key.to_bytes().as_slice()],
                |r| r.get(0),
            )?)
        })
        .await
    }

    pub(crate) async fn put_pack(
        &self,
        pack: NewPack,
    ) -> Result<Result<PublishResponse, PublishRefusal>, HubError> {
        self.run(move |db| {
            let modules = modules_json(&pack)?;
            let mut conn = db.lock();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let have: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM packs WHERE hash = ?1)",
                [pack.hash.as_slice()],
                |r| r.get(0),
            )?;
            if have {
                let offered = offer(&tx, &pack)?;
                tx.commit()?;
                return Ok(Ok(publish_response(&pack, false, offered)));
            }
            let other: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM packs WHERE id = ?1 AND version = ?2 AND variant = ?3)",
                params![pack.id, pack.version, pack.variant],
                |r| r.get(0),
            )?;
            if other {
                return Ok(Err(PublishRefusal::VersionTaken {
                    id: pack.id.clone(),
                    version: pack.version.clone(),
                    variant: pack.variant.clone(),
                }));
            }
            tx.execute(
                &format!(
                    "INSERT INTO packs (hash, id, version, publisher, variant, modules, size, published_at, bytes_in_db)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, {NOW}, 0)"
                ),
                params![
                    pack.hash.as_slice(),
                    pack.id,
                    pack.version,
                    pack.publisher.to_bytes().as_slice(),
                    pack.variant,
                    modules,
                    i64::try_from(pack.size).unwrap_or(i64::MAX),
                ],
            )?;
            for chunk in &pack.chunks {
                tx.execute(
                    "INSERT OR IGNORE INTO chunks (hash, pack_hash, offset, len) VALUES (?1, ?2, ?3, ?4)",
                    params![
                        chunk.hash.as_slice(),
                        pack.hash.as_slice(),
                        i64::try_from(chunk.offset).unwrap_or(i64::MAX),
                        i64::try_from(chunk.len).unwrap_or(i64::MAX)
                    ],
                )?;
            }
            for (module, body) in &pack.module_bodies {
                tx.execute(
                    "INSERT OR IGNORE INTO pack_modules (pack_hash, module_id, body) VALUES (?1, ?2, ?3)",
                    params![pack.hash.as_slice(), module, body],
                )?;
            }
            offer(&tx, &pack)?;
            tx.commit()?;
            Ok(Ok(publish_response(&pack, true, true)))
        })
        .await
    }

    pub(crate) async fn pack_owner(&self, id: String) -> Result<Option<Vec<u8>>, HubError> {
        self.run(move |db| {
            Ok(db
                .read()
                .query_row(
                    "SELECT publisher FROM packs WHERE id = ?1 ORDER BY published_at, rowid LIMIT 1",
                    [id],
                    |r| r.get(0),
                )
                .optional()?)
        })
        .await
    }

    pub(crate) async fn catalog(&self, group: String) -> Result<Vec<CatalogEntry>, HubError> {
        self.run(move |db| {
            let conn = db.read();
            // Only the owner's versions: the publisher of an id's first pack, in any group.
            let mut stmt = conn.prepare_cached(
                "SELECT p.hash, p.id, p.version, p.size, p.variant, p.publisher, p.modules
                 FROM offers f JOIN packs p ON p.hash = f.pack_hash
                 WHERE f.grp = ?1 AND p.publisher = (SELECT o.publisher FROM packs o WHERE o.id = p.id
                                                     ORDER BY o.published_at, o.rowid LIMIT 1)
                 ORDER BY p.id",
            )?;
            let rows = stmt
                .query_map([group], |r| {
                    Ok(CatalogColumns {
                        hash: r.get(0)?,
                        id: r.get(1)?,
                        version: r.get(2)?,
                        size: r.get(3)?,
                        variant: r.get(4)?,
                        publisher: r.get(5)?,
                        modules: r.get(6)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let entries = rows
                .into_iter()
                .map(CatalogColumns::decode)
                .collect::<Result<_, _>>()?;
            Ok(newest_of_each(entries))
        })
        .await
    }

    pub(crate) async fn catalog_generation(&self) -> Result<i64, HubError> {
        self.run(move |db| {
            Ok(db.read().query_row(
                "SELECT generation FROM catalog_generation WHERE id = 1",
                [],
                |r| r.get(0),
            )?)
        })
        .await
    }

    pub(crate) async fn pack_place(&self, hash: [u8; 32]) -> Result<Option<PackPlace>, HubError> {
        self.run(move |db| {
            let place: Option<(i64, bool)> = db
                .read()
                .query_row(
                    "SELECT size, bytes_in_db FROM packs WHERE hash = ?1",
                    [hash.as_slice()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            Ok(place.map(|(size, in_db)| PackPlace {
                size: u64::try_from(size).unwrap_or(0),
                in_db,
            }))
        })
        .await
    }

    pub(crate) async fn chunk_place(&self, hash: [u8; 32]) -> Result<Option<ChunkPlace>, HubError> {
        self.run(move |db| {
            let place: Option<(Vec<u8>, i64, i64, bool)> = db
                .read()
                .query_row(
                    "SELECT c.pack_hash, c.offset, c.len, p.bytes_in_db
                     FROM chunks c JOIN packs p ON p.hash = c.pack_hash WHERE c.hash = ?1",
                    [hash.as_slice()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            place
                .map(|(pack, offset, len, in_db)| {
                    Ok(ChunkPlace {
                        pack: stored_pack_hash(&pack)?,
                        offset: u64::try_from(offset).unwrap_or(0),
                        len: u64::try_from(len).unwrap_or(0),
                        in_db,
                    })
                })
                .transpose()
        })
        .await
    }

    pub(crate) async fn pack_range_in_db(
        &self,
        hash: [u8; 32],
        start: i64,
        len: i64,
    ) -> Result<Vec<u8>, HubError> {
        self.run(move |db| {
            let conn = db.read();
            let rowid: i64 = conn.query_row(
                "SELECT rowid FROM pack_bytes WHERE hash = ?1",
                [hash.as_slice()],
                |r| r.get(0),
            )?;
            read_blob(&conn, rowid, start, len)
        })
        .await
    }

    pub(crate) async fn packs_in_db(&self) -> Result<Vec<([u8; 32], u64)>, HubError> {
        self.pack_list("SELECT hash, size FROM packs WHERE bytes_in_db ORDER BY hash")
            .await
    }

    pub(crate) async fn packs_in_store(&self) -> Result<Vec<([u8; 32], u64)>, HubError> {
        self.pack_list("SELECT hash, size FROM packs WHERE NOT bytes_in_db ORDER BY hash")
            .await
    }

    async fn pack_list(&self, sql: &'static str) -> Result<Vec<([u8; 32], u64)>, HubError> {
        self.run(move |db| {
            let conn = db.read();
            let mut stmt = conn.prepare_cached(sql)?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter()
                .map(|(hash, size)| {
                    Ok((stored_pack_hash(&hash)?, u64::try_from(size).unwrap_or(0)))
                })
                .collect()
        })
        .await
    }

    pub(crate) async fn bytes_moved_out(&self, hash: [u8; 32]) -> Result<(), HubError> {
        self.run(move |db| {
            let mut conn = db.lock();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "UPDATE packs SET bytes_in_db = 0 WHERE hash = ?1",
                [hash.as_slice()],
            )?;
            tx.execute("DELETE FROM pack_bytes WHERE hash = ?1", [hash.as_slice()])?;
            tx.commit()?;
            Ok(())
        })
        .await
    }
}

/// `len` bytes from `start` of the pack in row `rowid`, read alone.
fn read_blob(conn: &Connection, rowid: i64, start: i64, len: i64) -> Result<Vec<u8>, HubError> {
    let blob = conn.blob_open(MAIN_DB, c"pack_bytes", c"bytes", rowid, true)?;
    let start = usize::try_from(start).map_err(|e| HubError::Encoding(e.to_string()))?;
    let len = usize::try_from(len).map_err(|e| HubError::Encoding(e.to_string()))?;
    let len = len.min(blob.len().saturating_sub(start));
    let mut bytes = vec![0u8; len];
    blob.read_at_exact(&mut bytes, start)?;
    Ok(bytes)
}

/// Offers a stored pack to the pack's group; true when it was not offered there before.
fn offer(tx: &rusqlite::Transaction<'_>, pack: &NewPack) -> Result<bool, HubError> {
    let added = tx.execute(
        &format!(
            "INSERT OR IGNORE INTO offers (pack_hash, grp, offered_at) VALUES (?1, ?2, {NOW})"
        ),
        params![pack.hash.as_slice(), pack.group],
    )?;
    Ok(added > 0)
}

impl SqliteHub {
    pub(crate) async fn withdraw(&self, group: String, id: String) -> Result<u64, HubError> {
        self.run(move |db| {
            let removed = db.lock().execute(
                "DELETE FROM offers WHERE grp = ?1
                 AND pack_hash IN (SELECT hash FROM packs WHERE id = ?2)",
                params![group, id],
            )?;
            Ok(removed as u64)
        })
        .await
    }

    pub(crate) async fn enrolment_codes(&self, scope: Scope) -> Result<Vec<CodeRow>, HubError> {
        let scope = scope_param(&scope)?;
        self.run(move |db| {
            let conn = db.read();
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT code, grp, uses_left, expires_at, created_at, revoked_at FROM enrolments
                 WHERE {} ORDER BY grp, created_at, code",
                in_scope("grp", "?1")
            ))?;
            let rows = stmt.query_map([scope], |r| {
                Ok(CodeRow {
                    code: grouped_code(&r.get::<_, String>(0)?),
                    group: r.get(1)?,
                    uses_left: r
                        .get::<_, Option<i64>>(2)?
                        .map(|n| u32::try_from(n).unwrap_or(0)),
                    expires_at: r.get(3)?,
                    created_at: r.get(4)?,
                    revoked_at: r.get(5)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    pub(crate) async fn revoke_code(&self, code: String) -> Result<bool, HubError> {
        self.run(move |db| {
            let changed = db.lock().execute(
                &format!(
                    "UPDATE enrolments SET revoked_at = {NOW} WHERE code = ?1 AND revoked_at IS NULL"
                ),
                [code],
            )?;
            Ok(changed > 0)
        })
        .await
    }
}
