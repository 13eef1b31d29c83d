//! Where the hub keeps packs' bytes: a folder on its machine (the default, nothing to set
//! up) or an S3-compatible bucket, which several hub instances share and a CDN can stand in
//! front of. The database keeps only what it knows about each pack; the bytes are one object
//! per pack, named by the pack's hash, through the `object_store` crate.
//!
//! An object is written once and never rewritten: its name is the hash of its bytes, so a
//! second upload of the same pack finds it there and writes nothing. A half-written object is
//! never seen under its name (S3 shows an object only once its upload completes; in a folder
//! it is written beside its name and renamed), and a folder's object is on disk before the
//! database names it.

use std::fmt;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::{BoxStream, StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::local::LocalFileSystem;
use object_store::path::Path as Key;
use object_store::{
    ClientConfigKey, GetOptions, GetRange, GetResultPayload, ObjectStore, PutMode, PutOptions,
    WriteMultipart,
};
use skillpack_core::hex;
use thiserror::Error;
use tokio::io::AsyncReadExt;

/// Packs up to this size are written in one request, with put-if-absent; larger ones in
/// parts of [`PART`] (S3's multipart upload), so the hub never holds a large pack in memory.
const WHOLE_PUT_LIMIT: u64 = 5 << 20;

/// One part of a multipart upload: S3's smallest (but for the last).
const PART: usize = 5 << 20;

/// Bytes read from the pack's file at once while its parts fill.
const READ_PIECE: usize = 1 << 20;

/// Packs written to the store at once, each holding up to two parts (one filling, one on
/// its way): sixteen uploads finishing together must not hold sixteen packs' worth.
const WRITERS: usize = 2;

/// Bytes read from a folder's object at once while it streams to a client: a client that
/// stops reading holds about two of these of the hub's memory, not the pack.
const FILE_PIECE: usize = 256 << 10;

/// The name an object of a pack ends with.
const SUFFIX: &str = ".skillpack";

/// Why packs' bytes could not be stored or read.
#[derive(Debug, Error)]
pub enum PackStoreError {
    /// The `--packs` value is neither a folder nor `s3://bucket[/prefix]`.
    #[error("unusable pack store {0:?}: give a folder or s3://bucket[/prefix]")]
    BadLocation(String),
    /// The folder could not be made or written.
    #[error("pack store folder: {0}")]
    Io(#[from] std::io::Error),
    /// The store refused or failed (a bucket that is not there, credentials, the network).
    #[error("pack store: {0}")]
    Store(#[from] object_store::Error),
    /// The database names a pack whose object is not in the store (a store restored from an
    /// older copy than the database, or a bucket emptied by hand).
    #[error("the pack store has no {0}: restore it from the store's backup")]
    Missing(String),
    /// An object of the right name holds other bytes than the pack's.
    #[error("the pack store's {key} holds {found} bytes where the pack has {expected}")]
    Mismatch {
        /// The object's name.
        key: String,
        /// Its length in the store.
        found: u64,
        /// The pack's length.
        expected: u64,
    },
}

/// Where packs' bytes live, as the operator names it with `--packs`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PacksAt {
    /// A folder on the hub's machine.
    Folder(PathBuf),
    /// A bucket of an S3-compatible store, objects under `prefix` (empty: the bucket's root).
    /// Endpoint, region and credentials come from the usual `AWS_*` environment.
    Bucket {
        /// The bucket's name.
        bucket: String,
        /// Where in the bucket, without leading or trailing slashes.
        prefix: String,
    },
}

impl PacksAt {
    /// Reads `s3://bucket[/prefix]`, `file://PATH` or a plain folder path.
    pub fn parse(text: &str) -> Result<Self, PackStoreError> {
        let bad = || PackStoreError::BadLocation(text.to_owned());
        if let Some(rest) = text.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(bad());
            }
            let prefix = prefix.trim_matches('/').to_owned();
            Key::parse(&prefix).map_err(|_| bad())?;
            return Ok(Self::Bucket {
                bucket: bucket.to_owned(),
                prefix,
            });
        }
        let path = text.strip_prefix("file://").unwrap_or(text);
        if path.is_empty() || text.contains("://") && !text.starts_with("file://") {
            return Err(bad());
        }
        Ok(Self::Folder(PathBuf::from(path)))
    }

    /// Where a hub on `db_url` keeps its packs unless told: beside an SQLite database
    /// (`hub.db` keeps them in `hub-packs/`), and in `skillpack-hub-packs/` in the working
    /// folder for PostgreSQL (several instances need a bucket instead).
    pub fn default_for(db_url: &str) -> Self {
        match db_url.strip_prefix("sqlite://").map(Path::new) {
            Some(db) => {
                let stem = db.file_stem().map_or_else(
                    || "skillpack-hub".to_owned(),
                    |s| s.to_string_lossy().into_owned(),
                );
                Self::Folder(db.with_file_name(format!("{stem}-packs")))
            }
            None => Self::Folder(PathBuf::from("skillpack-hub-packs")),
        }
    }

    /// True for a folder: only one machine can use it.
    pub fn is_folder(&self) -> bool {
        matches!(self, Self::Folder(_))
    }
}

impl fmt::Display for PacksAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Folder(path) => write!(f, "{}", path.display()),
            Self::Bucket { bucket, prefix } if prefix.is_empty() => write!(f, "s3://{bucket}"),
            Self::Bucket { bucket, prefix } => write!(f, "s3://{bucket}/{prefix}"),
        }
    }
}

/// The packs' objects; cheap to clone, shared by every request.
#[derive(Clone)]
pub struct PackStore {
    objects: Arc<dyn ObjectStore>,
    /// The same store when it is a folder, to make a written object durable.
    folder: Option<Arc<LocalFileSystem>>,
    /// Where in the store packs' objects are.
    prefix: Key,
    at: PacksAt,
}

impl fmt::Debug for PackStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PackStore({})", self.at)
    }
}

/// One pack's object as a listing shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredObject {
    /// The pack's hash.
    pub hash: [u8; 32],
    /// The object's length in bytes.
    pub size: u64,
}

impl PackStore {
    /// Opens the store at `at`. Nothing is made or contacted until a pack is stored or read:
    /// a folder is made with its first pack, and an operator's command that reads no pack
    /// leaves no trace.
    pub fn open(at: &PacksAt) -> Result<Self, PackStoreError> {
        match at {
            PacksAt::Folder(path) => {
                let absolute = std::path::absolute(path)?;
                let prefix = Key::from_absolute_path(&absolute)
                    .map_err(|_| PackStoreError::BadLocation(at.to_string()))?;
                let folder = Arc::new(LocalFileSystem::new());
                Ok(Self {
                    objects: folder.clone(),
                    folder: Some(folder),
                    prefix,
                    at: PacksAt::Folder(absolute),
                })
            }
            PacksAt::Bucket { bucket, prefix } => {
                // A whole request may take a day, not object_store's 30 s: a download streams
                // at the client's pace, and a phone on a slow link takes minutes over a large
                // pack (the hub's own idle timeout ends a transfer that stops moving). Set as
                // one key, so the rest of the environment's client settings (AWS_ALLOW_HTTP)
                // stand.
                let bucket = AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .with_config(AmazonS3ConfigKey::Client(ClientConfigKey::Timeout), "24h")
                    .build()?;
                Ok(Self {
                    objects: Arc::new(bucket),
                    folder: None,
                    prefix: Key::parse(prefix)
                        .map_err(|_| PackStoreError::BadLocation(at.to_string()))?,
                    at: at.clone(),
                })
            }
        }
    }

    /// Where the store is.
    pub fn at(&self) -> &PacksAt {
        &self.at
    }

    fn key(&self, hash: [u8; 32]) -> Key {
        self.prefix
            .child(format!("{}{SUFFIX}", hex::encode(&hash)).as_str())
    }

    /// Stores the `size` bytes of the pack file at `file` as the object of `hash`, unless
    /// the store has it already. Returns once the object is durable.
    pub async fn put_file(
        &self,
        hash: [u8; 32],
        file: &Path,
        size: u64,
    ) -> Result<(), PackStoreError> {
        let key = self.key(hash);
        match self.stored_size(&key).await? {
            Some(found) if found == size => return Ok(()), // written before: never again
            Some(found) => {
                return Err(PackStoreError::Mismatch {
                    key: key.to_string(),
                    found,
                    expected: size,
                })
            }
            None => {}
        }
        let _permit = writers().acquire().await.map_err(std::io::Error::other)?;
        if size <= WHOLE_PUT_LIMIT {
            let bytes = tokio::fs::read(file).await?;
            if bytes.len() as u64 != size {
                return Err(std::io::Error::other("the pack file changed while stored").into());
            }
            let create = PutOptions {
                mode: PutMode::Create,
                ..Default::default()
            };
            match self.objects.put_opts(&key, bytes.into(), create).await {
                // Another instance stored the same bytes a moment ago.
                Ok(_) | Err(object_store::Error::AlreadyExists { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        } else {
            self.put_in_parts(&key, file, size).await?;
        }
        let store = self.clone();
        let durable = key.clone();
        tokio::task::spawn_blocking(move || store.make_durable(&durable))
            .await
            .map_err(std::io::Error::other)??;
        match self.stored_size(&key).await? {
            Some(found) if found == size => Ok(()),
            found => Err(PackStoreError::Mismatch {
                key: key.to_string(),
                found: found.unwrap_or(0),
                expected: size,
            }),
        }
    }

    /// A large pack, a [`PART`] at a time. Two instances storing the same pack at once
    /// both complete an upload of the same bytes; neither is seen half-written.
    async fn put_in_parts(&self, key: &Key, file: &Path, size: u64) -> Result<(), PackStoreError> {
        let upload = self.objects.put_multipart(key).await?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
        let mut file = tokio::fs::File::open(file).await?;
        let mut sent = 0u64;
        let mut piece = vec![0u8; READ_PIECE];
        let copied: Result<(), PackStoreError> = async {
            loop {
                let n = file.read(&mut piece).await?;
                if n == 0 {
                    break;
                }
                sent += n as u64;
                writer.wait_for_capacity(1).await?;
                writer.write(&piece[..n]);
            }
            if sent != size {
                return Err(std::io::Error::other("the pack file changed while stored").into());
            }
            Ok(())
        }
        .await;
        match copied {
            Ok(()) => {
                writer.finish().await?;
                Ok(())
            }
            Err(e) => {
                let _ = writer.abort().await;
                Err(e)
            }
        }
    }

    /// A folder's object and its name on disk before the database names it: a crash right
    /// after must not leave a named pack with no bytes.
    fn make_durable(&self, key: &Key) -> Result<(), PackStoreError> {
        let Some(folder) = &self.folder else {
            return Ok(()); // a bucket answers only once the object is stored
        };
        let path = folder.path_to_filesystem(key)?;
        std::fs::File::open(&path)?.sync_all()?;
        // The object's name in the store's folder, and the folder's own name with the
        // first pack.
        for folder in path.ancestors().skip(1).take(2) {
            std::fs::File::open(folder)?.sync_all()?;
        }
        Ok(())
    }

    async fn stored_size(&self, key: &Key) -> Result<Option<u64>, PackStoreError> {
        match self.objects.head(key).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether the store holds the pack `hash` at `size` bytes.
    pub async fn holds(&self, hash: [u8; 32], size: u64) -> Result<bool, PackStoreError> {
        Ok(self.stored_size(&self.key(hash)).await? == Some(size))
    }

    /// Bytes `start..end` of a pack, as a stream the client takes at its own pace. Fails
    /// before the first byte when the object is missing.
    pub async fn stream(
        &self,
        hash: [u8; 32],
        start: u64,
        end: u64,
    ) -> Result<BoxStream<'static, Result<Bytes, PackStoreError>>, PackStoreError> {
        let key = self.key(hash);
        let options = GetOptions {
            range: Some(GetRange::Bounded(start..end)),
            ..Default::default()
        };
        let found = self
            .objects
            .get_opts(&key, options)
            .await
            .map_err(|e| missing(e, &key))?;
        Ok(match found.payload {
            GetResultPayload::File(file, _) => file_pieces(file, start, end),
            GetResultPayload::Stream(stream) => stream.map_err(PackStoreError::from).boxed(),
        })
    }

    /// Bytes `start..end` of a pack at once (a chunk).
    pub async fn range(
        &self,
        hash: [u8; 32],
        start: u64,
        end: u64,
    ) -> Result<Bytes, PackStoreError> {
        let key = self.key(hash);
        let bytes = self
            .objects
            .get_range(&key, start..end)
            .await
            .map_err(|e| missing(e, &key))?;
        if bytes.len() as u64 != end - start {
            return Err(PackStoreError::Missing(format!(
                "{key} bytes {start}..{end}"
            )));
        }
        Ok(bytes)
    }

    /// Every pack's object in the store (other objects under the prefix are not listed).
    pub async fn list(&self) -> Result<Vec<StoredObject>, PackStoreError> {
        if let PacksAt::Folder(path) = &self.at {
            if !path.exists() {
                return Ok(Vec::new()); // no pack stored yet
            }
        }
        let mut listed = self.objects.list(Some(&self.prefix));
        let mut objects = Vec::new();
        while let Some(meta) = listed.next().await {
            let meta = meta?;
            let Some(name) = meta.location.filename() else {
                continue;
            };
            let hash = name.strip_suffix(SUFFIX).and_then(hex::decode::<32>);
            if let Some(hash) = hash {
                objects.push(StoredObject {
                    hash,
                    size: meta.size,
                });
            }
        }
        objects.sort_by_key(|o| o.hash);
        Ok(objects)
    }
}

/// The permits of [`WRITERS`], shared by every store of the process.
fn writers() -> &'static tokio::sync::Semaphore {
    static WRITING: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    WRITING.get_or_init(|| tokio::sync::Semaphore::new(WRITERS))
}

/// A store's "not found" as the pack missing from it.
fn missing(error: object_store::Error, key: &Key) -> PackStoreError {
    match error {
        object_store::Error::NotFound { .. } => PackStoreError::Missing(key.to_string()),
        e => e.into(),
    }
}

/// Bytes `start..end` of a folder's object, read a [`FILE_PIECE`] at a time off the async
/// threads (object_store's own stream reads 8 KiB at a time, a blocking task each).
fn file_pieces(
    file: std::fs::File,
    start: u64,
    end: u64,
) -> BoxStream<'static, Result<Bytes, PackStoreError>> {
    futures_util::stream::try_unfold((file, start), move |(mut file, at)| async move {
        if at >= end {
            return Ok(None);
        }
        let want = usize::try_from((end - at).min(FILE_PIECE as u64)).unwrap_or(FILE_PIECE);
        let read = tokio::task::spawn_blocking(move || {
            file.seek(SeekFrom::Start(at))?;
            let mut piece = vec![0u8; want];
            file.read_exact(&mut piece)?;
            Ok::<_, std::io::Error>((file, piece))
        })
        .await
        .map_err(std::io::Error::other)??;
        let (file, piece) = read;
        Ok(Some((Bytes::from(piece), (file, at + want as u64))))
    })
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::PacksAt;
    use std::path::PathBuf;

    #[test]
    fn locations() {
        assert_eq!(
            PacksAt::parse("s3://packs/hub-1/").unwrap(),
            PacksAt::Bucket {
                bucket: "packs".into(),
                prefix: "hub-1".into()
            }
        );
        assert_eq!(
            PacksAt::parse("s3://packs").unwrap().to_string(),
            "s3://packs"
        );
        assert_eq!(
            PacksAt::parse("file:///srv/packs").unwrap(),
            PacksAt::Folder(PathBuf::from("/srv/packs"))
        );
        for bad in ["", "s3://", "s3:///x", "gs://bucket", "s3://b/a//c"] {
            assert!(PacksAt::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            PacksAt::default_for("sqlite:///srv/hub/hub.db"),
            PacksAt::Folder(PathBuf::from("/srv/hub/hub-packs"))
        );
        assert!(PacksAt::default_for("postgres://h/db").is_folder());
    }
}
