//! `skillpack relay`: a trainer carries learners' signed results from a place with no
//! connection to the hub, and the hub's answer back. `export` writes a device's unsent records
//! to a file; `import` gives such files to the hub, which checks every record as if the device
//! had pushed it and, with `--answers`, writes each learner's answer (credentials, grants,
//! revocations, records of their other devices); `take` gives an answer to the device, which
//! checks every part of it as a sync would.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use skillpack_core::ledger::RelayBundle;
use skillpack_core::protocol::RecordStatus;
use skillpack_core::protocol::RelayAnswer;
use skillpack_core::store::Store;
use skillpack_core::sync::take_relay_answer;
use skillpack_hub::answer::relay_answer;
use skillpack_hub::ingest::{bundle_refusal_code, import_relay};
use skillpack_hub::HubDb;

use super::credential::read_bounded;
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
        /// Write each learner's answer into this folder (`<bundle name>.answer.json`), for
        /// the trainer to carry back.
        #[arg(long)]
        answers: Option<PathBuf>,
    },
    /// Give the hub's answer to a device, offline: its credentials, grants, revocations and
    /// the learner's records from other devices, each checked as at a sync.
    Take {
        /// The device store.
        #[arg(long)]
        store: PathBuf,
        /// The answer file.
        answer: PathBuf,
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
            let mut bundle = RelayBundle::new(store.binding()?, enrolment, records);
            bundle.name = store
                .learner_settings()?
                .display_name
                .filter(|name| !name.is_empty());
            std::fs::write(&out, serde_json::to_vec(&bundle)?)
                .with_context(|| format!("writing {}", out.display()))?;
            outln!("{count} records written to {} for the hub", out.display());
            Ok(ExitCode::SUCCESS)
        }
        RelayCommand::Take { store, answer } => take(&store, &answer),
        RelayCommand::Import {
            db,
            bundles,
            answers,
        } => {
            let runtime = tokio::runtime::Runtime::new()?;
            let db = runtime.block_on(HubDb::open_existing(&db, None))?;
            let mut failed = false;
            for path in bundles {
                let limit =
                    usize::try_from(skillpack_core::ledger::MAX_RELAY_BYTES).unwrap_or(usize::MAX);
                let bytes = read_bounded(&path, limit)?;
                let bundle = match RelayBundle::parse(&bytes) {
                    Ok(bundle) => bundle,
                    Err(e) => {
                        let code = bundle_refusal_code(&e);
                        eprintln!("{}: refused ({code}): {e}", path.display());
                        failed = true;
                        continue;
                    }
                };
                let (learner, device) = (bundle.learner.clone(), bundle.device.clone());
                match runtime.block_on(import_relay(&db, bundle))? {
                    Ok(results) => {
                        if let Some(folder) = &answers {
                            let device = skillpack_core::keys::PublicKey::parse(&device)?;
                            let answer = runtime.block_on(relay_answer(&db, &learner, device))?;
                            let name = path
                                .file_stem()
                                .map(|s| s.to_string_lossy().into_owned())
                                .unwrap_or_else(|| "bundle".into());
                            let out = folder.join(format!("{name}.answer.json"));
                            std::fs::create_dir_all(folder)
                                .with_context(|| format!("making {}", folder.display()))?;
                            std::fs::write(&out, serde_json::to_vec(&answer)?)
                                .with_context(|| format!("writing {}", out.display()))?;
                            outln!(
                                "{}: the answer for its learner is {} ({} credentials, {} grants, \
                                 {} revocation lists, {} records of other devices)",
                                path.display(),
                                out.display(),
                                answer.credentials.len(),
                                answer.grants.len(),
                                answer.status_lists.len(),
                                answer.history.len()
                            );
                        }
                        let count = |s| results.iter().filter(|r| r.status == s).count();
                        // A record the hub refused is a failure the operator must see.
                        failed |= count(RecordStatus::Rejected) > 0;
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

/// `skillpack relay take`: the hub's answer, checked part by part and kept.
fn take(store: &std::path::Path, answer: &std::path::Path) -> CommandResult {
    let store = Store::open(store)?;
    let bytes = read_bounded(answer, skillpack_core::protocol::MAX_ANSWER_BYTES)?;
    let answer =
        RelayAnswer::parse(&bytes).with_context(|| format!("reading {}", answer.display()))?;
    let report = take_relay_answer(&store, answer)?;
    outln!(
        "took {} credential{}, {} grant{} of attempts and {} attempt{} made on other phones",
        report.credentials,
        if report.credentials == 1 { "" } else { "s" },
        report.grants.len(),
        if report.grants.len() == 1 { "" } else { "s" },
        report.history,
        if report.history == 1 { "" } else { "s" }
    );
    for revoked in &report.revoked {
        outln!(
            "REVOKED: {} ({})",
            revoked.achievement,
            revoked.reason.as_deref().unwrap_or("no reason given")
        );
    }
    for refused in &report.credentials_refused {
        eprintln!(
            "a credential was not kept ({}): {}",
            refused.id, refused.reason
        );
    }
    for refused in &report.grants_refused {
        eprintln!(
            "a grant was not kept ({}): {}",
            refused.module_id, refused.reason
        );
    }
    for refused in &report.history_refused {
        eprintln!("a record of another phone was not kept: {refused}");
    }
    for unread in &report.lists_unread {
        eprintln!(
            "a revocation list was not used ({}): {}",
            unread.url, unread.reason
        );
    }
    Ok(ExitCode::SUCCESS)
}
