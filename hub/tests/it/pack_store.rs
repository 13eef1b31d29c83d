//! The pack store on its own: a folder here, and SeaweedFS's S3 gateway under
//! `scripts/with-s3` (as `scripts/test-all` runs it), so each behaviour is checked on a real
//! S3 server and not only on our folder.

use std::io::Write;

use futures_util::TryStreamExt;
use skillpack_hub::pack_store::{PackStore, PackStoreError};
use skillpack_hub::testing::test_pack_store;

/// A store of its own (a fresh folder, or a fresh prefix of the test bucket).
fn fresh_store() -> (PackStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = PackStore::open(&test_pack_store(dir.path()).unwrap()).unwrap();
    // Under scripts/with-s3 every case runs on the S3 server, never quietly on a folder.
    let on_s3 = std::env::var(skillpack_hub::testing::S3_VAR).is_ok();
    assert_eq!(store.at().is_folder(), !on_s3, "{:?}", store.at());
    (store, dir)
}

/// `len` bytes no two packs of these tests share, in a file.
fn pack_file(seed: u32, len: usize) -> (Vec<u8>, tempfile::NamedTempFile) {
    let mut x = seed;
    let bytes: Vec<u8> = (0..len)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 24) as u8
        })
        .collect();
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(&bytes).unwrap();
    (bytes, file)
}

async fn streamed(store: &PackStore, hash: [u8; 32], start: u64, end: u64) -> Vec<u8> {
    let pieces: Vec<bytes::Bytes> = store
        .stream(hash, start, end)
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    pieces.concat()
}

#[tokio::test]
async fn a_stored_pack_is_never_rewritten() {
    let (store, _dir) = fresh_store();
    let hash = [1; 32];
    let (bytes, file) = pack_file(1, 300_000);
    store
        .put_file(hash, file.path(), bytes.len() as u64)
        .await
        .unwrap();
    assert!(store.holds(hash, bytes.len() as u64).await.unwrap());

    // Other bytes under the same name are not written: the first stay.
    let (_, other) = pack_file(2, bytes.len());
    store
        .put_file(hash, other.path(), bytes.len() as u64)
        .await
        .unwrap();
    assert!(streamed(&store, hash, 0, bytes.len() as u64).await == bytes);
    let (_, longer) = pack_file(3, bytes.len() + 1);
    let refused = store
        .put_file(hash, longer.path(), bytes.len() as u64 + 1)
        .await;
    assert!(
        matches!(refused, Err(PackStoreError::Mismatch { .. })),
        "{refused:?}"
    );
    assert!(store.range(hash, 10, 20).await.unwrap() == bytes[10..20]);
    assert_eq!(store.list().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_large_pack_is_stored_in_parts_and_read_back_in_ranges() {
    let (store, _dir) = fresh_store();
    let hash = [2; 32];
    // Past the one-request limit (5 MiB) and across three part boundaries.
    let (bytes, file) = pack_file(4, 19 << 20);
    let len = bytes.len() as u64;
    store.put_file(hash, file.path(), len).await.unwrap();
    assert!(store.holds(hash, len).await.unwrap());
    let part = 5u64 << 20;
    let across = store.range(hash, part - 5, part + 5).await.unwrap();
    assert!(across == bytes[(part - 5) as usize..(part + 5) as usize]);
    assert!(streamed(&store, hash, 0, len).await == bytes);
    assert!(streamed(&store, hash, len - 7, len).await == bytes[bytes.len() - 7..]);
    let listed = store.list().await.unwrap();
    assert_eq!((listed[0].hash, listed[0].size), (hash, len));
}

#[tokio::test]
async fn a_pack_that_changes_while_it_is_stored_is_never_seen() {
    let (store, _dir) = fresh_store();
    for (hash, len) in [([3; 32], 100_000usize), ([4; 32], 12 << 20)] {
        // The file is shorter than the pack it claims to be: cut off mid-write.
        let (_, file) = pack_file(5, len);
        let refused = store.put_file(hash, file.path(), len as u64 + 1).await;
        assert!(refused.is_err(), "{len}: {refused:?}");
        assert!(!store.holds(hash, len as u64).await.unwrap(), "{len}");
        assert!(!store.holds(hash, len as u64 + 1).await.unwrap(), "{len}");
    }
    assert!(store.list().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_pack_missing_from_the_store_is_named() {
    let (store, _dir) = fresh_store();
    let missing = store.stream([9; 32], 0, 10).await.err();
    assert!(
        matches!(missing, Some(PackStoreError::Missing(_))),
        "{missing:?}"
    );
    let missing = store.range([9; 32], 0, 10).await;
    assert!(
        matches!(missing, Err(PackStoreError::Missing(_))),
        "{missing:?}"
    );
    assert!(store.list().await.unwrap().is_empty());
}
