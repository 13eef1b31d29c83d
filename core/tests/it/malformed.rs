//! Hand-made bad packs, each validly signed by the key that made it unless the test is
//! about signatures, because a forger can always sign: the reader must refuse them on
//! structure, with the typed error that names the fault, and never panic or over-allocate.

use std::io::Cursor;

use skillpack_core::hash::ContentHash;
use skillpack_core::pack::format::{Header, HEADER_LEN};
use skillpack_core::pack::{Limits, PackError, PackReader};
use skillpack_core::testing::{
    open_and_verify, publisher_key, sample_pack, sample_pack_v1, stranger_key, RawPack,
};

// Most of these forge a format 1 manifest (one JSON document, so every field is easy to
// reach); its rules are the ones format 2's tree is checked by once read (see pack/tree.rs).
fn raw() -> RawPack {
    RawPack::parse(&sample_pack_v1())
}

fn err(bytes: &[u8]) -> PackError {
    open_and_verify(bytes).expect_err("a malformed pack must be refused")
}

/// Re-seals a raw pack after changing its manifest.
fn with_manifest(change: impl FnOnce(&mut skillpack_core::pack::Manifest)) -> Vec<u8> {
    let mut raw = raw();
    let mut manifest = raw.manifest();
    change(&mut manifest);
    raw.set_manifest(&manifest);
    raw.seal(&publisher_key())
}

fn header_with(change: impl FnOnce(&mut [u8; HEADER_LEN])) -> Vec<u8> {
    let mut bytes = sample_pack();
    let mut header: [u8; HEADER_LEN] = bytes[..HEADER_LEN].try_into().unwrap();
    change(&mut header);
    bytes[..HEADER_LEN].copy_from_slice(&header);
    bytes
}

#[test]
fn not_a_pack() {
    assert!(matches!(
        err(b"PK\x03\x04 this is a zip file, not a pack......"),
        PackError::NotAPack
    ));
    assert!(matches!(err(&[0u8; 500]), PackError::NotAPack));
    assert!(matches!(
        err(b""),
        PackError::Truncated {
            expected: 128,
            found: 0
        }
    ));
}

#[test]
fn unknown_major_version_and_flags() {
    let bytes = header_with(|h| h[8..10].copy_from_slice(&3u16.to_le_bytes()));
    assert!(matches!(
        err(&bytes),
        PackError::UnsupportedVersion { major: 3, minor: 0 }
    ));
    let bytes = header_with(|h| h[12] = 1);
    assert!(matches!(err(&bytes), PackError::UnknownFlags(1)));
}

#[test]
fn a_newer_minor_version_is_read() {
    let mut raw = raw();
    raw.header.minor = 7;
    let bytes = raw.seal(&publisher_key());
    open_and_verify(&bytes).expect("minor versions are compatible");
}

#[test]
fn forged_lengths_are_refused_before_allocating() {
    let bytes = header_with(|h| h[48..52].copy_from_slice(&u32::MAX.to_le_bytes()));
    assert!(matches!(
        err(&bytes),
        PackError::LimitExceeded {
            what: "the stored manifest length",
            ..
        }
    ));
    let bytes = header_with(|h| h[52..56].copy_from_slice(&u32::MAX.to_le_bytes()));
    assert!(matches!(
        err(&bytes),
        PackError::LimitExceeded {
            what: "the manifest length",
            ..
        }
    ));
    let bytes = header_with(|h| h[56..64].copy_from_slice(&u64::MAX.to_le_bytes()));
    assert!(matches!(
        err(&bytes),
        PackError::LimitExceeded {
            what: "the data length",
            ..
        }
    ));
    let bytes = header_with(|h| {
        let len = u64::from_le_bytes(h[56..64].try_into().unwrap());
        h[56..64].copy_from_slice(&(len + 1).to_le_bytes());
    });
    assert!(matches!(err(&bytes), PackError::Truncated { .. }));
    let bytes = header_with(|h| {
        let len = u64::from_le_bytes(h[56..64].try_into().unwrap());
        h[56..64].copy_from_slice(&(len - 1).to_le_bytes());
    });
    assert!(matches!(err(&bytes), PackError::TrailingBytes(1)));
}

#[test]
fn wrong_signatures_are_refused() {
    let bytes = header_with(|h| h[100] ^= 0x10);
    assert!(matches!(err(&bytes), PackError::BadSignature));
    // Another publisher's key put in the header without its signature.
    let bytes = header_with(|h| h[16..48].copy_from_slice(&stranger_key().public_key().to_bytes()));
    assert!(matches!(err(&bytes), PackError::BadSignature));
    // A signature by the right key over a different manifest.
    let good = sample_pack_v1();
    let mut bytes = with_manifest(|m| m.pack.version = "9.9.9".into());
    bytes[64..128].copy_from_slice(&good[64..128]);
    assert!(matches!(err(&bytes), PackError::BadSignature));
}

#[test]
fn a_pack_re_signed_by_another_publisher_is_untrusted() {
    let bytes = raw().seal(&stranger_key());
    open_and_verify(&bytes).expect("it is intact");
    let reader = PackReader::open(Cursor::new(&bytes)).unwrap();
    assert!(matches!(
        reader.check_trusted(&[publisher_key().public_key()]),
        Err(PackError::Untrusted(fp)) if fp == stranger_key().public_key().fingerprint()
    ));
}

#[test]
fn a_manifest_bomb_is_refused() {
    // 64 MiB of zeros compresses to a few KiB; the header says the manifest is tiny.
    let bomb = zstd::bulk::compress(&vec![b' '; 64 << 20], 3).unwrap();
    let raw = raw();
    let mut header = raw.header.clone();
    header.manifest_stored_len = bomb.len() as u32;
    header.manifest_len = 1000;
    let bytes = RawPack::sign_and_encode(header, &bomb, &raw.data, &publisher_key());
    assert!(matches!(err(&bytes), PackError::BadManifest(_)));
}

#[test]
fn a_chunk_bomb_is_refused() {
    let bomb = zstd::bulk::compress(&vec![0u8; 64 << 20], 3).unwrap();
    let mut raw = raw();
    let mut manifest = raw.manifest();
    // Chunk 0 becomes the bomb; it claims its real size is what the old chunk inflated to.
    let old_stored = manifest.chunks[0].stored_size as usize;
    let delta = bomb.len() as i64 - old_stored as i64;
    manifest.chunks[0].hash = ContentHash::of(&bomb);
    manifest.chunks[0].stored_size = bomb.len() as u64;
    for chunk in &mut manifest.chunks[1..] {
        chunk.offset = (chunk.offset as i64 + delta) as u64;
    }
    let mut data = bomb.clone();
    data.extend_from_slice(&raw.data[old_stored..]);
    raw.data = data;
    raw.set_manifest(&manifest);
    let bytes = raw.seal(&publisher_key());
    assert!(
        matches!(err(&bytes), PackError::BadChunk { index: 0, .. }),
        "{:?}",
        err(&bytes)
    );
}

#[test]
fn oversized_chunks_are_refused_at_open() {
    let bytes = with_manifest(|m| m.chunks[0].size = Limits::V1.max_chunk_len + 1);
    assert!(matches!(
        err(&bytes),
        PackError::LimitExceeded {
            what: "a chunk's size",
            ..
        }
    ));
}

#[test]
fn traversal_and_unclean_paths_are_refused() {
    for bad in [
        "../evil.md",
        "/etc/passwd",
        "bike-check/../../x",
        "bike-check\\x",
        "C:/x",
        "a//b",
    ] {
        let bytes = with_manifest(|m| {
            let lesson = m
                .entries
                .iter()
                .position(|e| e.path.ends_with("02-tyres.md"))
                .unwrap();
            m.entries[lesson].path = bad.to_owned();
            m.entries.sort_by(|a, b| a.path.cmp(&b.path));
        });
        assert!(
            matches!(err(&bytes), PackError::InvalidManifest(ref why) if why.contains("path")),
            "{bad}"
        );
    }
}

#[test]
fn duplicate_and_unsorted_entries_are_refused() {
    let bytes = with_manifest(|m| {
        let first = m.entries[0].clone();
        m.entries.insert(0, first);
    });
    assert!(matches!(err(&bytes), PackError::InvalidManifest(ref why) if why.contains("twice")));
    let bytes = with_manifest(|m| m.entries.reverse());
    assert!(matches!(err(&bytes), PackError::InvalidManifest(_)));
}

#[test]
fn entries_pointing_outside_their_chunk_are_refused() {
    let bytes = with_manifest(|m| m.entries[0].offset = u64::MAX);
    assert!(
        matches!(err(&bytes), PackError::InvalidManifest(ref why) if why.contains("past the end"))
    );
    let bytes = with_manifest(|m| m.entries[0].size += 1_000_000);
    assert!(
        matches!(err(&bytes), PackError::InvalidManifest(ref why) if why.contains("past the end"))
    );
    let bytes = with_manifest(|m| m.entries[0].chunk = 999);
    assert!(
        matches!(err(&bytes), PackError::InvalidManifest(ref why) if why.contains("does not exist"))
    );
}

#[test]
fn overlapping_or_gapped_chunks_are_refused() {
    let bytes = with_manifest(|m| m.chunks[1].offset -= 1);
    assert!(matches!(err(&bytes), PackError::InvalidManifest(_)));
    let bytes = with_manifest(|m| {
        let last = m.chunks.len() - 1;
        m.chunks[last].stored_size = u64::MAX;
    });
    assert!(matches!(
        err(&bytes),
        PackError::LimitExceeded {
            what: "a chunk's stored size",
            ..
        }
    ));
}

#[test]
fn a_stored_size_far_beyond_what_the_chunk_inflates_to_is_refused_before_reading() {
    // A forger's chunk that claims 10 bytes of content but 3 GB stored: refused at open,
    // before anything is allocated for it.
    let bytes = with_manifest(|m| {
        m.chunks[0].size = 10;
        m.chunks[0].stored_size = 3 << 30;
    });
    assert!(matches!(
        err(&bytes),
        PackError::LimitExceeded {
            what: "a chunk's stored size",
            ..
        }
    ));
}

#[test]
fn entries_that_would_collide_or_stray_are_refused() {
    let bytes = with_manifest(|m| {
        let mut twin = m.entries[0].clone();
        twin.path = twin
            .path
            .to_uppercase()
            .replacen("BIKE-CHECK", "bike-check", 1);
        m.entries.push(twin);
        m.entries.sort_by(|a, b| a.path.cmp(&b.path));
    });
    assert!(
        matches!(err(&bytes), PackError::InvalidManifest(ref why) if why.contains("only by case"))
    );
    let bytes = with_manifest(|m| {
        let lesson = m
            .entries
            .iter()
            .position(|e| e.path.ends_with("02-tyres.md"))
            .unwrap();
        m.entries[lesson].path = "other-module/lesson.md".into();
        m.entries.sort_by(|a, b| a.path.cmp(&b.path));
    });
    assert!(
        matches!(err(&bytes), PackError::InvalidManifest(ref why) if why.contains("not inside a listed module"))
    );
}

#[test]
fn pack_identity_and_module_order_are_checked() {
    for change in [
        (|m: &mut skillpack_core::pack::Manifest| m.pack.id = "../../etc".into()) as fn(&mut _),
        |m| m.pack.version = "banana".into(),
        |m| {
            let twin = m.modules[0].clone();
            m.modules.push(twin);
        },
    ] {
        let bytes = with_manifest(change);
        assert!(matches!(err(&bytes), PackError::InvalidManifest(_)));
    }
}

#[test]
fn asking_for_a_chunk_that_does_not_exist_is_an_error_not_a_panic() {
    let bytes = sample_pack();
    let mut reader = PackReader::open(Cursor::new(&bytes)).unwrap();
    assert!(matches!(
        reader.read_chunk(999),
        Err(PackError::NoSuchChunk(999))
    ));
    assert!(matches!(
        reader.read_stored_chunk(usize::MAX),
        Err(PackError::NoSuchChunk(_))
    ));
}

#[test]
fn counts_beyond_the_limits_are_refused() {
    let limits = Limits {
        max_entries: 3,
        ..Limits::V1
    };
    let bytes = sample_pack();
    let got = PackReader::open_with_limits(Cursor::new(&bytes), &limits).expect_err("too many");
    assert!(matches!(
        got,
        PackError::LimitExceeded {
            what: "the number of entries",
            value: 5,
            limit: 3
        }
    ));
}

#[test]
fn malformed_manifest_json_is_refused() {
    for json in [&b"{not json"[..], b"[]", b"{\"pack\":1}", &[b'['; 100_000]] {
        let mut raw = raw();
        raw.manifest_json = json.to_vec();
        assert!(matches!(
            err(&raw.seal(&publisher_key())),
            PackError::BadManifest(_)
        ));
    }
}

#[test]
fn a_module_without_its_module_json_is_refused() {
    let bytes = with_manifest(|m| m.modules[0].id = "other".into());
    assert!(
        matches!(err(&bytes), PackError::InvalidManifest(ref why) if why.contains("module.json"))
    );
}

#[test]
fn an_entry_whose_hash_lies_is_caught_on_read() {
    let bytes = with_manifest(|m| m.entries[0].hash = Some(ContentHash::of(b"something else")));
    assert!(matches!(err(&bytes), PackError::EntryHashMismatch { .. }));
}

#[test]
fn a_chunk_whose_bytes_changed_is_caught_before_inflating() {
    let mut bytes = sample_pack();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    assert!(matches!(err(&bytes), PackError::ChunkHashMismatch { .. }));
}

#[test]
fn header_round_trips() {
    let raw = raw();
    let encoded = raw.header.encode();
    assert_eq!(Header::decode(&encoded, &Limits::V1).unwrap(), raw.header);
}

#[test]
fn dictionary_references_must_make_sense() {
    use skillpack_core::pack::Codec;
    let bytes = with_manifest(|m| m.chunks[0].codec = Codec::ZstdDict);
    assert!(
        matches!(err(&bytes), PackError::InvalidManifest(ref why) if why.contains("dictionary"))
    );
    let bytes = with_manifest(|m| m.dictionary = Some(99));
    assert!(
        matches!(err(&bytes), PackError::InvalidManifest(ref why) if why.contains("dictionary"))
    );
    let bytes = with_manifest(|m| m.dictionary = Some(0));
    assert!(
        matches!(err(&bytes), PackError::InvalidManifest(ref why) if why.contains("also holds entries"))
    );
}
