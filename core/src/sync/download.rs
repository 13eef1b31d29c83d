//! Downloading one pack so that it can neither get stuck nor flood the phone: its size is
//! capped before a byte moves, the phone must keep room free, every byte is proven as it
//! arrives ([`PackStream`]: a web page or a pack from an untrusted publisher is refused at
//! its first bytes, a flipped byte at the chunk that holds it), a cut download keeps what was
//! proven and resumes there with an HTTP range, and a stalled one stops. The bytes land in
//! `<hash>.part` and become `<hash>.skillpack` only once all of them are proven.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use reqwest::header::{CONTENT_RANGE, RANGE};
use reqwest::StatusCode;

use super::http::Within;
use super::policy::STALL_BYTES;
use super::{Bytes, HubClient, SyncError};
use crate::hash::ContentHash;
use crate::keys::PublicKey;
use crate::pack::{PackError, PackStream};
use crate::protocol::endpoint;

/// Bytes an install needs besides the downloaded pack, per byte of pack: the store keeps its
/// own copy and what it unpacks.
const INSTALL_FACTOR: u64 = 3;

/// Size of one read from the network (and the unit a cancellation is heard in).
const PIECE: usize = 64 * 1024;

/// A pack to download: its name, size as the catalog gives it, and whom to trust.
pub(super) struct Wanted<'a> {
    /// The catalog's hash of the pack (64 hex digits, checked).
    pub hash: ContentHash,
    /// The size the catalog gives.
    pub size: u64,
    /// Publishers the device trusts.
    pub trusted: &'a [PublicKey],
}

impl HubClient {
    /// Downloads a pack into `dir`, resuming what a cut download proved, trying again after
    /// a failure of the network or of a chunk in transit; returns the complete file.
    pub(super) fn fetch_pack(
        &self,
        wanted: &Wanted<'_>,
        dir: &Path,
        bytes: &mut Bytes<'_>,
        within: Within<'_>,
    ) -> Result<PathBuf, SyncError> {
        self.check_size(wanted)?;
        std::fs::create_dir_all(dir)?;
        let part = dir.join(format!("{}.part", wanted.hash));
        let result = self.with_retries(within, |_| self.fetch_once(wanted, &part, bytes, within));
        match result {
            Ok(()) => {
                let done = dir.join(format!("{}.skillpack", wanted.hash));
                std::fs::rename(&part, &done)?;
                Ok(done)
            }
            Err(e) => {
                if !keeps_partial(&e) {
                    let _ = std::fs::remove_file(&part);
                }
                Err(e)
            }
        }
    }

    /// Refuses a pack the catalog gives no size, or a size over the policy's cap, before a
    /// byte of it moves.
    pub(super) fn check_size(&self, wanted: &Wanted<'_>) -> Result<(), SyncError> {
        if wanted.size == 0 {
            return Err(SyncError::BadAnswer(
                "the catalog gives the pack no size".into(),
            ));
        }
        if wanted.size > self.policy.max_pack {
            return Err(SyncError::TooLarge {
                size: wanted.size,
                max: self.policy.max_pack,
            });
        }
        Ok(())
    }

    /// One request for the rest of the pack after what `part` holds and proves.
    fn fetch_once(
        &self,
        wanted: &Wanted<'_>,
        part: &Path,
        bytes: &mut Bytes<'_>,
        within: Within<'_>,
    ) -> Result<(), SyncError> {
        let (mut file, mut stream) = resume(part, wanted)?;
        let have = stream.proven_len();
        bytes.reached(have);
        if stream.is_complete() {
            return Ok(());
        }
        self.check_room(part, wanted.size.saturating_sub(have), wanted.size)?;
        let mut request = self
            .http
            .get(self.url(&endpoint::pack(&wanted.hash.to_hex())));
        if have > 0 {
            request = request.header(RANGE, format!("bytes={have}-"));
        }
        let mut response = self.send(request)?;
        match response.status() {
            StatusCode::PARTIAL_CONTENT if starts_at(&response, have) => {}
            StatusCode::OK if have == 0 => {}
            StatusCode::OK => {
                // The hub sent the whole pack after all: start again from its first byte.
                file.set_len(0)?;
                file.seek(SeekFrom::Start(0))?;
                stream = fresh(wanted);
                bytes.reached(0);
            }
            status => {
                return Err(SyncError::BadAnswer(format!(
                    "the hub answered a range request with {status}"
                )))
            }
        }
        let mut piece = vec![0u8; PIECE];
        let mut window = (Instant::now(), 0u64);
        while !stream.is_complete() {
            if within.progress.is_cancelled() {
                return Err(SyncError::Cancelled);
            }
            if within.deadline.passed() {
                return Err(SyncError::OutOfTime);
            }
            let n = response
                .read(&mut piece)
                .map_err(|e| SyncError::Offline(format!("the download was cut: {e}")))?;
            if n == 0 {
                return Err(SyncError::Offline("the download was cut".into()));
            }
            self.count(n as u64);
            let n = match stream.feed(&piece[..n]) {
                Ok(taken) => taken,
                Err(e) => {
                    // Keep what this piece proved (the chunks before the wrong one).
                    file.write_all(&piece[..n])?;
                    stream.rewind();
                    file.set_len(stream.proven_len())?;
                    return Err(e.into());
                }
            };
            if stream
                .expected_len()
                .is_some_and(|len| len > self.policy.max_pack)
            {
                return Err(SyncError::TooLarge {
                    size: stream.expected_len().unwrap_or(0),
                    max: self.policy.max_pack,
                });
            }
            file.write_all(&piece[..n])?;
            bytes.add(n as u64);
            window = stalled(window, n as u64, self.policy.stall)?;
        }
        file.sync_all()?;
        Ok(())
    }

    /// Fails with [`SyncError::NoRoom`] unless the phone has room for `remaining` more bytes
    /// of download, the install of a `size`-byte pack, and the reserve.
    pub(super) fn check_room(
        &self,
        part: &Path,
        remaining: u64,
        size: u64,
    ) -> Result<(), SyncError> {
        let dir = part.parent().unwrap_or(Path::new("."));
        let free = fs4::available_space(dir)?;
        let need = remaining
            .saturating_add(size.saturating_mul(INSTALL_FACTOR))
            .saturating_add(self.policy.reserve);
        if free < need {
            return Err(SyncError::NoRoom { need, free });
        }
        Ok(())
    }
}

/// Opens `part` and proves what it holds; what does not prove is cut off (a file spliced
/// from two answers, a portal's page, a spoiled byte, the unfinished end of a chunk), so the
/// download resumes after the last good chunk.
fn resume(part: &Path, wanted: &Wanted<'_>) -> Result<(File, PackStream), SyncError> {
    let mut file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(part)?;
    let mut stream = fresh(wanted);
    let mut piece = vec![0u8; PIECE];
    loop {
        let n = file.read(&mut piece)?;
        if n == 0 {
            break;
        }
        if let Err(e) = stream.feed(&piece[..n]) {
            if matches!(
                e,
                PackError::Untrusted(_) | PackError::NotTheOneAsked { .. }
            ) {
                return Err(e.into());
            }
            break;
        }
    }
    stream.rewind();
    file.set_len(stream.proven_len())?;
    file.seek(SeekFrom::Start(stream.proven_len()))?;
    Ok((file, stream))
}

pub(super) fn fresh(wanted: &Wanted<'_>) -> PackStream {
    PackStream::new(wanted.hash, wanted.trusted.to_vec())
}

/// Whether a 206 answer's `Content-Range` starts where the download stopped.
pub(super) fn starts_at(response: &reqwest::blocking::Response, have: u64) -> bool {
    response
        .headers()
        .get(CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("bytes "))
        .and_then(|v| v.split('-').next())
        .and_then(|start| start.parse::<u64>().ok())
        == Some(have)
}

/// Counts `n` more bytes in the current window; fails when a whole window moved less than
/// [`STALL_BYTES`].
fn stalled(
    (since, moved): (Instant, u64),
    n: u64,
    stall: std::time::Duration,
) -> Result<(Instant, u64), SyncError> {
    let moved = moved + n;
    if since.elapsed() < stall {
        return Ok((since, moved));
    }
    if moved < STALL_BYTES {
        return Err(SyncError::Offline("the download stalled".into()));
    }
    Ok((Instant::now(), 0))
}

/// Whether a failed download keeps its proven part for the next sync: yes when the network
/// or the time failed, no when the bytes or the pack were wrong.
fn keeps_partial(e: &SyncError) -> bool {
    matches!(
        e,
        SyncError::Offline(_)
            | SyncError::OutOfTime
            | SyncError::Cancelled
            | SyncError::NoRoom { .. }
    ) || matches!(e, SyncError::Refused { status, .. } if *status >= 500)
}
