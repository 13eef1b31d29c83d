//! Publishers and published packs on PostgreSQL: who may publish, storing a pack once by
//! hash, the catalog a group sees, and a pack's bytes or one chunk's. A pack's bytes are
//! parts of at most [`PIECE`] bytes (`pack_parts`): a bytea is sent and received whole, so
//! one value per pack would hold the whole pack in the hub's memory to store or serve it.

use skillpack_core::keys::PublicKey;
use skillpack_core::protocol::{CatalogEntry, PublishResponse};
use tokio::io::AsyncReadExt;

use super::PgHub;
use crate::error::HubError;
use crate::storage::rows::{modules_json, newest_of_each, publish_response, CatalogColumns};
use crate::storage::{NewPack, PIECE};

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

    pub(crate) async fn put_pack(&self, pack: NewPack) -> Result<PublishResponse, HubError> {
        let modules = modules_json(&pack)?;
        let size = i64::try_from(pack.size).unwrap_or(i64::MAX);
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let inserted = tx
            .execute(
                "INSERT INTO packs (hash, id, version, grp, publisher, variant, modules, size, published_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now()) ON CONFLICT (hash) DO NOTHING",
                &[
                    &pack.hash.as_slice(),
                    &pack.id,
                    &pack.version,
                    &pack.group,
                    &pack.publisher.to_bytes().as_slice(),
                    &pack.variant,
                    &modules,
                    &size,
                ],
            )
            .await?;
        if inserted == 0 {
            return Ok(publish_response(&pack, false));
        }
        let mut file = tokio::fs::File::open(&pack.file).await?;
        let mut start = 0i64;
        loop {
            let mut piece = Vec::with_capacity(PIECE);
            (&mut file)
                .take(PIECE as u64)
                .read_to_end(&mut piece)
                .await?;
            if piece.is_empty() {
                break;
            }
            tx.execute(
                "INSERT INTO pack_parts (pack_hash, start, bytes) VALUES ($1, $2, $3)",
                &[&pack.hash.as_slice(), &start, &piece],
            )
            .await?;
            start += i64::try_from(piece.len()).unwrap_or(i64::MAX);
        }
        if start != size {
            return Err(HubError::Damaged(
                "the pack file changed while stored".into(),
            ));
        }
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
        tx.commit().await?;
        Ok(publish_response(&pack, true))
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
                "SELECT hash, id, version, size, variant, publisher, modules FROM packs p
                 WHERE grp = $1 AND publisher = (SELECT o.publisher FROM packs o WHERE o.id = p.id
                                                 ORDER BY o.published_at, o.hash LIMIT 1)
                 ORDER BY id",
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

    pub(crate) async fn pack_len(&self, hash: [u8; 32]) -> Result<Option<u64>, HubError> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                "SELECT size FROM packs WHERE hash = $1",
                &[&hash.as_slice()],
            )
            .await?;
        Ok(row.map(|r| u64::try_from(r.get::<_, i64>(0)).unwrap_or(0)))
    }

    pub(crate) async fn pack_range(
        &self,
        hash: [u8; 32],
        start: i64,
        len: i64,
    ) -> Result<Vec<u8>, HubError> {
        let client = self.pool.get().await?;
        read_range(&client, hash.as_slice(), start, len).await
    }

    pub(crate) async fn chunk(&self, hash: [u8; 32]) -> Result<Option<Vec<u8>>, HubError> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                "SELECT pack_hash, \"offset\", len FROM chunks WHERE hash = $1",
                &[&hash.as_slice()],
            )
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let pack: Vec<u8> = row.get(0);
        Ok(Some(
            read_range(&client, &pack, row.get(1), row.get(2)).await?,
        ))
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
