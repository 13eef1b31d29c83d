//! A pack's bytes wherever they are: in the pack store, or (a pack stored before packs had
//! a store) still in the database until `hub move-packs` moves them; streamed, read by
//! range or by chunk, moved, and the store checked against the database.

use bytes::Bytes;
use futures_util::stream::{BoxStream, StreamExt, TryStreamExt};

use super::{Engine, HubDb, PackPlace};
use crate::error::HubError;

/// Bytes of a pack still in the database read at once while it streams to a client.
const DB_PIECE: u64 = 256 << 10;

/// What [`HubDb::check_pack_store`] found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PackStoreCheck {
    /// Packs the database names whose objects the store holds whole.
    pub held: u64,
    /// Packs the database names that the store lacks (or holds at another length).
    pub missing: Vec<[u8; 32]>,
    /// Objects in the store that the database does not name (an upload a crash cut short
    /// of its row, or a pack of a newer database than this one).
    pub unnamed: u64,
    /// Packs whose bytes are still in the database (`hub move-packs` moves them).
    pub in_db: u64,
}

impl HubDb {
    /// A pack's length, if the hub has it.
    pub async fn pack_len(&self, hash: [u8; 32]) -> Result<Option<u64>, HubError> {
        Ok(on_engine!(self, e => e.pack_place(hash))?.map(|p| p.size))
    }

    /// Bytes `start..end` of a pack (a range the caller checked against [`HubDb::pack_len`]),
    /// as a stream the client takes at its own pace: the hub's memory holds a piece or two,
    /// never the pack. Fails before the first byte when the pack's bytes are missing.
    pub async fn pack_stream(
        &self,
        hash: [u8; 32],
        start: u64,
        end: u64,
    ) -> Result<BoxStream<'static, Result<Bytes, HubError>>, HubError> {
        let place = self.place_of(hash).await?;
        if place.in_db {
            return Ok(self.pieces_in_db(hash, start, end));
        }
        let stream = self.packs.stream(hash, start, end).await?;
        Ok(stream.map_err(HubError::from).boxed())
    }

    /// Bytes `start..end` of a pack at once (for chunks and tests; downloads stream).
    pub async fn pack_range(
        &self,
        hash: [u8; 32],
        start: u64,
        end: u64,
    ) -> Result<Vec<u8>, HubError> {
        let place = self.place_of(hash).await?;
        self.read_range(hash, place.in_db, start, end).await
    }

    /// Where a pack the caller knows is there is kept.
    async fn place_of(&self, hash: [u8; 32]) -> Result<PackPlace, HubError> {
        on_engine!(self, e => e.pack_place(hash))?
            .ok_or_else(|| HubError::Damaged("no such pack".into()))
    }

    async fn read_range(
        &self,
        hash: [u8; 32],
        in_db: bool,
        start: u64,
        end: u64,
    ) -> Result<Vec<u8>, HubError> {
        if !in_db {
            return Ok(self.packs.range(hash, start, end).await?.to_vec());
        }
        let offset = i64::try_from(start).map_err(|e| HubError::Encoding(e.to_string()))?;
        let len = i64::try_from(end.saturating_sub(start))
            .map_err(|e| HubError::Encoding(e.to_string()))?;
        let read = on_engine!(self, e => e.pack_range_in_db(hash, offset, len));
        match read {
            Ok(bytes) if bytes.len() as u64 == end - start => Ok(bytes),
            // `hub move-packs` may have moved it since the read began: from the store then.
            short_or_failed => match on_engine!(self, e => e.pack_place(hash))? {
                Some(place) if !place.in_db => {
                    Ok(self.packs.range(hash, start, end).await?.to_vec())
                }
                _ => short_or_failed,
            },
        }
    }

    /// Bytes `start..end` of a pack still in the database, read a [`DB_PIECE`] at a time as
    /// the client takes them.
    fn pieces_in_db(
        &self,
        hash: [u8; 32],
        start: u64,
        end: u64,
    ) -> BoxStream<'static, Result<Bytes, HubError>> {
        let db = self.clone();
        futures_util::stream::try_unfold(start, move |at| {
            let db = db.clone();
            async move {
                if at >= end {
                    return Ok(None);
                }
                let to = end.min(at.saturating_add(DB_PIECE));
                let piece = db.read_range(hash, true, at, to).await?;
                if piece.len() as u64 != to - at {
                    return Err(HubError::Damaged("a stored pack is short".into()));
                }
                Ok(Some((Bytes::from(piece), to)))
            }
        })
        .boxed()
    }

    /// A chunk's stored bytes by its hash.
    pub async fn chunk(&self, hash: [u8; 32]) -> Result<Option<Vec<u8>>, HubError> {
        let Some(place) = on_engine!(self, e => e.chunk_place(hash))? else {
            return Ok(None);
        };
        let end = place.offset.saturating_add(place.len);
        let bytes = self
            .read_range(place.pack, place.in_db, place.offset, end)
            .await?;
        Ok(Some(bytes))
    }

    /// Moves the bytes of every pack still in the database to the pack store, one pack at a
    /// time: each is stored and durable there before the database lets go of its copy, so
    /// an interrupted move loses nothing and a second run carries on. `moved` hears of each
    /// pack moved (its hash and length); gives how many were moved.
    pub async fn move_packs_to_store(
        &self,
        mut moved: impl FnMut([u8; 32], u64),
    ) -> Result<u64, HubError> {
        let waiting = on_engine!(self, e => e.packs_in_db())?;
        let mut count = 0;
        for (hash, size) in waiting {
            let mut file = tempfile::NamedTempFile::new()?;
            let mut pieces = self.pieces_in_db(hash, 0, size);
            while let Some(piece) = pieces.try_next().await? {
                std::io::Write::write_all(&mut file, &piece)?;
            }
            std::io::Write::flush(&mut file)?;
            self.packs.put_file(hash, file.path(), size).await?;
            on_engine!(self, e => e.bytes_moved_out(hash))?;
            moved(hash, size);
            count += 1;
        }
        Ok(count)
    }

    /// The packs whose bytes are in the pack store, by hash, with their lengths.
    pub async fn packs_in_store(&self) -> Result<Vec<([u8; 32], u64)>, HubError> {
        on_engine!(self, e => e.packs_in_store())
    }

    /// Compares the packs the database names with the objects in the pack store: what an
    /// operator checks after restoring either.
    pub async fn check_pack_store(&self) -> Result<PackStoreCheck, HubError> {
        let named = on_engine!(self, e => e.packs_in_store())?;
        let held: std::collections::HashMap<[u8; 32], u64> = self
            .packs
            .list()
            .await?
            .into_iter()
            .map(|o| (o.hash, o.size))
            .collect();
        let mut check = PackStoreCheck {
            in_db: on_engine!(self, e => e.packs_in_db())?.len() as u64,
            ..Default::default()
        };
        for (hash, size) in &named {
            match held.get(hash) {
                Some(found) if found == size => check.held += 1,
                _ => check.missing.push(*hash),
            }
        }
        let named: std::collections::HashSet<_> = named.iter().map(|(h, _)| *h).collect();
        check.unnamed = held.keys().filter(|h| !named.contains(*h)).count() as u64;
        Ok(check)
    }
}
