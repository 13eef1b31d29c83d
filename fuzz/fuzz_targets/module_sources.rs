//! Feeds arbitrary text to the module compiler as a module.toml, a TOML bank, a GIFT bank
//! and a lesson (the input is split on NUL bytes). Trainers' files are untrusted input too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skillpack_core::module::{compile, SourceFiles};

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == 0);
    let mut files = SourceFiles::new();
    let module_toml = parts.next().unwrap_or_default();
    files.insert(
        "module.toml",
        [module_toml, b"\n[assessment]\npass_mark = 70\ndraw = 1\nbanks = [\"q.toml\", \"q.gift\"]\n"].concat(),
    );
    files.insert("q.toml", parts.next().unwrap_or_default().to_vec());
    files.insert("q.gift", parts.next().unwrap_or_default().to_vec());
    files.insert("lessons/01.md", parts.next().unwrap_or_default().to_vec());
    let _ = compile(&files);
});
