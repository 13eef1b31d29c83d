//! Checks a pack's bytes in order as they arrive (a download), so that a wrong byte is caught
//! at the chunk that holds it instead of after the whole file: first the header's bounds,
//! then the publisher's signature over the header and manifest (and that the pack is the
//! one asked for, from a publisher the device trusts), then each chunk against its hash.
//! The length of the prefix proven good is always known, so a download cut or spoiled half
//! way keeps that much and fetches the rest.

use sha2::{Digest, Sha256};

use super::error::PackError;
use super::format::{Header, Limits, HEADER_LEN};
use super::manifest::Manifest;
use super::reader::{open_signed_head, SignedHead};
use super::tree::TreeReader;
use crate::hash::ContentHash;
use crate::keys::PublicKey;

/// A pack being checked as its bytes arrive.
pub struct PackStream {
    expected: ContentHash,
    trusted: Vec<PublicKey>,
    limits: Limits,
    /// Bytes taken so far.
    taken: u64,
    /// The longest prefix proven good (a header and manifest, then whole chunks).
    proven: u64,
    /// The manifest, once the header and manifest are proven.
    manifest: Option<Manifest>,
    stage: Stage,
}

enum Stage {
    /// Collecting the header and the stored manifest.
    Head(Vec<u8>),
    /// Format 2: collecting the next page or part of the manifest (`tree` says which).
    Tree {
        tree: Box<TreeReader>,
        buf: Vec<u8>,
        file_len: u64,
        publisher: PublicKey,
    },
    /// Hashing chunk `next` (chunk ends are offsets from the start of the file).
    Chunks {
        ends: Vec<(u64, ContentHash)>,
        next: usize,
        hasher: Sha256,
        publisher: PublicKey,
    },
    /// Every byte arrived and was proven.
    Complete { publisher: PublicKey },
}

impl PackStream {
    /// Checks the pack named `expected` (the SHA-256 of its header and stored manifest, as a
    /// catalog gives it), signed by one of `trusted`.
    pub fn new(expected: ContentHash, trusted: Vec<PublicKey>) -> Self {
        Self {
            expected,
            trusted,
            limits: Limits::V1,
            taken: 0,
            proven: 0,
            manifest: None,
            stage: Stage::Head(Vec::new()),
        }
    }

    /// The pack's manifest, once its header and manifest arrived and were proven (signed by
    /// a trusted publisher, the pack asked for): what an update needs to know which chunks
    /// it lacks.
    pub fn manifest(&self) -> Option<&Manifest> {
        self.manifest.as_ref()
    }

    /// What the stream takes next, when it stands between items after its head: the hash
    /// and stored length of the next page, part or chunk. An update takes it from the
    /// device or fetches it by hash.
    pub fn next_wanted(&self) -> Option<(ContentHash, u64)> {
        if self.taken != self.proven {
            return None;
        }
        match &self.stage {
            Stage::Tree { tree, .. } => tree.next().map(|item| (item.hash, item.stored_size)),
            Stage::Chunks { ends, next, .. } => {
                let (end, hash) = ends[*next];
                Some((hash, end - self.proven))
            }
            Stage::Head(_) | Stage::Complete { .. } => None,
        }
    }

    /// The longest prefix proven good so far: what a download may keep when a later byte
    /// turns out wrong.
    pub fn proven_len(&self) -> u64 {
        self.proven
    }

    /// Whether every byte of the pack arrived and was proven.
    pub fn is_complete(&self) -> bool {
        matches!(self.stage, Stage::Complete { .. })
    }

    /// The pack's whole length, once its header arrived.
    pub fn expected_len(&self) -> Option<u64> {
        match &self.stage {
            Stage::Head(buf) if buf.len() < HEADER_LEN => None,
            Stage::Head(buf) => header_of(buf, &self.limits).ok().map(|h| h.file_len()),
            Stage::Tree { file_len, .. } => Some(*file_len),
            Stage::Chunks { ends, .. } => Some(ends.last().map_or(self.proven, |(end, _)| *end)),
            Stage::Complete { .. } => Some(self.taken),
        }
    }

    /// The publisher, once the signature was checked.
    pub fn publisher(&self) -> Option<PublicKey> {
        match &self.stage {
            Stage::Head(_) => None,
            Stage::Tree { publisher, .. }
            | Stage::Chunks { publisher, .. }
            | Stage::Complete { publisher } => Some(*publisher),
        }
    }

    /// Forgets every byte after the proven prefix, and any error: feeding goes on from
    /// [`PackStream::proven_len`] (a download cut or spoiled there resumes at that byte).
    pub fn rewind(&mut self) {
        self.taken = self.proven;
        match &mut self.stage {
            Stage::Head(buf) | Stage::Tree { buf, .. } => buf.clear(),
            Stage::Chunks { hasher, .. } => *hasher = Sha256::new(),
            Stage::Complete { .. } => {}
        }
    }

    /// Takes the next bytes of the file and returns how many it took: all of them, or
    /// fewer once the pack is complete (what follows its end is not the pack's: a download
    /// stops there). The first wrong byte is an error; [`rewind`] before feeding more.
    ///
    /// [`rewind`]: PackStream::rewind
    pub fn feed(&mut self, mut bytes: &[u8]) -> Result<usize, PackError> {
        let given = bytes.len();
        let mut finished = None;
        while !bytes.is_empty() {
            let used = match &mut self.stage {
                Stage::Head(buf) => {
                    let used = take_head(buf, bytes, &self.limits)?;
                    self.taken += used as u64;
                    if let Some(chunks) = self.head_complete()? {
                        self.stage = chunks;
                    }
                    used
                }
                Stage::Tree {
                    tree,
                    buf,
                    publisher,
                    ..
                } => {
                    let want = tree.next().map_or(0, |item| item.stored_size);
                    let want = usize::try_from(want)
                        .unwrap_or(usize::MAX)
                        .saturating_sub(buf.len());
                    let used = want.min(bytes.len());
                    buf.extend_from_slice(&bytes[..used]);
                    self.taken += used as u64;
                    if used == want {
                        tree.take(buf)?;
                        buf.clear();
                        self.proven = self.taken;
                        if tree.next().is_none() {
                            finished = Some((tree.finish()?, *publisher));
                        }
                    }
                    used
                }
                Stage::Chunks {
                    ends,
                    next,
                    hasher,
                    publisher,
                } => {
                    let (end, hash) = ends[*next];
                    let want = usize::try_from(end - self.taken).unwrap_or(usize::MAX);
                    let used = want.min(bytes.len());
                    hasher.update(&bytes[..used]);
                    self.taken += used as u64;
                    if self.taken == end {
                        if ContentHash(std::mem::take(hasher).finalize().into()) != hash {
                            return Err(PackError::ChunkHashMismatch { index: *next });
                        }
                        self.proven = end;
                        *next += 1;
                        if *next == ends.len() {
                            let publisher = *publisher;
                            self.stage = Stage::Complete { publisher };
                        }
                    }
                    used
                }
                Stage::Complete { .. } => break,
            };
            if let Some((manifest, publisher)) = finished.take() {
                self.stage = self.chunks_of(manifest, publisher);
            }
            bytes = &bytes[used..];
        }
        Ok(given - bytes.len())
    }

    /// Once header and stored manifest are all in: checks them, and the stage that follows.
    fn head_complete(&mut self) -> Result<Option<Stage>, PackError> {
        let Stage::Head(buf) = &self.stage else {
            return Ok(None);
        };
        if buf.len() < HEADER_LEN {
            return Ok(None);
        }
        let header = header_of(buf, &self.limits)?;
        let head_len = HEADER_LEN + header.manifest_stored_len as usize;
        if buf.len() < head_len {
            return Ok(None);
        }
        let raw_header: &[u8; HEADER_LEN] = buf[..HEADER_LEN]
            .try_into()
            .map_err(|_| PackError::NotAPack)?;
        let found = ContentHash::of(&buf[..head_len]);
        let (head, publisher) = open_signed_head(
            raw_header,
            &header,
            &buf[HEADER_LEN..head_len],
            &self.limits,
        )?;
        if found != self.expected {
            return Err(PackError::NotTheOneAsked { found });
        }
        if !self.trusted.contains(&publisher) {
            return Err(PackError::Untrusted(publisher.fingerprint()));
        }
        self.proven = head_len as u64;
        match head {
            SignedHead::Whole(manifest) => Ok(Some(self.chunks_of(manifest, publisher))),
            SignedHead::Tree(tree) => Ok(Some(Stage::Tree {
                tree,
                buf: Vec::new(),
                file_len: header.file_len(),
                publisher,
            })),
        }
    }

    /// The stage that proves the chunks of a checked manifest.
    fn chunks_of(&mut self, manifest: Manifest, publisher: PublicKey) -> Stage {
        let head_len = self.proven - manifest.index_len();
        let ends: Vec<(u64, ContentHash)> = manifest
            .chunks
            .iter()
            .map(|c| (head_len + c.offset + c.stored_size, c.hash))
            .collect();
        self.manifest = Some(manifest);
        if ends.is_empty() {
            Stage::Complete { publisher }
        } else {
            Stage::Chunks {
                ends,
                next: 0,
                hasher: Sha256::new(),
                publisher,
            }
        }
    }
}

/// Moves bytes of the header and stored manifest into `buf`, never more than they hold;
/// returns how many it took. The magic is checked at once, so a web page is refused at its
/// first bytes.
fn take_head(buf: &mut Vec<u8>, bytes: &[u8], limits: &Limits) -> Result<usize, PackError> {
    let magic = super::format::MAGIC;
    let want = if buf.len() < HEADER_LEN {
        HEADER_LEN - buf.len()
    } else {
        HEADER_LEN + header_of(buf, limits)?.manifest_stored_len as usize - buf.len()
    };
    let used = want.min(bytes.len());
    buf.extend_from_slice(&bytes[..used]);
    let seen = buf.len().min(magic.len());
    if buf[..seen] != magic[..seen] {
        return Err(PackError::NotAPack);
    }
    Ok(used)
}

fn header_of(buf: &[u8], limits: &Limits) -> Result<Header, PackError> {
    let raw: &[u8; HEADER_LEN] = buf
        .get(..HEADER_LEN)
        .and_then(|b| b.try_into().ok())
        .ok_or(PackError::NotAPack)?;
    Header::decode(raw, limits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::PackReader;
    use crate::testing::{publisher_key, sample_pack, stranger_key};

    fn pack_and_name() -> (Vec<u8>, ContentHash) {
        let bytes = sample_pack();
        let hash = PackReader::open(std::io::Cursor::new(&bytes))
            .expect("opens")
            .pack_hash();
        (bytes, hash)
    }

    fn trusting(hash: ContentHash) -> PackStream {
        PackStream::new(hash, vec![publisher_key().public_key()])
    }

    #[test]
    fn a_good_pack_is_proven_whatever_the_pieces_in_either_format() {
        let v1 = crate::testing::sample_pack_v1();
        let v1_hash = PackReader::open(std::io::Cursor::new(&v1))
            .expect("opens")
            .pack_hash();
        for (bytes, hash) in [pack_and_name(), (v1, v1_hash)] {
            proven_whatever_the_pieces(&bytes, hash);
        }
    }

    fn proven_whatever_the_pieces(bytes: &[u8], hash: ContentHash) {
        for piece in [1, 7, 128, 4096, bytes.len()] {
            let mut stream = trusting(hash);
            for part in bytes.chunks(piece) {
                stream.feed(part).expect("good bytes");
            }
            assert!(stream.is_complete(), "piece {piece}");
            assert_eq!(stream.proven_len(), bytes.len() as u64);
            assert_eq!(stream.expected_len(), Some(bytes.len() as u64));
            assert_eq!(stream.publisher(), Some(publisher_key().public_key()));
        }
    }

    #[test]
    fn a_web_page_is_refused_at_its_first_bytes() {
        let (_, hash) = pack_and_name();
        let mut stream = trusting(hash);
        assert!(matches!(
            stream.feed(b"<!DOCTYPE html><title>Sign in to the Wi-Fi</title>"),
            Err(PackError::NotAPack)
        ));
        assert_eq!(stream.proven_len(), 0);
    }

    #[test]
    fn every_flipped_byte_is_caught_and_what_came_before_it_is_kept() {
        let (bytes, hash) = pack_and_name();
        let step = (bytes.len() / 97).max(1);
        for at in (0..bytes.len()).step_by(step) {
            let mut spoiled = bytes.clone();
            spoiled[at] ^= 0x20;
            let mut stream = trusting(hash);
            let result = spoiled
                .chunks(1000)
                .try_for_each(|part| stream.feed(part).map(|_| ()));
            assert!(result.is_err(), "byte {at} flipped and not caught");
            assert!(
                stream.proven_len() <= at as u64,
                "byte {at} counted as proven"
            );
            assert_eq!(
                bytes[..stream.proven_len() as usize],
                spoiled[..stream.proven_len() as usize]
            );
        }
    }

    #[test]
    fn after_a_spoiled_chunk_a_rewound_stream_takes_the_good_bytes_from_there() {
        let (bytes, hash) = pack_and_name();
        let at = bytes.len() - 10;
        let mut spoiled = bytes.clone();
        spoiled[at] ^= 1;
        let mut stream = trusting(hash);
        assert!(stream.feed(&spoiled).is_err());
        stream.rewind();
        let from = stream.proven_len() as usize;
        assert!(from > 0 && from <= at);
        stream.feed(&bytes[from..]).expect("the good rest");
        assert!(stream.is_complete());
    }

    #[test]
    fn another_pack_or_publisher_is_refused_and_bytes_after_the_end_are_not_taken() {
        let (bytes, hash) = pack_and_name();
        let mut other = trusting(ContentHash::of(b"another pack"));
        assert!(matches!(
            other.feed(&bytes),
            Err(PackError::NotTheOneAsked { found }) if found == hash
        ));
        let mut untrusting = PackStream::new(hash, vec![stranger_key().public_key()]);
        assert!(matches!(
            untrusting.feed(&bytes),
            Err(PackError::Untrusted(_))
        ));
        let mut long = trusting(hash);
        let taken = long
            .feed(&[bytes.as_slice(), b"and more"].concat())
            .expect("the pack");
        assert_eq!(taken, bytes.len(), "nothing after its end");
        assert!(long.is_complete());
        assert_eq!(long.feed(b"more").expect("complete"), 0);
    }
}
