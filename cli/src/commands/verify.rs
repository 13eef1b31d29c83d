//! `skillpack verify`: a pack checked as a device checks it before installing (every byte,
//! every module sound), and optionally its publisher.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use skillpack_core::keys::file::read_public;
use skillpack_core::keys::PublicKey;
use skillpack_core::pack::{check_pack, PackError, PackReader, VerifyReport};

use super::{print_json, CommandResult};

/// Verifies `pack`; exit 0 only when everything checks out.
pub fn run(pack: &Path, trust: &[PathBuf], json: bool) -> CommandResult {
    let trusted: Vec<PublicKey> = trust
        .iter()
        .map(|p| read_public(p).with_context(|| format!("reading trusted key {}", p.display())))
        .collect::<anyhow::Result<_>>()?;
    match verify(pack, &trusted) {
        Ok((publisher, report)) => {
            if json {
                print_json(&serde_json::json!({
                    "ok": true,
                    "publisher": publisher.to_did_key(),
                    "fingerprint": publisher.fingerprint().to_string(),
                    "trusted": !trusted.is_empty(),
                    "chunks": report.chunks,
                    "entries": report.entries,
                }))?;
            } else {
                outln!(
                    "{}: ok: {} entries in {} chunks, signed by {}{}",
                    pack.display(),
                    report.entries,
                    report.chunks,
                    publisher.fingerprint(),
                    if trusted.is_empty() {
                        " (no trust list given)"
                    } else {
                        " (trusted)"
                    }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            if json {
                print_json(&serde_json::json!({ "ok": false, "error": e.to_string() }))?;
            }
            eprintln!("{}: FAILED: {e}", pack.display());
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Checks the pack as a device checks it before installing: its publisher against `trusted`
/// (when given), every byte, and every module's soundness.
pub fn verify(pack: &Path, trusted: &[PublicKey]) -> Result<(PublicKey, VerifyReport), PackError> {
    let trusted = (!trusted.is_empty()).then_some(trusted);
    let checked = check_pack(PackReader::open_path(pack)?, trusted)?;
    Ok((checked.reader.publisher(), checked.report))
}
