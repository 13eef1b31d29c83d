//! `skillpack device credentials` and `skillpack device credential`: the learner's
//! credentials on the device: list them (a revoked one says so first, with the reason; the
//! others say when their revocation was last checked), keep one received as a file (a
//! trainer issued it offline), hand one out as a JSON file or a QR code.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Subcommand;
use skillpack_core::device::Device;
use skillpack_core::store::{HeldCredential, RevocationState};

use super::super::credential::{draw, read_credential};
use super::super::{print_json, CommandResult};

/// What `skillpack device credential` does.
#[derive(Subcommand)]
pub enum CredentialCommand {
    /// Keep a credential received as a file, once it verifies and is this learner's.
    Add {
        /// The store folder.
        #[arg(long)]
        store: PathBuf,
        /// The credential's JSON file.
        file: PathBuf,
    },
    /// Hand a credential out: as its JSON file (`-o`), or as a QR code (`--qr`, PNG or SVG).
    Export {
        /// The store folder.
        #[arg(long)]
        store: PathBuf,
        /// The credential's id (as `device credentials` lists it).
        id: String,
        /// Write its JSON here.
        #[arg(short, long)]
        out: Option<PathBuf>,
        /// Draw it as a QR code here (`.png` or `.svg`).
        #[arg(long)]
        qr: Option<PathBuf>,
    },
}

/// Lists the credentials the device keeps.
pub fn list(device: &Device, json: bool) -> CommandResult {
    let held = device.credentials()?;
    if json {
        let rows: Vec<_> = held
            .iter()
            .map(|c| {
                serde_json::json!({
                    "id": c.id, "achievement": c.achievement, "module": c.module_id,
                    "issuer": c.issuer, "issuer_name": c.issuer_name,
                    "valid_from": c.valid_from, "valid_until": c.valid_until,
                    "trusted_issuer": c.trusted_issuer,
                    "revocation": revocation_json(&c.revocation),
                    "revocation_problem": c.revocation_problem,
                })
            })
            .collect();
        print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    if held.is_empty() {
        outln!("no credentials yet: pass a module's assessment, or add one a trainer gave you");
    }
    for c in &held {
        outln!(
            "{}{}  {}  from {}{}  valid from {}{}{}",
            revoked_first(c),
            c.id,
            c.achievement,
            c.issuer_name,
            if c.trusted_issuer {
                ""
            } else {
                " (an issuer this device does not know)"
            },
            c.valid_from,
            c.valid_until
                .as_deref()
                .map(|u| format!(" until {u}"))
                .unwrap_or_default(),
            revocation_after(c)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// What opens a revoked credential's line, so that no reader can miss it.
fn revoked_first(c: &HeldCredential) -> String {
    match &c.revocation {
        RevocationState::Revoked { reason, .. } => format!(
            "REVOKED: {}  ",
            reason.as_deref().unwrap_or("(the hub gave no reason)")
        ),
        _ => String::new(),
    }
}

/// What ends a credential's line: when its revocation was checked, or since when not.
fn revocation_after(c: &HeldCredential) -> String {
    let problem = c.revocation_problem.as_deref();
    match (&c.revocation, problem) {
        (RevocationState::Revoked { seen_at, .. }, _) => format!("  (revoked, seen {seen_at})"),
        (RevocationState::NotRevoked { checked_at }, None) => {
            format!("  (not revoked, checked {checked_at})")
        }
        (RevocationState::NotRevoked { checked_at }, Some(why)) => {
            format!("  (not revoked as of {checked_at}; not checked since: {why})")
        }
        (RevocationState::Unknown, None) => "  (revocation not checked yet: sync)".to_owned(),
        (RevocationState::Unknown, Some(why)) => format!("  (revocation not checked: {why})"),
    }
}

/// The revocation state as `--json` writes it.
fn revocation_json(state: &RevocationState) -> serde_json::Value {
    match state {
        RevocationState::Unknown => serde_json::json!({"state": "unknown"}),
        RevocationState::NotRevoked { checked_at } => {
            serde_json::json!({"state": "not_revoked", "checked_at": checked_at})
        }
        RevocationState::Revoked { seen_at, reason } => {
            serde_json::json!({"state": "revoked", "seen_at": seen_at, "reason": reason})
        }
    }
}

/// Runs a `skillpack device credential` command.
pub fn run(command: CredentialCommand) -> CommandResult {
    match command {
        CredentialCommand::Add { store, file } => {
            let device = Device::open(&store)?;
            let credential = read_credential(&file)?;
            let held = device
                .add_credential(&credential.to_string())
                .with_context(|| format!("adding {}", file.display()))?;
            outln!(
                "kept {} ({}), from {}",
                held.achievement,
                held.id,
                held.issuer_name
            );
            Ok(ExitCode::SUCCESS)
        }
        CredentialCommand::Export { store, id, out, qr } => {
            if out.is_none() && qr.is_none() {
                bail!("say where: -o FILE.json, --qr FILE.png or --qr FILE.svg");
            }
            let credential = Device::open(&store)?.credential(&id)?;
            if let Some(out) = &out {
                std::fs::write(out, serde_json::to_vec_pretty(&credential)?)
                    .with_context(|| format!("writing {}", out.display()))?;
                outln!("wrote {}", out.display());
            }
            if let Some(image) = &qr {
                let (version, level) = draw(&credential, image)?;
                outln!(
                    "wrote {} (QR version {version}, error correction {level})",
                    image.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
