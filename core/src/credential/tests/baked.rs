//! Baked credentials: the Open Badges PNG form round-trips, replaces what was baked before,
//! leaves the image an image, and refuses what a hostile file could be.

use serde_json::{json, Value};

use super::super::baked::{bake, unbake, KEYWORD, MAX_CHUNKS};
use super::super::CredentialError;

/// A real image from the modules, drawn by a trainer's tools, not by us.
const IMAGE: &[u8] =
    include_bytes!("../../../../assets/modules/safe-riding/images/pre-ride-check.low.png");

fn credential() -> Value {
    serde_json::from_str(include_str!("../examples/microcredential-named-ects.json")).expect("json")
}

/// The chunk types of a PNG, in order.
fn chunk_types(png: &[u8]) -> Vec<String> {
    let mut types = Vec::new();
    let mut at = 8;
    while at + 8 <= png.len() {
        let length = u32::from_be_bytes(png[at..at + 4].try_into().expect("4 bytes")) as usize;
        types.push(String::from_utf8_lossy(&png[at + 4..at + 8]).into_owned());
        at += 12 + length;
    }
    types
}

#[test]
fn a_baked_credential_comes_back_as_it_went_in_before_the_images_end() {
    let baked = bake(IMAGE, &credential()).expect("bakes");
    assert_eq!(unbake(&baked).expect("unbakes"), credential());
    let types = chunk_types(&baked);
    assert_eq!(types.first().map(String::as_str), Some("IHDR"));
    assert_eq!(types.last().map(String::as_str), Some("IEND"));
    assert_eq!(types[types.len() - 2], "iTXt");
    // Every chunk of the image is still there, in its order.
    let mut without: Vec<String> = types.clone();
    without.remove(types.len() - 2);
    assert_eq!(without, chunk_types(IMAGE));
    let text = String::from_utf8_lossy(&baked);
    assert!(
        text.contains(&format!("{KEYWORD}\0\0\0\0\0{{")),
        "uncompressed iTXt"
    );
}

#[test]
fn baking_again_replaces_the_credential_baked_before() {
    let once = bake(IMAGE, &json!({"first": true})).expect("bakes");
    let twice = bake(&once, &credential()).expect("bakes again");
    assert_eq!(unbake(&twice).expect("unbakes"), credential());
    assert_eq!(
        chunk_types(&twice).iter().filter(|t| *t == "iTXt").count(),
        1
    );
}

#[test]
fn an_image_without_a_credential_says_so() {
    assert!(
        matches!(unbake(IMAGE), Err(CredentialError::Malformed(why)) if why.contains("no baked"))
    );
}

#[test]
fn broken_and_hostile_images_are_refused_by_name() {
    let baked = bake(IMAGE, &credential()).expect("bakes");
    let refused = |png: &[u8], words: &str| match unbake(png) {
        Err(e) => assert!(e.to_string().contains(words), "{e} (wanted {words})"),
        Ok(_) => panic!("accepted: wanted {words}"),
    };
    refused(b"GIF89a", "does not start");
    refused(&baked[..baked.len() - 5], "ends inside a chunk");
    let mut flipped = baked.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 1;
    refused(&flipped, "CRC");
    let mut long = baked.clone();
    long[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
    refused(&long, "runs past the end");

    // Two credentials in one image, and a compressed one: each a chunk with a right CRC.
    let chunk = |data: &[u8]| {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(b"iTXt");
        out.extend_from_slice(data);
        let mut crc = crc32fast::Hasher::new();
        crc.update(b"iTXt");
        crc.update(data);
        out.extend_from_slice(&crc.finalize().to_be_bytes());
        out
    };
    let with = |extra: Vec<u8>| {
        let end = baked.len() - 12;
        let mut png = baked[..end].to_vec();
        png.extend_from_slice(&extra);
        png.extend_from_slice(&baked[end..]);
        png
    };
    refused(
        &with(chunk(b"openbadgecredential\0\0\0\0\0{}")),
        "two baked",
    );
    let image_end = IMAGE.len() - 12;
    let mut compressed = IMAGE[..image_end].to_vec();
    compressed.extend_from_slice(&chunk(b"openbadgecredential\0\x01\0\0\0x"));
    compressed.extend_from_slice(&IMAGE[image_end..]);
    refused(&compressed, "compressed");

    // Endless empty chunks stop at the bound, not at the end of memory.
    let mut many = IMAGE[..image_end].to_vec();
    for _ in 0..MAX_CHUNKS {
        many.extend_from_slice(&chunk(b""));
    }
    many.extend_from_slice(&IMAGE[image_end..]);
    assert!(matches!(
        unbake(&many),
        Err(CredentialError::TooLarge {
            what: "the image's chunks",
            ..
        })
    ));
}
