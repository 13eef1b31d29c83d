//! `skillpack diff`: what an update from one pack to another downloads.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

use skillpack_core::pack::{diff, PackReader};

use super::{human_bytes, print_json, CommandResult};

/// Compares two packs chunk by chunk.
pub fn run(old: &Path, new: &Path, json: bool) -> CommandResult {
    let mut old_reader =
        PackReader::open_path(old).with_context(|| format!("reading {}", old.display()))?;
    let mut new_reader =
        PackReader::open_path(new).with_context(|| format!("reading {}", new.display()))?;
    let d = diff(&mut old_reader, &mut new_reader).context("comparing the packs")?;
    if json {
        print_json(&d)?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "chunks: {} shared, {} new, {} dropped",
        d.shared_chunks,
        d.new_chunks,
        d.dropped_chunks
    );
    for (label, paths) in [
        ("added", &d.added),
        ("removed", &d.removed),
        ("changed", &d.changed),
    ] {
        for path in paths {
            outln!("  {label:<8} {path}");
        }
    }
    outln!(
        "an update downloads {} of {} ({:.0}%)",
        human_bytes(d.download_bytes),
        human_bytes(d.full_bytes),
        100.0 * d.download_bytes as f64 / d.full_bytes.max(1) as f64
    );
    Ok(ExitCode::SUCCESS)
}
