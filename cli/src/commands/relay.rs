//! `skillpack relay`: a trainer carries learners' signed results from a place with no
//! connection to the hub. `export` writes a device's unsent records to a file; `import`
//! gives such files to the hub, which checks every record as if the device had pushed it.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use skillpack_core::ledger::RelayBundle;
use skillpack_core::protocol::RecordStatus;
use skillpack_core::store::Store;
use skillpack_hub::ingest::{bundle_refusal_code, import_relay};
use skillpack_hub::HubDb;

use super::CommandResult;

/// Carrying results by hand.
#[derive(Subcommand)]
pub enum RelayCommand {
    /// Write a device's records that no hub has acknowledged to a bundle file.
    Export {
        /// The device store.
        #[arg(long)]
        store: PathBuf,
        /// The bundle to write.
        #[arg(short, long)]
        out: PathBuf,
        /// The enrolment code the trainer gave, for a device that never reached the hub (it
        /// is remembered; a device that registered online has one already).
        #[arg(long)]
        code: Option<String>,
    },
    /// Give bundles to the hub (the operator's command, on the hub's database).
    Import {
        /// Database: sqlite://PATH.
        #[arg(long, env = "SKILLPACK_DB")]
        db: String,
        /// Bundle files.
        #[arg(required = true)]
        bundles: Vec<PathBuf>,
    },
}

/// Runs a relay command.
pub fn run(command: RelayCommand) -> CommandResult {
    match command {
        RelayCommand::Export { store, out, code } => {
            let store = Store::open(&store)?;
            if let Some(code) = code {
                store.set_enrolment_code(&code)?;
            }
            let records = store.outbox()?;
            let count = records.len();
            let enrolment = store.enrolment()?;
            if enrolment.is_none() {
                eprintln!(
                    "note: this device has no enrolment code; a hub that does not know it \
                     will refuse the bundle (give one with --code)"
                );
            }
            let bundle = RelayBundle::new(store.binding()?, enrolment, records);
            std::fs::write(&out, serde_json::to_vec(&bundle)?)
                .with_context(|| format!("writing {}", out.display()))?;
            outln!("{count} records written to {} for the hub", out.display());
            Ok(ExitCode::SUCCESS)
        }
        RelayCommand::Import { db, bundles } => {
            let runtime = tokio::runtime::Runtime::new()?;
            let db = runtime.block_on(HubDb::open_existing(&db))?;
            let mut failed = false;
            for path in bundles {
                let bytes =
                    std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
                let bundle = match RelayBundle::parse(&bytes) {
                    Ok(bundle) => bundle,
                    Err(e) => {
                        let code = bundle_refusal_code(&e);
                        eprintln!("{}: refused ({code}): {e}", path.display());
                        failed = true;
                        continue;
                    }
                };
                match runtime.block_on(import_relay(&db, bundle))? {
                    Ok(results) => {
                        let count = |s| results.iter().filter(|r| r.status == s).count();
                        outln!(
                            "{}: {} accepted, {} already had, {} rejected",
                            path.display(),
                            count(RecordStatus::Accepted),
                            count(RecordStatus::Duplicate),
                            count(RecordStatus::Rejected)
                        );
                        for r in results.iter().filter(|r| r.note.is_some()) {
                            outln!(
                                "  {} {:?}: {}",
                                r.id,
                                r.status,
                                r.note.as_deref().unwrap_or_default()
                            );
                        }
                    }
                    Err(refusal) => {
                        eprintln!(
                            "{}: refused ({}): {refusal}",
                            path.display(),
                            refusal.code()
                        );
                        failed = true;
                    }
                }
            }
            Ok(if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}
