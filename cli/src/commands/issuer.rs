//! `skillpack issuer endorse`: the trainer, on their own computer, endorses the issuer key a hub
//! keeps for them, with their publisher key, as an Open Badges 3.0 `EndorsementCredential`
//! (ADR 0006). The operator gives the file to the hub (`skillpack hub issuer --endorsement`);
//! the publisher's secret key never leaves the trainer's computer.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Subcommand;

use skillpack_core::credential::{self, Contexts};
use skillpack_core::keys::file::read_secret;
use skillpack_core::keys::PublicKey;

use super::CommandResult;

/// What `skillpack issuer` does.
#[derive(Subcommand)]
pub enum IssuerCommand {
    /// Endorse a hub's issuer key with your publisher key, so that verifiers who trust your key
    /// trust the credentials the hub issues for you. Compare the fingerprint it prints with the
    /// one the hub's operator reads out.
    Endorse {
        /// Your publisher key (NAME.key).
        #[arg(long)]
        key: PathBuf,
        /// The hub's issuer key, as `skillpack hub issuer` prints it (did:key:z6Mk…).
        #[arg(long)]
        issuer: String,
        /// Your name as a provider, as learners and employers know it.
        #[arg(long)]
        name: Option<String>,
        /// Where to write the endorsement (JSON).
        #[arg(short, long)]
        out: PathBuf,
    },
}

/// Runs a `skillpack issuer` command.
pub fn run(command: IssuerCommand) -> CommandResult {
    match command {
        IssuerCommand::Endorse {
            key,
            issuer,
            name,
            out,
        } => {
            let publisher =
                read_secret(&key).with_context(|| format!("reading {}", key.display()))?;
            if !issuer.starts_with("did:key:") {
                bail!("--issuer must be the hub's issuer key as a did:key (did:key:z6Mk…)");
            }
            let issuer_key = PublicKey::parse(&issuer)
                .with_context(|| format!("{issuer} is not an Ed25519 did:key"))?;
            if issuer_key == publisher.public_key() {
                bail!(
                    "{issuer} is your own publisher key: endorse the key the hub's operator \
                     gave you (`skillpack hub issuer` prints it)"
                );
            }
            let endorsement = credential::endorse(
                &publisher,
                &issuer_key,
                name.as_deref(),
                skillpack_core::random::bytes()?,
                chrono::Utc::now(),
                Contexts::bundled(),
            )?;
            let json = serde_json::to_string_pretty(&endorsement)?;
            std::fs::write(&out, json + "\n")
                .with_context(|| format!("writing {}", out.display()))?;
            let named = name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(|n| format!(" for {n}"))
                .unwrap_or_default();
            outln!(
                "endorsed {issuer} (fingerprint {}) to issue{named}, signed by your key {}",
                issuer_key.fingerprint(),
                publisher.public_key().fingerprint()
            );
            outln!(
                "check that fingerprint with the hub's operator, then give them {}",
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
