//! `skillpack inspect`: what a pack holds.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use skillpack_core::pack::PackReader;

use super::{human_bytes, print_json, CommandResult};

/// Prints the publisher, modules and entries of a pack.
pub fn run(pack: &Path, json: bool) -> CommandResult {
    let reader =
        PackReader::open_path(pack).with_context(|| format!("reading {}", pack.display()))?;
    let manifest = reader.manifest();
    let publisher = reader.publisher();
    let file_len = std::fs::metadata(pack)?.len();
    if json {
        print_json(&serde_json::json!({
            "publisher": publisher.to_did_key(),
            "fingerprint": publisher.fingerprint().to_string(),
            "format": format!("{}.{}", reader.header().major, reader.header().minor),
            "bytes": file_len,
            "manifest_bytes": u64::from(reader.header().manifest_stored_len)
                + manifest.index_len(),
            "manifest": manifest,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let p = &manifest.pack;
    outln!(
        "pack {} {} ({}), {}",
        p.id,
        p.version,
        p.variant,
        human_bytes(file_len)
    );
    outln!(
        "publisher {} ({})",
        publisher.fingerprint(),
        publisher.to_did_key()
    );
    outln!("modules:");
    for m in &manifest.modules {
        outln!(
            "  {} {} [{}] {} min: {}",
            m.id,
            m.version,
            m.language,
            m.minutes,
            m.title
        );
    }
    outln!("entries:");
    let width = manifest
        .entries
        .iter()
        .map(|e| e.path.chars().count())
        .max()
        .unwrap_or(0);
    for e in &manifest.entries {
        let chunk = &manifest.chunks[e.chunk as usize];
        outln!(
            "  {:<width$} {:>9}  chunk {:>3} ({}, {} stored)",
            e.path,
            human_bytes(e.size),
            e.chunk,
            chunk.codec,
            human_bytes(chunk.stored_size)
        );
    }
    Ok(ExitCode::SUCCESS)
}
