//! Updating an installed pack by what changed. The new version's header and signed head come
//! first (two range requests), and are proven as any download's are: signed by a trusted
//! publisher, the very pack the catalog names. The file is then assembled item by item, in
//! order (format 2's manifest pages and parts, then the chunks), from what the device already
//! holds and, for what it lacks, from the hub by hash; every item is proven as it goes, and
//! the finished file is installed like any download, every byte checked again. Only the head,
//! the changed pages and parts and the new chunks cross the network.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use reqwest::header::RANGE;
use reqwest::StatusCode;

use super::download::{fresh, starts_at, Wanted};
use super::http::Within;
use super::{Bytes, HubClient, SyncError};
use crate::hash::ContentHash;
use crate::pack::{Header, Limits, HEADER_LEN};
use crate::protocol::endpoint;
use crate::store::Store;

impl HubClient {
    /// Assembles the new version of an installed pack in `dir` from the chunks `store` holds
    /// and those fetched by hash; returns the complete, proven file. Any failure is the
    /// caller's cue to download the whole pack instead.
    pub(super) fn fetch_update(
        &self,
        wanted: &Wanted<'_>,
        store: &Store,
        dir: &Path,
        bytes: &mut Bytes<'_>,
        within: Within<'_>,
    ) -> Result<PathBuf, SyncError> {
        self.check_size(wanted)?;
        std::fs::create_dir_all(dir)?;
        let hash = wanted.hash.to_hex();
        let part = dir.join(format!("{hash}.update"));
        let result = self.assemble(wanted, store, &part, bytes, within);
        match result {
            Ok(()) => {
                let done = dir.join(format!("{hash}.skillpack"));
                std::fs::rename(&part, &done)?;
                Ok(done)
            }
            Err(e) => {
                let _ = std::fs::remove_file(&part);
                Err(e)
            }
        }
    }

    fn assemble(
        &self,
        wanted: &Wanted<'_>,
        store: &Store,
        part: &Path,
        bytes: &mut Bytes<'_>,
        within: Within<'_>,
    ) -> Result<(), SyncError> {
        let hash = wanted.hash.to_hex();
        let mut stream = fresh(wanted);
        let raw_header = self.pack_range(&hash, 0, HEADER_LEN as u64, within)?;
        let header = Header::decode(
            raw_header
                .as_slice()
                .try_into()
                .map_err(|_| SyncError::BadAnswer("a short header".into()))?,
            &Limits::V1,
        )?;
        if header.file_len() != wanted.size {
            return Err(SyncError::BadAnswer(format!(
                "the pack is {} bytes, the catalog says {}",
                header.file_len(),
                wanted.size
            )));
        }
        self.check_room(part, wanted.size, wanted.size)?;
        let head_end = HEADER_LEN as u64 + u64::from(header.manifest_stored_len);
        let stored_manifest = self.pack_range(&hash, HEADER_LEN as u64, head_end, within)?;
        let mut file = File::create(part)?;
        for piece in [&raw_header, &stored_manifest] {
            stream.feed(piece)?;
            file.write_all(piece)?;
            bytes.add(piece.len() as u64);
        }
        // In file order: format 2's pages and parts, then the chunks; each is taken from
        // the device when it holds it (an unchanged page, part or chunk) and fetched by hash
        // when it does not, and proven by the stream before it is written.
        while let Some((wanted, stored_size)) = stream.next_wanted() {
            if within.progress.is_cancelled() {
                return Err(SyncError::Cancelled);
            }
            if within.deadline.passed() {
                return Err(SyncError::OutOfTime);
            }
            let stored = match store.held_chunk(&wanted)? {
                Some(held) => held,
                None => self.fetch_chunk(&wanted, stored_size, within)?,
            };
            stream.feed(&stored)?;
            file.write_all(&stored)?;
            bytes.add(stored.len() as u64);
        }
        if !stream.is_complete() {
            return Err(SyncError::BadAnswer(
                "the assembled pack is not complete".into(),
            ));
        }
        file.sync_all()?;
        Ok(())
    }

    /// Bytes `start..end` of the pack named `hash`: a `206` that starts where asked and holds
    /// exactly that many bytes.
    fn pack_range(
        &self,
        hash: &str,
        start: u64,
        end: u64,
        within: Within<'_>,
    ) -> Result<Vec<u8>, SyncError> {
        self.with_retries(within, |deadline| {
            let request = self
                .http
                .get(self.url(&endpoint::pack(hash)))
                .header(RANGE, format!("bytes={start}-{}", end - 1));
            let response = self.send(request)?;
            if response.status() != StatusCode::PARTIAL_CONTENT || !starts_at(&response, start) {
                return Err(SyncError::BadAnswer(format!(
                    "the hub answered a range request with {}",
                    response.status()
                )));
            }
            let body = self.read_bounded(response, end - start, deadline)?;
            if body.len() as u64 != end - start {
                return Err(SyncError::Offline("the range was cut".into()));
            }
            Ok(body)
        })
    }

    /// One chunk's stored bytes (or a page's or part's), by its hash, checked against it.
    fn fetch_chunk(
        &self,
        hash: &ContentHash,
        stored_size: u64,
        within: Within<'_>,
    ) -> Result<Vec<u8>, SyncError> {
        self.with_retries(within, |deadline| {
            let response = self.get(&endpoint::chunk(&hash.to_hex()))?;
            let stored = self.read_bounded(response, stored_size, deadline)?;
            if ContentHash::of(&stored) != *hash {
                // Spoiled in transit, or a wrong answer: worth another try.
                return Err(SyncError::BadPack(
                    crate::pack::PackError::ChunkHashMismatch { index: 0 },
                ));
            }
            Ok(stored)
        })
    }
}
