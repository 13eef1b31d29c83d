//! Publishing: the one way a pack comes into the hub, whether a publisher's tool uploaded it
//! over the API or a trainer did on the web pages. The pack is checked as a device checks it
//! before installing (`pack::check_pack`: every byte, the signature, every module sound), so
//! the hub never offers a pack that every device would then refuse; then its signer's claim
//! to the id is checked and it is stored once, for a group.

use std::path::Path;

use skillpack_core::keys::PublicKey;
use skillpack_core::pack::{check_pack, PackError, PackReader};
use skillpack_core::protocol::PublishResponse;
use thiserror::Error;

use crate::error::HubError;
use crate::storage::{HubDb, NewPack, PackChunk, PublishRefusal};

/// Why a pack was not published.
#[derive(Debug, Error)]
pub enum PublishError {
    /// The file is not a pack this hub can open (header, signature, manifest).
    #[error("not a readable pack: {0}")]
    Unreadable(PackError),
    /// The pack is signed by another key than the one that uploaded it.
    #[error("the pack is signed by another publisher than the uploader")]
    NotTheUploaders,
    /// The pack's bytes do not verify.
    #[error("the pack does not verify: {0}")]
    DoesNotVerify(PackError),
    /// A module cannot be read, or breaks a rule every device holds it to: the message a
    /// device gives.
    #[error("{0}")]
    Unsound(PackError),
    /// A web upload signed by a key that is not a registered publisher.
    #[error("the pack is signed by a key that is not a registered publisher of this hub")]
    UnknownPublisher,
    /// The pack's id belongs to another publisher.
    #[error("the pack id {0} belongs to another publisher")]
    NotYourId(String),
    /// Other content under a version the hub holds.
    #[error(transparent)]
    Refused(#[from] PublishRefusal),
    /// The hub failed.
    #[error(transparent)]
    Hub(#[from] HubError),
}

/// Checks the pack file at `path` (`len` bytes) completely and stores it for `group`.
/// `uploader` is the key that signed the upload (it must be the pack's signer); `None` for a
/// trainer's upload on the web pages, where the pack's signer must be a registered publisher.
pub async fn publish_file(
    db: &HubDb,
    path: &Path,
    len: u64,
    uploader: Option<PublicKey>,
    group: String,
) -> Result<PublishResponse, PublishError> {
    let owned = path.to_owned();
    let pack = {
        let _permit = verifiers()
            .acquire()
            .await
            .map_err(|e| HubError::Task(e.to_string()))?;
        tokio::task::spawn_blocking(move || read_pack(&owned, len, uploader, group))
            .await
            .map_err(|e| HubError::Task(e.to_string()))??
    };
    if uploader.is_none() && !db.is_publisher(pack.publisher).await? {
        return Err(PublishError::UnknownPublisher);
    }
    check_owner(db, &pack).await?;
    let published = db.put_pack(pack).await??;
    if published.created {
        // Passes taken before the hub had this pack (carried in from an offline place) can
        // be issued for now; the trainer's upload does not wait for it.
        let db = db.clone();
        tokio::spawn(async move {
            if let Err(e) = crate::issue::issue_waiting(&db).await {
                tracing::warn!(error = %e, "waiting passes not issued");
            }
        });
    }
    Ok(published)
}

/// Refuses a pack whose id another publisher owns: an id belongs to the publisher that first
/// published it, so no one else can replace its pack on devices by reusing the id with a
/// higher version. Two first publications racing each other can both be stored; the catalog
/// then offers only the first one's.
async fn check_owner(db: &HubDb, pack: &NewPack) -> Result<(), PublishError> {
    match db.pack_owner(&pack.id).await? {
        Some(owner) if owner != pack.publisher => Err(PublishError::NotYourId(pack.id.clone())),
        _ => Ok(()),
    }
}

/// At most one pack verified per core at a time: each holds a chunk or two in memory (up to
/// 64 MiB decompressed), so sixteen uploads at once must not verify at once.
fn verifiers() -> &'static tokio::sync::Semaphore {
    static VERIFIERS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    VERIFIERS.get_or_init(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, usize::from))
    })
}

/// Checks the pack file at `path` (`size` bytes) and gathers what the hub stores about it.
fn read_pack(
    path: &Path,
    size: u64,
    uploader: Option<PublicKey>,
    group: String,
) -> Result<NewPack, PublishError> {
    let file = std::fs::File::open(path).map_err(HubError::Io)?;
    let reader =
        PackReader::open(std::io::BufReader::new(file)).map_err(PublishError::Unreadable)?;
    let publisher = reader.publisher();
    if uploader.is_some_and(|uploader| uploader != publisher) {
        return Err(PublishError::NotTheUploaders);
    }
    let checked = check_pack(reader, None).map_err(|e| match e {
        PackError::Unsound { .. } | PackError::BadModule { .. } => PublishError::Unsound(e),
        e => PublishError::DoesNotVerify(e),
    })?;
    let module_bodies = checked
        .modules
        .into_iter()
        .map(|m| match String::from_utf8(m.json) {
            Ok(json) => Ok((m.id, json)),
            Err(_) => Err(PublishError::Unsound(PackError::BadModule {
                module: m.id,
                detail: "its module.json is not UTF-8".into(),
            })),
        })
        .collect::<Result<_, _>>()?;
    let reader = checked.reader;
    let manifest = reader.manifest();
    Ok(NewPack {
        hash: reader.pack_hash().0,
        id: manifest.pack.id.clone(),
        version: manifest.pack.version.clone(),
        group,
        publisher,
        variant: manifest.pack.variant.to_string(),
        modules: manifest.modules.iter().map(|m| m.id.clone()).collect(),
        module_bodies,
        chunks: reader
            .chunk_ranges()
            .into_iter()
            .map(|c| PackChunk {
                hash: c.hash.0,
                offset: c.offset,
                len: c.len,
            })
            .collect(),
        file: path.to_owned(),
        size,
    })
}
