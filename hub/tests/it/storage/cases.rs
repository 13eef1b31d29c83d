//! The cases of the storage conformance suite: each takes a fresh database on some engine and
//! checks one behaviour through `HubDb` alone, so the same body holds every engine to it.

use std::io::Write;
use std::time::Duration;

use tempfile::TempPath;

use skillpack_core::hash::ContentHash;
use skillpack_core::hex;
use skillpack_core::keys::{PublicKey, SecretKey};
use skillpack_core::ledger::{SignedRecord, VerifiedRecord};
use skillpack_core::protocol::{RecordResult, RecordStatus};
use skillpack_core::testing::{publisher_key, record_chain, stranger_key};
use skillpack_hub::error::HubError;
use skillpack_hub::storage::{
    DeviceJoin, FlagRow, NewPack, PackChunk, RegisterRefusal, ResultQuery, Scope, PIECE,
};
use skillpack_hub::HubDb;

use skillpack_hub::nonce::NonceRefusal;

use super::Fresh;

/// Both engines have twenty migration steps.
const SCHEMA_VERSION: u32 = 20;

pub async fn migrations_from_empty_reach_the_current_version(fresh: Fresh) {
    let db = fresh.open().await;
    assert_eq!(db.schema_version().await.unwrap(), SCHEMA_VERSION);
    assert_eq!(db.record_count().await.unwrap(), 0);
    assert!(db.groups(&Scope::Everything).await.unwrap().is_empty());
}

pub async fn reopening_a_migrated_database_changes_nothing(fresh: Fresh) {
    let db = fresh.open().await;
    db.add_publisher(publisher_key().public_key(), "fixture".into())
        .await
        .unwrap();
    drop(db);
    let again = fresh.open().await;
    assert_eq!(again.schema_version().await.unwrap(), SCHEMA_VERSION);
    assert!(again
        .is_publisher(publisher_key().public_key())
        .await
        .unwrap());
}

pub async fn a_database_newer_than_the_code_is_refused(fresh: Fresh) {
    drop(fresh.open().await);
    fresh.set_version(SCHEMA_VERSION + 95);
    let refused = HubDb::open_at(&fresh.url, Some(&fresh.packs())).await;
    assert!(
        matches!(
            refused,
            Err(HubError::TooNew {
                found: f,
                supported: SCHEMA_VERSION
            }) if f == SCHEMA_VERSION + 95
        ),
        "{refused:?}"
    );
}

pub async fn times_written_before_version_4_read_in_the_one_form(fresh: Fresh) {
    let key = device(61).public_key();
    let hex_key = hex::encode(&key.to_bytes());
    // Each engine's old form: SQLite's datetime('now'), PostgreSQL's ISO text.
    let old = std::thread::scope(|s| {
        s.spawn(|| fresh.make_version_3_with_a_device(&hex_key, &learner(61)))
            .join()
    });
    old.unwrap();
    let db = fresh.open().await;
    assert_eq!(db.schema_version().await.unwrap(), SCHEMA_VERSION);
    let learners = db.learners(&Scope::Everything, None).await.unwrap();
    let registered: Vec<&str> = learners.iter().map(|l| l.registered_at.as_str()).collect();
    let expected = if fresh.url.starts_with("sqlite") {
        "2026-11-20T08:30:00.000Z"
    } else {
        "2026-11-20T08:30:00.250Z"
    };
    assert_eq!(registered, vec![expected]);
    assert_eq!(
        db.device(key).await.unwrap().map(|d| d.group),
        Some("old".into())
    );
}

pub async fn a_pack_stored_before_version_5_is_served_in_pieces_after(fresh: Fresh) {
    let bytes: Vec<u8> = (0..PIECE * 3 / 2).map(|i| (i % 251) as u8).collect();
    let hash = ContentHash::of(&bytes).0;
    let chunk_hash = [5; 32];
    let (offset, len) = (PIECE as u64 - 10, 20);
    let publisher = publisher_key().public_key().to_bytes();
    std::thread::scope(|s| {
        s.spawn(|| {
            fresh.make_version_4_with_a_pack(&publisher, &hash, &bytes, &chunk_hash, (offset, len))
        })
        .join()
    })
    .unwrap();
    let db = fresh.open().await;
    assert_eq!(db.schema_version().await.unwrap(), SCHEMA_VERSION);
    let len_stored = bytes.len() as u64;
    assert_eq!(db.pack_len(hash).await.unwrap(), Some(len_stored));
    assert!(db.pack_range(hash, 0, len_stored).await.unwrap() == bytes);
    let piece = PIECE as u64;
    assert!(
        db.pack_range(hash, piece - 3, piece + 3).await.unwrap() == bytes[PIECE - 3..PIECE + 3]
    );
    assert_eq!(
        db.chunk(chunk_hash).await.unwrap().as_deref(),
        Some(&bytes[offset as usize..(offset + len) as usize])
    );
    assert_eq!(db.catalog("riders".into()).await.unwrap().len(), 1);

    // Its bytes move to the pack store once, and it is served the same from there.
    let before = db.check_pack_store().await.unwrap();
    assert_eq!((before.in_db, before.held), (1, 0), "{before:?}");
    let mut moved = Vec::new();
    let count = db
        .move_packs_to_store(|hash, size| moved.push((hash, size)))
        .await
        .unwrap();
    assert_eq!((count, moved), (1, vec![(hash, len_stored)]));
    let after = db.check_pack_store().await.unwrap();
    assert_eq!(
        (after.in_db, after.held, after.unnamed),
        (0, 1, 0),
        "{after:?}"
    );
    assert!(after.missing.is_empty());
    assert_eq!(db.move_packs_to_store(|_, _| {}).await.unwrap(), 0);
    let again = fresh.open().await;
    assert!(again.pack_range(hash, 0, len_stored).await.unwrap() == bytes);
    assert_eq!(
        again.chunk(chunk_hash).await.unwrap().as_deref(),
        Some(&bytes[offset as usize..(offset + len) as usize])
    );
    let streamed = streamed(&again, hash, piece - 3, len_stored).await;
    assert!(streamed == bytes[PIECE - 3..]);
}

/// Bytes `start..end` of a pack as a download streams them.
async fn streamed(db: &HubDb, hash: [u8; 32], start: u64, end: u64) -> Vec<u8> {
    use futures_util::TryStreamExt;
    let pieces: Vec<bytes::Bytes> = db
        .pack_stream(hash, start, end)
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    pieces.concat()
}

pub async fn publishers_are_known_by_key(fresh: Fresh) {
    let db = fresh.open().await;
    let (publisher, stranger) = (publisher_key().public_key(), stranger_key().public_key());
    assert!(!db.is_publisher(publisher).await.unwrap());
    db.add_publisher(publisher, "first name".into())
        .await
        .unwrap();
    db.add_publisher(publisher, "renamed".into()).await.unwrap();
    assert!(db.is_publisher(publisher).await.unwrap());
    assert!(!db.is_publisher(stranger).await.unwrap());
}

pub async fn a_nonce_works_once_and_only_until_it_expires(fresh: Fresh) {
    let db = fresh.open().await;
    let nonce = db.issue_nonce(Duration::from_secs(60)).unwrap();
    assert_eq!(db.consume_nonce(&nonce).await.unwrap(), Ok(()));
    assert_eq!(
        db.consume_nonce(&nonce).await.unwrap(),
        Err(NonceRefusal::Used),
        "replayed"
    );
    assert_eq!(db.stored_nonces().await.unwrap(), 1, "a used nonce is kept");
    let short = db.issue_nonce(Duration::ZERO).unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(
        db.consume_nonce(&short).await.unwrap(),
        Err(NonceRefusal::Expired)
    );
    assert_eq!(
        db.stored_nonces().await.unwrap(),
        1,
        "an expired one is not"
    );
}

pub async fn a_forged_nonce_is_refused(fresh: Fresh) {
    let db = fresh.open().await;
    let nonce = db.issue_nonce(Duration::from_secs(60)).unwrap();
    // The same form, one bit off in the random part, in the expiry or in the MAC.
    for at in [0, 20, nonce.len() - 1] {
        let mut forged = nonce.clone().into_bytes();
        forged[at] = if forged[at] == b'0' { b'1' } else { b'0' };
        let forged = String::from_utf8(forged).unwrap();
        assert_eq!(
            db.consume_nonce(&forged).await.unwrap(),
            Err(NonceRefusal::Forged),
            "{forged}"
        );
    }
    // Another hub's nonce (another secret) is forged here.
    let other = Fresh::like(&fresh).open().await;
    let theirs = other.issue_nonce(Duration::from_secs(60)).unwrap();
    assert_eq!(
        db.consume_nonce(&theirs).await.unwrap(),
        Err(NonceRefusal::Forged)
    );
    for malformed in ["not hex", "00112233445566778899aabbccddeeff", ""] {
        assert_eq!(
            db.consume_nonce(malformed).await.unwrap(),
            Err(NonceRefusal::Malformed)
        );
    }
    assert_eq!(
        db.stored_nonces().await.unwrap(),
        0,
        "refusals store nothing"
    );
    assert_eq!(db.consume_nonce(&nonce).await.unwrap(), Ok(()));
}

pub async fn unused_nonces_cost_no_storage(fresh: Fresh) {
    let db = fresh.open().await;
    for _ in 0..10_000 {
        db.issue_nonce(Duration::from_secs(300)).unwrap();
    }
    assert_eq!(db.stored_nonces().await.unwrap(), 0);
}

pub async fn a_nonce_from_one_instance_works_once_on_another(fresh: Fresh) {
    let first = fresh.open().await;
    let second = fresh.open().await;
    let nonce = first.issue_nonce(Duration::from_secs(60)).unwrap();
    if fresh.url.starts_with("sqlite") {
        // One process per SQLite hub: a reopened hub draws a new secret, so nothing issued
        // before it (and perhaps used) can be used after.
        assert_eq!(
            second.consume_nonce(&nonce).await.unwrap(),
            Err(NonceRefusal::Forged)
        );
    } else {
        // Instances on one PostgreSQL share the secret and the used nonces.
        assert_eq!(second.consume_nonce(&nonce).await.unwrap(), Ok(()));
        assert_eq!(
            first.consume_nonce(&nonce).await.unwrap(),
            Err(NonceRefusal::Used)
        );
    }
}

/// A pack as the hub stores it (storage does not read the bytes, so they need not be a pack):
/// its file, kept while the returned path lives, and its bytes. Two and a half pieces long,
/// so reads cross the pieces storage keeps.
fn new_pack(id: &str, version: &str, variant: &str, group: &str) -> (NewPack, Vec<u8>, TempPath) {
    let mut bytes: Vec<u8> =
        format!("{id} {version} {variant} pack bytes, with three chunks").into_bytes();
    let mut x = bytes.len() as u32;
    bytes.extend((0..PIECE * 5 / 2).map(|_| {
        x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (x >> 24) as u8
    }));
    let hash = ContentHash::of(&bytes).0;
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(&bytes).unwrap();
    let chunk = |n: &[u8], offset: usize, len: u64| PackChunk {
        hash: ContentHash::of(&[&hash[..], n].concat()).0,
        offset: offset as u64,
        len,
    };
    let pack = NewPack {
        hash,
        id: id.into(),
        version: version.into(),
        group: group.into(),
        publisher: publisher_key().public_key(),
        variant: variant.into(),
        modules: vec![format!("{id}-module")],
        module_bodies: vec![],
        chunks: vec![
            chunk(b"1", 0, 4),
            chunk(b"2", 10, 5),
            chunk(b"3", PIECE - 3, 10),
        ],
        file: file.path().to_owned(),
        size: bytes.len() as u64,
    };
    (pack, bytes, file.into_temp_path())
}

pub async fn a_pack_is_stored_once_by_hash_and_read_back_in_ranges_and_chunks(fresh: Fresh) {
    let db = fresh.open().await;
    db.add_publisher(publisher_key().public_key(), "fixture".into())
        .await
        .unwrap();
    let (pack, bytes, _file) = new_pack("bikes", "1.0.0", "full", "riders");
    let first = db.put_pack(pack.clone()).await.unwrap().unwrap();
    assert!(first.created && first.offered);
    assert_eq!(first.hash, hex::encode(&pack.hash));
    assert_eq!(
        (first.id.as_str(), first.group.as_str()),
        ("bikes", "riders")
    );
    let again = db.put_pack(pack.clone()).await.unwrap().unwrap();
    assert!(!again.created, "the same pack again is not stored twice");
    assert!(!again.offered, "nor offered twice to one group");
    assert_eq!(db.catalog("riders".into()).await.unwrap().len(), 1);

    let len = bytes.len() as u64;
    assert_eq!(db.pack_len(pack.hash).await.unwrap(), Some(len));
    assert_eq!(db.pack_len([7; 32]).await.unwrap(), None);
    assert!(db.pack_range(pack.hash, 0, len).await.unwrap() == bytes);
    let piece = PIECE as u64;
    for (start, end) in [
        (2, 9),
        (piece - 5, piece + 5),
        (2 * piece + 1, len),
        (0, piece),
    ] {
        let range = db.pack_range(pack.hash, start, end).await.unwrap();
        assert!(
            range == bytes[start as usize..end as usize],
            "{start}..{end}"
        );
    }
    for chunk in &pack.chunks {
        let (start, end) = (chunk.offset as usize, (chunk.offset + chunk.len) as usize);
        assert_eq!(
            db.chunk(chunk.hash).await.unwrap().as_deref(),
            Some(&bytes[start..end])
        );
    }
    assert_eq!(db.chunk([8; 32]).await.unwrap(), None);
}

pub async fn the_catalog_offers_the_newest_version_of_each_variant(fresh: Fresh) {
    let db = fresh.open().await;
    db.add_publisher(publisher_key().public_key(), "fixture".into())
        .await
        .unwrap();
    for (id, version, variant, group) in [
        ("bikes", "1.2.0", "full", "riders"),
        ("bikes", "1.10.0", "full", "riders"),
        ("bikes", "1.0.0", "low", "riders"),
        ("alarms", "2.0.0", "full", "riders"),
        ("bikes", "9.0.0", "full", "cleaners"),
    ] {
        db.put_pack(new_pack(id, version, variant, group).0)
            .await
            .unwrap()
            .unwrap();
    }
    let mut offered: Vec<(String, String, String)> = db
        .catalog("riders".into())
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.id, e.version, e.variant))
        .collect();
    offered.sort();
    let expected = [
        ("alarms", "2.0.0", "full"),
        ("bikes", "1.0.0", "low"),
        ("bikes", "1.10.0", "full"),
    ]
    .map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()));
    assert_eq!(offered, expected);
    let entry = &db.catalog("cleaners".into()).await.unwrap()[0];
    assert_eq!(entry.publisher, publisher_key().public_key().to_did_key());
    assert_eq!(entry.modules, vec!["bikes-module".to_owned()]);
    assert!(db.catalog("nobody".into()).await.unwrap().is_empty());
}

pub async fn a_pack_id_belongs_to_its_first_publisher_in_the_catalog(fresh: Fresh) {
    let db = fresh.open().await;
    for key in [publisher_key(), stranger_key()] {
        db.add_publisher(key.public_key(), "publisher".into())
            .await
            .unwrap();
    }
    assert_eq!(db.pack_owner("bikes").await.unwrap(), None);
    db.put_pack(new_pack("bikes", "1.0.0", "full", "riders").0)
        .await
        .unwrap()
        .unwrap();
    // Stored anyway (as before the rule, or by a publication racing the first): another
    // publisher's newer version of the id, in the same group and in another.
    for group in ["riders", "cleaners"] {
        let (mut takeover, bytes, _file) = new_pack("bikes", "9.0.0", "full", group);
        takeover.publisher = stranger_key().public_key();
        takeover.hash = ContentHash::of(&[&bytes[..], b"takeover"].concat()).0;
        db.put_pack(takeover).await.unwrap().unwrap();
    }
    let (mut own, _, _file) = new_pack("alarms", "1.0.0", "full", "cleaners");
    own.publisher = stranger_key().public_key();
    db.put_pack(own).await.unwrap().unwrap();
    assert_eq!(
        db.pack_owner("bikes").await.unwrap(),
        Some(publisher_key().public_key())
    );
    let riders = db.catalog("riders".into()).await.unwrap();
    assert_eq!(
        riders
            .iter()
            .map(|e| (e.id.as_str(), e.version.as_str()))
            .collect::<Vec<_>>(),
        [("bikes", "1.0.0")]
    );
    let cleaners = db.catalog("cleaners".into()).await.unwrap();
    assert_eq!(
        cleaners.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["alarms"],
        "the owner's id is not offered from another publisher even where the owner offers none"
    );
}

pub async fn group_names_keep_the_one_rule(fresh: Fresh) {
    let db = fresh.open().await;
    for bad in ["a&b", "", "a b", &"g".repeat(300)] {
        let refused = db.create_enrolment(bad, None, None).await;
        assert!(
            matches!(refused, Err(HubError::BadGroup(_))),
            "{bad:?}: {refused:?}"
        );
    }
    assert!(
        db.groups(&Scope::Everything).await.unwrap().is_empty(),
        "nothing was stored"
    );
    db.create_enrolment("riders_2-b", None, None).await.unwrap();
    // One group, one name: the same letters in another case are refused with the held name,
    // for codes and for offers alike.
    for twin in ["Riders_2-B", "RIDERS_2-B"] {
        let refused = db.create_enrolment(twin, None, None).await;
        assert!(
            matches!(&refused, Err(HubError::GroupNamedOtherwise { held, .. }) if held == "riders_2-b"),
            "{twin}: {refused:?}"
        );
        assert!(matches!(
            db.offer_stored([0; 32], twin).await,
            Err(HubError::GroupNamedOtherwise { .. })
        ));
    }
    assert_eq!(db.groups(&Scope::Everything).await.unwrap().len(), 1);
}

fn learner(seed: u8) -> String {
    SecretKey::from_seed(&[seed; 32]).public_key().to_did_key()
}

/// A device joining: storage keeps the binding as given (checking it is the caller's job).
fn joining(code: Option<String>, device: PublicKey, learner: String) -> DeviceJoin {
    DeviceJoin {
        device,
        learner,
        binding: "{}".into(),
        code,
    }
}

fn device(seed: u8) -> SecretKey {
    SecretKey::from_seed(&[seed; 32])
}

pub async fn an_enrolment_code_has_its_uses_and_its_expiry(fresh: Fresh) {
    let db = fresh.open().await;
    let once = db.create_enrolment("riders", Some(1), None).await.unwrap();
    assert_eq!(once.len(), 14, "XXXX-XXXX-XXXX: {once}");
    // Typed loosely: lower case, spaces instead of hyphens.
    let typed = once.replace('-', " ").to_lowercase();
    let first = db.register_device(joining(Some(typed), device(1).public_key(), learner(101)));
    assert_eq!(first.await.unwrap(), Ok("riders".to_owned()));
    let second = db.register_device(joining(Some(once), device(2).public_key(), learner(102)));
    assert_eq!(
        second.await.unwrap(),
        Err(RegisterRefusal::BadCode),
        "used up"
    );

    let expired = db.create_enrolment("riders", None, Some(0)).await.unwrap();
    let late = db.register_device(joining(Some(expired), device(3).public_key(), learner(103)));
    assert_eq!(
        late.await.unwrap(),
        Err(RegisterRefusal::BadCode),
        "expired"
    );

    let open = db.create_enrolment("cleaners", None, None).await.unwrap();
    for seed in 4..7 {
        let joined = db.register_device(joining(
            Some(open.clone()),
            device(seed).public_key(),
            learner(seed),
        ));
        assert_eq!(joined.await.unwrap(), Ok("cleaners".to_owned()));
    }
    let unknown = db.register_device(joining(
        Some("NOPE-NOPE-NOPE".to_owned()),
        device(9).public_key(),
        learner(9),
    ));
    assert_eq!(unknown.await.unwrap(), Err(RegisterRefusal::BadCode));
}

pub async fn a_device_registers_once_for_one_learner(fresh: Fresh) {
    let db = fresh.open().await;
    let code = db.create_enrolment("riders", Some(1), None).await.unwrap();
    let key = device(11).public_key();
    let joined = db
        .register_device(joining(Some(code.clone()), key, learner(111)))
        .await
        .unwrap();
    assert_eq!(joined, Ok("riders".to_owned()));
    // Again for the same learner: the group back, even with a used-up code.
    let again = db
        .register_device(joining(Some(code.clone()), key, learner(111)))
        .await
        .unwrap();
    assert_eq!(again, Ok("riders".to_owned()));
    let other = db
        .register_device(joining(Some(code), key, learner(112)))
        .await
        .unwrap();
    assert_eq!(other, Err(RegisterRefusal::OtherLearner));
    assert_eq!(
        db.device(key).await.unwrap().map(|d| (d.learner, d.group)),
        Some((learner(111), "riders".to_owned()))
    );
    assert_eq!(db.device(device(12).public_key()).await.unwrap(), None);
}

pub async fn a_known_device_needs_no_code_and_keeps_its_binding(fresh: Fresh) {
    let db = fresh.open().await;
    let key = device(21).public_key();
    let unknown = db.register_device(joining(None, key, learner(121)));
    assert_eq!(unknown.await.unwrap(), Err(RegisterRefusal::UnknownDevice));
    let code = db.create_enrolment("village", Some(1), None).await.unwrap();
    let joined = db.register_device(joining(Some(code), key, learner(121)));
    assert_eq!(joined.await.unwrap(), Ok("village".to_owned()));
    let again = db.register_device(joining(None, key, learner(121)));
    assert_eq!(again.await.unwrap(), Ok("village".to_owned()), "known");
    let other = db.register_device(joining(None, key, learner(122)));
    assert_eq!(other.await.unwrap(), Err(RegisterRefusal::OtherLearner));
    let known = db.device(key).await.unwrap().unwrap();
    assert_eq!(
        (known.learner, known.group, known.bound),
        (learner(121), "village".to_owned(), true)
    );
}

fn verified(records: &[SignedRecord]) -> Vec<VerifiedRecord> {
    records
        .iter()
        .map(|r| VerifiedRecord::verify(r.clone()).unwrap())
        .collect()
}

fn statuses(results: &[RecordResult]) -> Vec<(RecordStatus, Option<&str>)> {
    results
        .iter()
        .map(|r| (r.status, r.note.as_deref()))
        .collect()
}

/// A registered device with a chain of `n` records, none stored yet.
async fn registered(db: &HubDb, seed: u8, n: u64) -> (SecretKey, Vec<VerifiedRecord>) {
    let key = device(seed);
    let code = db.create_enrolment("riders", Some(1), None).await.unwrap();
    let joined = db.register_device(joining(Some(code), key.public_key(), learner(seed)));
    joined.await.unwrap().unwrap();
    let chain = record_chain(&key, &learner(seed), n);
    (key, verified(&chain))
}

pub async fn records_are_stored_exactly_once(fresh: Fresh) {
    let db = fresh.open().await;
    let (key, chain) = registered(&db, 31, 3).await;
    let first = db
        .ingest(key.public_key(), chain[..2].to_vec())
        .await
        .unwrap();
    let accepted = (RecordStatus::Accepted, None);
    assert_eq!(statuses(&first), vec![accepted, accepted]);
    // Again, with the next one and a repeat inside the batch.
    let batch = vec![
        chain[1].clone(),
        chain[2].clone(),
        chain[2].clone(),
        chain[0].clone(),
    ];
    let again = db.ingest(key.public_key(), batch).await.unwrap();
    let duplicate = (RecordStatus::Duplicate, None);
    assert_eq!(
        statuses(&again),
        vec![duplicate, duplicate, accepted, duplicate]
    );
    assert_eq!(db.record_count().await.unwrap(), 3);
    // Other content under a stored id is refused, not stored.
    let mut forged = chain[1].clone();
    forged.hash = ContentHash([9; 32]);
    let refused = db.ingest(key.public_key(), vec![forged]).await.unwrap();
    assert_eq!(
        statuses(&refused),
        vec![(
            RecordStatus::Rejected,
            Some("another record already has this id")
        )]
    );
    assert_eq!(db.record_count().await.unwrap(), 3);
    assert!(db.flags(&Scope::Everything, None).await.unwrap().is_empty());
    let stored = db.results(ResultQuery::everything()).await.unwrap();
    let ids: Vec<&str> = stored.iter().map(|r| r.record.record.id.as_str()).collect();
    let mut expected: Vec<&str> = chain.iter().map(|r| r.signed.record.id.as_str()).collect();
    expected.sort_unstable();
    let mut got = ids.clone();
    got.sort_unstable();
    assert_eq!(got, expected);
    assert_eq!(stored[0].record, chain[0].signed);
}

pub async fn gaps_and_forks_are_stored_and_flagged(fresh: Fresh) {
    let db = fresh.open().await;
    let (key, chain) = registered(&db, 41, 5).await;
    let device_hex = hex::encode(&key.public_key().to_bytes());
    db.ingest(key.public_key(), chain[..2].to_vec())
        .await
        .unwrap();
    // Record 3 never arrives; 5 comes before 4.
    let gap = db
        .ingest(key.public_key(), vec![chain[4].clone()])
        .await
        .unwrap();
    assert_eq!(statuses(&gap), vec![(RecordStatus::Accepted, Some("gap"))]);
    // A second record numbered 2 (another chain's), which does not follow record 1.
    let other = verified(&record_chain(&device(42), &learner(41), 2));
    let fork = db
        .ingest(key.public_key(), vec![other[1].clone()])
        .await
        .unwrap();
    assert_eq!(
        statuses(&fork),
        vec![(RecordStatus::Accepted, Some("fork,fork"))]
    );
    assert_eq!(db.record_count().await.unwrap(), 4);
    let flag = |seq, kind: &str, detail: &str| FlagRow {
        device: device_hex.clone(),
        seq,
        kind: kind.into(),
        detail: detail.into(),
    };
    assert_eq!(
        db.flags(&Scope::Everything, None).await.unwrap(),
        vec![
            flag(5, "gap", "record 4 has not arrived"),
            flag(2, "fork", "a second record numbered 2"),
            flag(2, "fork", "does not follow record 1"),
        ]
    );
}

mod exchanges;
mod issued_and_offered;
mod reports;
mod scoped;
pub use exchanges::*;
pub use issued_and_offered::*;
pub use reports::*;
pub use scoped::*;
