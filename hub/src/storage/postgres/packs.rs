//! Publishers and published packs on PostgreSQL: who may publish, storing a pack's
//! description once by hash (its bytes are in the pack store), the catalog a group sees, and
//! where a pack's or a chunk's bytes are. A pack stored before packs moved to the pack store
//! keeps its bytes in parts (`pack_parts`) until `hub move-packs` moves it.

use skillpack_core::keys::PublicKey;
use skillpack_core::protocol::{CatalogEntry, PublishResponse};

use super::{in_scope, iso, PgHub};
use crate::error::HubError;
use crate::storage::rows::{ChunkPlace, PackPlace};
use crate::storage::rows::{CodeRow, PublishRefusal};
use crate::storage::rules::stored_pack_hash;
use crate::storage::rules::{
    grouped_code, modules_json, newest_of_each, publish_response, CatalogColumns,
};
use crate::storage::{NewPack, Scope};

impl PgHub {
    pub(crate) async fn add_publisher(&self, key: PublicKey, name: String) -> Result<(), HubError> {
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO publishers (public_key, name, added_at) VALUES ($1, $2, now())
                 ON CONFLICT (public_key) DO UPDATE SET name = excluded.name",
                &[&key.to_bytes().as_slice(), &name],
            )
            .await?;
        Ok(())
    }

    pub(crate) async fn is_publisher(&self, key: PublicKey) -> Result<bool, HubError> {
        let client = self.pool.get().await?;
        let row = client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM publishers WHERE public_key = $1)",
                &[&key.to_bytes().as_slice()],
            )
            .await?;
        Ok(row.get(0))
    }

    pub(crate) async fn put_pack(
        &self,
        pack: NewPack,
    ) -> Result<Result<PublishResponse, PublishRefusal>, HubError> {
        let modules = modules_json(&pack)?;
        let size = i64::try_from(pack.size).unwrap_or(i64::MAX);
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // One publication of an id at a time across hub instances, so two uploads of one
        // version with different content cannot both be stored.
        tx.execute("SELECT pg_advisory_xact_lock(hashtext($1))", &[&pack.id])
            .await?;
        let have = tx
            .query_opt(
                "SELECT 1 FROM packs WHERE hash = $1",
                &[&pack.hash.as_slice()],
            )
            .await?
            .is_some();
        if have {
            let offered = offer(&tx, &pack).await?;
            tx.commit().await?;
            return Ok(Ok(publish_response(&pack, false, offered)));
        }
        let other = tx
            .query_opt(
                "SELECT 1 FROM packs WHERE id = $1 AND version = $2 AND variant = $3",
                &[&pack.id, &pack.version, &pack.variant],
            )
            .await?
            .is_some();
        if other {
            return Ok(Err(PublishRefusal::VersionTaken {
                id: pack.id.clone(),
                version: pack.version.clone(),
                variant: pack.variant.clone(),
            }));
        }
        tx.execute(
            "INSERT INTO packs (hash, id, version, publisher, variant, modules, size, published_at, bytes_in_db)
             VALUES ($1, $2, $3, $4, $5, $6, $7, now(), false)",
            &[
                &pack.hash.as_slice(),
                &pack.id,
                &pack.version,
                &pack.publisher.to_bytes().as_slice(),
                &pack.variant,
                &modules,
                &size,
            ],
        )
        .await?;
        for chunk in &pack.chunks {
            let offset = i64::try_from(chunk.offset).unwrap_or(i64::MAX);
            let len = i64::try_from(chunk.len).unwrap_or(i64::MAX);
            tx.execute(
                "INSERT INTO chunks (hash, pack_hash, \"offset\", len) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (hash) DO NOTHING",
                &[&chunk.hash.as_slice(), &pack.hash.as_slice(), &offset, &len],
            )
            .await?;
        }
        for (module, body) in &pack.module_bodies {
            tx.execute(
                "INSERT INTO pack_modules (pack_hash, module_id, body) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                &[&pack.hash.as_slice(), module, body],
            )
            .await?;
        }
        offer(&tx, &pack).await?;
        tx.commit().await?;
        Ok(Ok(publish_response(&pack, true, true)))
    }

    pub(crate) async fn pack_owner(&self, id: String) -> Result<Option<Vec<u8>>, HubError> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                "SELECT publisher FROM packs WHERE id = $1 ORDER BY published_at, hash LIMIT 1",
                &[&id],
            )
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    pub(crate) async fn catalog(&self, group: String) -> Result<Vec<CatalogEntry>, HubError> {
        let client = self.pool.get().await?;
        // Only the owner's versions: the publisher of an id's first pack, in any group.
        let rows = client
            .query(
                "SELECT p.hash, p.id, p.version, p.size, p.variant, p.publisher, p.modules
                 FROM offers f JOIN packs p ON p.hash = f.pack_hash
                 WHERE f.grp = $1 AND p.publisher = (SELECT o.publisher FROM packs o WHERE o.id = p.id
                                                     ORDER BY o.published_at, o.hash LIMIT 1)
                 ORDER BY p.id",
                &[&group],
            )
            .await?;
        let entries = rows
            .iter()
            .map(|row| {
                CatalogColumns {
                    hash: row.get(0),
                    id: row.get(1),
                    version: row.get(2),
                    size: row.get(3),
                    variant: row.get(4),
                    publisher: row.get(5),
                    modules: row.get(6),
                }
                .decode()
            })
            .collect::<Result<_, _>>()?;
        Ok(newest_of_each(entries))
    }

    pub(crate) async fn catalog_generation(&self) -> Result<i64, HubError> {
        let client = self.pool.get().await?;
        let row = client
            .query_one(
                "SELECT generation FROM catalog_generation WHERE id = 1",
                &[],
            )
            .await?;
        Ok(row.get(0))
    }

    pub(crate) async fn pack_place(&self, hash: [u8; 32]) -> Result<Option<PackPlace>, HubError> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                "SELECT size, bytes_in_db FROM packs WHERE hash = $1",
                &[&hash.as_slice()],
            )
            .await?;
        Ok(row.map(|r| PackPlace {
            size: u64::try_from(r.get::<_, i64>(0)).unwrap_or(0),
            in_db: r.get(1),
        }))
    }

    pub(crate) async fn chunk_place(&self, hash: [u8; 32]) -> Result<Option<ChunkPlace>, HubError> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                "SELECT c.pack_hash, c.\"offset\", c.len, p.bytes_in_db
                 FROM chunks c JOIN packs p ON p.hash = c.pack_hash WHERE c.hash = $1",
                &[&hash.as_slice()],
            )
            .await?;
        row.map(|r| {
            Ok(ChunkPlace {
                pack: stored_pack_hash(r.get(0))?,
                offset: u64::try_from(r.get::<_, i64>(1)).unwrap_or(0),
                len: u64::try_from(r.get::<_, i64>(2)).unwrap_or(0),
                in_db: r.get(3),
            })
        })
        .transpose()
    }

    pub(crate) async fn pack_range_in_db(
        &self,
        hash: [u8; 32],
        start: i64,
        len: i64,
    ) -> Result<Vec<u8>, HubError> {
        let client = self.pool.get().await?;
        read_range(&client, hash.as_slice(), start, len).await
    }

    pub(crate) async fn packs_in_db(&self) -> Result<Vec<([u8; 32], u64)>, HubError> {
        self.pack_list("SELECT hash, size FROM packs WHERE bytes_in_db ORDER BY hash")
            .await
    }

    pub(crate) async fn packs_in_store(&self) -> Result<Vec<([u8; 32], u64)>, HubError> {
        self.pack_list("SELECT hash, size FROM packs WHERE NOT bytes_in_db ORDER BY hash")
            .await
    }

    async fn pack_list(&self, sql: &str) -> Result<Vec<([u8; 32], u64)>, HubError> {
        let client = self.pool.get().await?;
        client
            .query(sql, &[])
            .await?
            .iter()
            .map(|r| {
                Ok((
                    stored_pack_hash(r.get(0))?,
                    u64::try_from(r.get::<_, i64>(1)).unwrap_or(0),
                ))
            })
            .collect()
    }

    pub(crate) async fn bytes_moved_out(&self, hash: [u8; 32]) -> Result<(), HubError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "UPDATE packs SET bytes_in_db = false WHERE hash = $1",
            &[&hash.as_slice()],
        )
        .await?;
        tx.execute(
            "DELETE FROM pack_parts WHERE pack_hash = $1",
            &[&hash.as_slice()],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// `len` bytes from `start` of a pack: the overlapping slice of each part that holds some.
async fn read_range(
    client: &deadpool_postgres::Client,
    pack: &[u8],
    start: i64,
    len: i64,
) -> Result<Vec<u8>, HubError> {
    let end = start.saturating_add(len);
    // substring on bytea takes int; a part is at most a few MiB (one old pack at most 256).
    let rows = client
        .query(
            "SELECT substring(bytes from (greatest($2 - start, 0) + 1)::int
                              for (least($3, start + length(bytes)) - greatest($2, start))::int)
             FROM pack_parts
             WHERE pack_hash = $1 AND start < $3 AND start + length(bytes) > $2
             ORDER BY start",
            &[&pack, &start, &end],
        )
        .await?;
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    for row in rows {
        bytes.extend_from_slice(row.get::<_, &[u8]>(0));
    }
    Ok(bytes)
}

/// Offers a stored pack to the pack's group; true when it was not offered there before.
async fn offer(tx: &deadpool_postgres::Transaction<'_>, pack: &NewPack) -> Result<bool, HubError> {
    let added = tx
        .execute(
            "INSERT INTO offers (pack_hash, grp, offered_at) VALUES ($1, $2, now())
             ON CONFLICT DO NOTHING",
            &[&pack.hash.as_slice(), &pack.group],
        )
        .await?;
    Ok(added > 0)
}

impl PgHub {
    pub(crate) async fn withdraw(&self, group: String, id: String) -> Result<u64, HubError> {
        let client = self.pool.get().await?;
        Ok(client
            .execute(
                "DELETE FROM offers WHERE grp = $1
                 AND pack_hash IN (SELECT hash FROM packs WHERE id = $2)",
                &[&group, &id],
            )
            .await?)
    }

    pub(crate) async fn enrolment_codes(&self, scope: Scope) -> Result<Vec<CodeRow>, HubError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT code, grp, uses_left, expires_at, {}, {} FROM enrolments
                     WHERE {} ORDER BY grp, created_at, code",
                    iso("created_at"),
                    iso("revoked_at"),
                    in_scope("grp", "$1")
                ),
                &[&scope.groups()],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| CodeRow {
                code: grouped_code(&r.get::<_, String>(0)),
                group: r.get(1),
                uses_left: r
                    .get::<_, Option<i64>>(2)
                    .map(|n| u32::try_from(n).unwrap_or(0)),
                expires_at: r.get(3),
                created_at: r.get(4),
                revoked_at: r.get(5),
            })
            .collect())
    }

    pub(crate) async fn revoke_code(&self, code: String) -> Result<bool, HubError> {
        let client = self.pool.get().await?;
        let changed = client
            .execute(
                "UPDATE enrolments SET revoked_at = now() WHERE code = $1 AND revoked_at IS NULL",
                &[&code],
            )
            .await?;
        Ok(changed > 0)
    }
}
