//! `skillpack device presentation`: both sides of showing credentials to a new client. The
//! client's device gives a challenge; the worker's device signs a presentation of the
//! credentials they choose over it (a file to hand over); the client's device checks it
//! offline and says, for each credential, who issued it, whether it trusts them, and what the
//! issuer's signed revocation list said, as of its date.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use skillpack_core::device::{Device, ListedRevocation, PresentationCheck, MAX_PRESENTATION_FILE};

use super::super::credential::{draw_text, read_bounded, read_qr};
use super::super::{print_json, CommandResult};

/// What `skillpack device presentation` does.
#[derive(Subcommand)]
pub enum PresentationCommand {
    /// As the client: a new challenge to give the worker (answered once, within the hour).
    Challenge {
        /// The store folder.
        #[arg(long)]
        store: PathBuf,
        /// The domain to name this verifier by, which the worker signs too.
        #[arg(long)]
        domain: Option<String>,
    },
    /// As the worker: sign a presentation of the chosen credentials, to hand over as a file.
    Make {
        /// The store folder.
        #[arg(long)]
        store: PathBuf,
        /// A credential's id (as `device credentials` lists it); repeat for each, in order.
        #[arg(long = "credential", required = true)]
        credentials: Vec<String>,
        /// The client's challenge.
        #[arg(long)]
        challenge: Option<String>,
        /// The client's domain, if the client named one.
        #[arg(long)]
        domain: Option<String>,
        /// Write the presentation here.
        #[arg(short, long)]
        out: PathBuf,
        /// Also draw its summary as a QR code here (`.png` or `.svg`), for the client to scan
        /// while the presentation follows as a file; needs --challenge.
        #[arg(long, requires = "challenge")]
        summary_qr: Option<PathBuf>,
    },
    /// As the client: check a presentation offline. Exits non-zero when it is not valid.
    Verify {
        /// The store folder.
        #[arg(long)]
        store: PathBuf,
        /// The presentation file.
        file: PathBuf,
        /// Accept a presentation that answers no challenge of this device (it may be a copy
        /// of one shown elsewhere).
        #[arg(long, conflicts_with = "summary")]
        without_challenge: bool,
        /// The summary scanned first (a PNG of its QR code, or a file of its text): the
        /// presentation must be the one it announced.
        #[arg(long)]
        summary: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a presentation command.
pub fn run(command: PresentationCommand) -> CommandResult {
    match command {
        PresentationCommand::Challenge { store, domain } => {
            let challenge = Device::open(&store)?.presentation_challenge(domain.as_deref())?;
            outln!("{challenge}");
            Ok(ExitCode::SUCCESS)
        }
        PresentationCommand::Make {
            store,
            credentials,
            challenge,
            domain,
            out,
            summary_qr,
        } => {
            let device = Device::open(&store)?;
            let file = device.present(&credentials, challenge.as_deref(), domain.as_deref())?;
            std::fs::write(&out, file).with_context(|| format!("writing {}", out.display()))?;
            if let (Some(image), Some(challenge)) = (&summary_qr, &challenge) {
                let text =
                    device.presentation_summary(&credentials, challenge, domain.as_deref())?;
                let (version, level) = draw_text(&text, image)?;
                outln!(
                    "wrote {} (the summary: {} characters, QR version {version}, error \
                     correction {level})",
                    image.display(),
                    text.len()
                );
            }
            outln!(
                "wrote {} ({} credential{})",
                out.display(),
                credentials.len(),
                if credentials.len() == 1 { "" } else { "s" }
            );
            Ok(ExitCode::SUCCESS)
        }
        PresentationCommand::Verify {
            store,
            file,
            without_challenge,
            summary,
            json,
        } => {
            let bytes = read_bounded(&file, MAX_PRESENTATION_FILE)?;
            let text = String::from_utf8_lossy(&bytes);
            let device = Device::open(&store)?;
            let check = match &summary {
                Some(path) => {
                    let scanned = read_summary_text(path)?;
                    device.verify_presentation_with_summary(&scanned, &text)?
                }
                None => device.verify_presentation(&text, !without_challenge)?,
            };
            if json {
                print_json(&check_json(&check))?;
            } else {
                print_check(&check);
            }
            Ok(if check.valid {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

fn print_check(check: &PresentationCheck) {
    if !check.valid {
        outln!(
            "NOT VALID: {}",
            check.problem.as_deref().unwrap_or("a check failed")
        );
        return;
    }
    outln!("valid presentation by {}", check.holder);
    if check.answers_challenge {
        outln!("  answers this device's challenge (used up now)");
    } else {
        outln!("  answers no challenge of this device: it may be a copy of one shown elsewhere");
    }
    if let Some(at) = &check.signed_at {
        outln!("  signed at {at} (the worker's clock)");
    }
    for c in &check.credentials {
        let trust = if c.trusted_issuer {
            "trusted issuer"
        } else {
            "issuer not known to this device"
        };
        outln!("- {} ({})", c.achievement, c.id);
        outln!("  from {} ({}), {trust}", c.issuer_name, c.issuer);
        outln!("  {}", revocation_text(&c.revocation));
    }
}

fn revocation_text(revocation: &ListedRevocation) -> String {
    match revocation {
        ListedRevocation::NotRevoked {
            list_date,
            current: true,
        } => format!("not revoked (issuer's list of {list_date}, current)"),
        ListedRevocation::NotRevoked {
            list_date,
            current: false,
        } => format!(
            "not revoked as of {list_date} (the issuer's list of that date; no newer one here)"
        ),
        ListedRevocation::Revoked { list_date } => {
            format!("REVOKED (issuer's list of {list_date})")
        }
        ListedRevocation::NotChecked { why } => format!("revocation not checked: {why}"),
    }
}

fn check_json(check: &PresentationCheck) -> serde_json::Value {
    let revocation = |r: &ListedRevocation| match r {
        ListedRevocation::NotRevoked { list_date, current } => serde_json::json!({
            "state": "not_revoked", "listDate": list_date, "current": current
        }),
        ListedRevocation::Revoked { list_date } => {
            serde_json::json!({"state": "revoked", "listDate": list_date})
        }
        ListedRevocation::NotChecked { why } => {
            serde_json::json!({"state": "not_checked", "why": why})
        }
    };
    serde_json::json!({
        "valid": check.valid,
        "problem": check.problem,
        "holder": check.holder,
        "answersChallenge": check.answers_challenge,
        "signedAt": check.signed_at,
        "credentials": check.credentials.iter().map(|c| serde_json::json!({
            "id": c.id,
            "achievement": c.achievement,
            "issuer": c.issuer,
            "issuerName": c.issuer_name,
            "trustedIssuer": c.trusted_issuer,
            "revocation": revocation(&c.revocation),
        })).collect::<Vec<_>>(),
    })
}

/// A scanned summary's text: from a PNG of its QR code, or a file of its text.
fn read_summary_text(path: &std::path::Path) -> anyhow::Result<String> {
    use skillpack_core::credential::presentation::summary::MAX_SUMMARY_TEXT;
    let bytes = read_bounded(path, 16 * 1024 * 1024)?;
    if bytes.starts_with(b"\x89PNG") {
        return read_qr(path);
    }
    if bytes.len() > MAX_SUMMARY_TEXT {
        anyhow::bail!("{} is too long for a summary", path.display());
    }
    Ok(String::from_utf8_lossy(&bytes).trim().to_owned())
}
