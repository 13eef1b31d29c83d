//! `skillpack device identity`: the learner's identity in an encrypted backup, so it moves to
//! a new phone. `show` names the learner and the device; `export` writes the backup file (age's armored format) and the QR codes
//! that hold the same backup (as text, and drawn in the terminal); `import` restores it on a
//! device that has no results of its own yet. The passphrase comes from
//! `SKILLPACK_PASSPHRASE` or, when that is not set, one line of standard input.

use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Subcommand;
use qrcode::render::unicode::Dense1x2;
use qrcode::{EcLevel, QrCode};
use skillpack_core::device::Device;
use skillpack_core::keys::backup::MAX_BACKUP_BYTES;
use skillpack_core::store::Store;

use super::super::CommandResult;

/// The environment variable a passphrase may come from (for scripts and tests).
const PASSPHRASE_ENV: &str = "SKILLPACK_PASSPHRASE";

/// The learner's identity backup.
#[derive(Subcommand)]
pub enum IdentityCommand {
    /// Show whom this device speaks for: the learner's and the device's `did:key`.
    Show {
        /// The store folder.
        #[arg(long)]
        store: PathBuf,
    },
    /// Write the learner's key, sealed under a passphrase, as a file and as QR codes.
    Export {
        /// The store folder.
        #[arg(long)]
        store: PathBuf,
        /// The backup file to write (refused if it exists). The QR codes' texts go beside
        /// it, in FILE.qr.txt, one per line.
        #[arg(short, long)]
        out: PathBuf,
        /// Also draw the QR codes in the terminal, to scan with the new phone.
        #[arg(long)]
        qr: bool,
    },
    /// Restore the learner's identity on this device from a backup file, or from the
    /// texts of its QR codes (one per line, any order).
    Import {
        /// The store folder.
        #[arg(long)]
        store: PathBuf,
        /// The backup file, or a file of QR code texts.
        backup: PathBuf,
    },
}

/// Runs an identity command.
pub fn run(command: IdentityCommand) -> CommandResult {
    match command {
        IdentityCommand::Show { store } => {
            let device = Device::open(&store)?;
            outln!("learner {}", device.store().learner_did());
            outln!("device {}", device.store().device_did());
            Ok(ExitCode::SUCCESS)
        }
        IdentityCommand::Export { store, out, qr } => export(&store, &out, qr),
        IdentityCommand::Import { store, backup } => import(&store, &backup),
    }
}

fn export(store: &Path, out: &Path, draw: bool) -> CommandResult {
    let device = Device::open(store)?;
    let qr_file = qr_path(out);
    for path in [out, qr_file.as_path()] {
        if path.exists() {
            bail!("{} exists: choose another file", path.display());
        }
    }
    let backup = device.export_identity(&passphrase("a passphrase for the backup")?)?;
    let parts = backup.to_qr_parts();
    std::fs::write(out, backup.to_armored()?)
        .with_context(|| format!("writing {}", out.display()))?;
    std::fs::write(&qr_file, parts.join("\n") + "\n")
        .with_context(|| format!("writing {}", qr_file.display()))?;
    outln!(
        "the identity of learner {} is in {} and in {} QR codes ({})",
        device.store().learner_did(),
        out.display(),
        parts.len(),
        qr_file.display()
    );
    outln!("keep it off this phone; without the passphrase nobody can open it");
    if draw {
        for (i, part) in parts.iter().enumerate() {
            let code = QrCode::with_error_correction_level(part.as_bytes(), EcLevel::M)
                .context("drawing a QR code")?;
            outln!("\nQR code {} of {}:", i + 1, parts.len());
            outln!("{}", code.render::<Dense1x2>().quiet_zone(true).build());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn import(store: &Path, backup: &Path) -> CommandResult {
    let device = Device::open(store)?;
    let text = read_bounded(backup)?;
    let restored = device.restore_identity(
        &Store::file_keys(store),
        &text,
        &passphrase("the backup's passphrase")?,
    )?;
    outln!(
        "this device now speaks for learner {}",
        restored.store().learner_did()
    );
    Ok(ExitCode::SUCCESS)
}

/// Where the QR codes' texts of the backup at `out` go.
fn qr_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".qr.txt");
    PathBuf::from(name)
}

fn read_bounded(path: &Path) -> anyhow::Result<String> {
    let size = std::fs::metadata(path)
        .with_context(|| format!("reading {}", path.display()))?
        .len();
    if size > MAX_BACKUP_BYTES as u64 {
        bail!("{} is too large to be an identity backup", path.display());
    }
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

/// The passphrase: from the environment, or one line of standard input.
fn passphrase(what: &str) -> anyhow::Result<String> {
    if let Ok(passphrase) = std::env::var(PASSPHRASE_ENV) {
        return Ok(passphrase);
    }
    eprintln!("{what} (at least 10 characters; a few words are easy to remember):");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .take(4096)
        .read_line(&mut line)
        .context("reading the passphrase")?;
    let line = line.trim_end_matches(['\r', '\n']).to_owned();
    if line.is_empty() {
        bail!("no passphrase was given");
    }
    Ok(line)
}
