//! Fuzzes what lies behind the signature: the input is split into a manifest (before the
//! first NUL) and a chunk region, then sealed into a pack signed by a fixed key, as a
//! forger with their own key would. The reader must refuse bad structure without panicking.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use skillpack_core::pack::format::{Header, FORMAT_MINOR};
use skillpack_core::pack::PackReader;
use skillpack_core::testing::{publisher_key, RawPack};

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (json, rest) = data.split_at(split);
    let region = rest.get(1..).unwrap_or_default();
    let Ok(stored) = zstd::bulk::compress(json, 1) else {
        return;
    };
    let key = publisher_key();
    let header = Header {
        minor: FORMAT_MINOR,
        publisher: key.public_key().to_bytes(),
        manifest_stored_len: stored.len() as u32,
        manifest_len: json.len() as u32,
        data_len: region.len() as u64,
        signature: [0; 64],
    };
    let bytes = RawPack::sign_and_encode(header, &stored, region, &key);
    let Ok(mut reader) = PackReader::open(Cursor::new(bytes)) else {
        return;
    };
    let _ = reader.verify(&skillpack_core::progress::NoProgress);
    let paths: Vec<String> = reader.manifest().entries.iter().map(|e| e.path.clone()).collect();
    for path in paths {
        let _ = reader.read_entry(&path);
    }
});
