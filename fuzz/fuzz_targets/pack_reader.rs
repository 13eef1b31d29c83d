//! Feeds arbitrary bytes to the pack reader: open, verify, read every entry. Any input
//! must give a result or an error, never a panic, a hang or a huge allocation.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use skillpack_core::pack::PackReader;

fuzz_target!(|data: &[u8]| {
    let Ok(mut reader) = PackReader::open(Cursor::new(data)) else {
        return;
    };
    let _ = reader.verify(&skillpack_core::progress::NoProgress);
    let paths: Vec<String> = reader.manifest().entries.iter().map(|e| e.path.clone()).collect();
    for path in paths {
        let _ = reader.read_entry(&path);
    }
});
