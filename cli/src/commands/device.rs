//! `skillpack device`: every learner feature of the core from a terminal, so a device can be
//! tried, debugged and scripted without a phone. Each command opens the store, does one
//! thing through the core, and prints the result (JSON with `--json`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use chrono::Utc;
use clap::Subcommand;
use skillpack_core::assess::{Answer, Attestation};
use skillpack_core::keys::file::read_public;
use skillpack_core::store::{Store, StoreError};
use skillpack_core::sync::{HubClient, SyncError};

use super::{correctness_label, human_bytes, points, print_json, CommandResult};

/// The learner's device, from a terminal.
#[derive(Subcommand)]
pub enum DeviceCommand {
    /// Create a device store (keys for the device and the learner) and trust publishers.
    Init {
        /// The store folder.
        #[arg(long)]
        store: PathBuf,
        /// Publisher keys (NAME.pub) whose packs this device installs.
        #[arg(long)]
        trust: Vec<PathBuf>,
    },
    /// Trust one more publisher.
    Trust {
        /// The store folder.
        #[arg(long)]
        store: PathBuf,
        /// The publisher's key (NAME.pub).
        key: PathBuf,
    },
    /// Install or update a pack from a file.
    Install {
        /// The store folder.
        #[arg(long)]
        store: PathBuf,
        /// The pack file.
        pack: PathBuf,
    },
    /// Remove a pack (the learner's progress and results stay).
    Uninstall {
        /// The store folder.
        #[arg(long)]
        store: PathBuf,
        /// The pack id.
        pack_id: String,
    },
    /// The installed modules, with state and progress.
    Catalog {
        /// The store folder.
        #[arg(long)]
        store: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show lesson N (from 1) of a module, and record that it was opened.
    Lesson {
        /// The store folder.
        #[arg(long)]
        store: PathBuf,
        /// The module id.
        module: String,
        /// The lesson number, from 1.
        number: usize,
    },
    /// Take a module's assessment with scripted answers; print the outcome.
    Take {
        /// The store folder.
        #[arg(long)]
        store: PathBuf,
        /// The module id.
        module: String,
        /// JSON object: question id to answer, e.g. {"q1": {"type": "single", "value": 2}}.
        #[arg(long)]
        answers: PathBuf,
        /// Assessor attestations (JSON files) for practical checklists.
        #[arg(long)]
        attestation: Vec<PathBuf>,
        /// Seed of the draw (default: random).
        #[arg(long)]
        seed: Option<u64>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Register this device with a hub, using an enrolment code from the trainer.
    Register {
        /// The store folder.
        #[arg(long)]
        store: PathBuf,
        /// The hub, such as https://hub.example.org.
        #[arg(long)]
        hub: String,
        /// The enrolment code.
        #[arg(long)]
        code: String,
    },
    /// Send unsent results to the hub and install new or updated packs of the group.
    Sync {
        /// The store folder.
        #[arg(long)]
        store: PathBuf,
    },
    /// The signed result records, with their signatures.
    Records {
        /// The store folder.
        #[arg(long)]
        store: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Re-verify every record's signature and the chain; non-zero exit on any fault.
    Check {
        /// The store folder.
        #[arg(long)]
        store: PathBuf,
    },
}

/// Runs a device command.
pub fn run(command: DeviceCommand) -> CommandResult {
    match command {
        DeviceCommand::Init { store, trust } => init(&store, &trust),
        DeviceCommand::Trust { store, key } => init(&store, &[key]),
        DeviceCommand::Install { store, pack } => install(&store, &pack),
        DeviceCommand::Uninstall { store, pack_id } => {
            Store::open(&store)?.uninstall(&pack_id)?;
            println!("removed {pack_id}");
            Ok(ExitCode::SUCCESS)
        }
        DeviceCommand::Catalog { store, json } => catalog(&store, json),
        DeviceCommand::Lesson {
            store,
            module,
            number,
        } => lesson(&store, &module, number),
        DeviceCommand::Take {
            store,
            module,
            answers,
            attestation,
            seed,
            json,
        } => take(&store, &module, &answers, &attestation, seed, json),
        DeviceCommand::Records { store, json } => records(&store, json),
        DeviceCommand::Register { store, hub, code } => {
            let store = Store::open(&store)?;
            let group = HubClient::new(&hub)?.register(&store, &code)?;
            println!("registered with {hub} in group {group}");
            Ok(ExitCode::SUCCESS)
        }
        DeviceCommand::Sync { store } => sync(&store),
        DeviceCommand::Check { store } => check(&store),
    }
}

fn init(dir: &Path, trust: &[PathBuf]) -> CommandResult {
    let store = Store::open(dir)?;
    for path in trust {
        let key = read_public(path).with_context(|| format!("reading {}", path.display()))?;
        let label = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        store.trust(&key, &label)?;
        println!("trusts {label} ({})", key.fingerprint());
    }
    println!("learner {}", store.learner_did());
    println!("device  {}", store.device_did());
    Ok(ExitCode::SUCCESS)
}

fn install(dir: &Path, pack: &Path) -> CommandResult {
    let store = Store::open(dir)?;
    match store.install(pack) {
        Ok(r) => {
            let what = match &r.replaced {
                Some(old) => format!("updated from {old}"),
                None => "installed".to_owned(),
            };
            println!(
                "{} {} {what}: {} ({} new chunks, {} already on the device)",
                r.pack_id,
                r.version,
                r.modules.join(", "),
                r.new_chunks,
                r.shared_chunks
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(StoreError::Untrusted(fp)) => {
            eprintln!(
                "{}: not installed: the publisher (fingerprint {fp}) is not trusted on this device; \
                 if the trainer confirms this fingerprint, run `skillpack device trust --store {} THEIR.pub`",
                pack.display(),
                dir.display()
            );
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}

fn catalog(dir: &Path, json: bool) -> CommandResult {
    let entries = Store::open(dir)?.catalog(Utc::now())?;
    if json {
        print_json(&entries)?;
        return Ok(ExitCode::SUCCESS);
    }
    for e in &entries {
        let state = serde_json::to_value(&e.state)?;
        println!(
            "{:<28} [{}] {:>2} min  lessons {}/{}  attempts {}  {}  {}",
            e.id,
            e.language,
            e.minutes,
            e.lessons_opened,
            e.lessons,
            e.attempts_used,
            state["state"].as_str().unwrap_or("?"),
            e.title
        );
    }
    if entries.is_empty() {
        println!("no modules installed");
    }
    Ok(ExitCode::SUCCESS)
}

fn lesson(dir: &Path, module: &str, number: usize) -> CommandResult {
    let store = Store::open(dir)?;
    let index = number
        .checked_sub(1)
        .context("lessons are numbered from 1")?;
    let opened = Instant::now();
    let lesson = store.lesson(module, index)?;
    println!("{}\n", lesson.markdown.trim_end());
    for m in &lesson.media {
        match &m.bytes {
            Some(bytes) => println!(
                "[media] {} ({}, {})",
                m.path,
                m.media_type.as_deref().unwrap_or("?"),
                human_bytes(bytes.len() as u64)
            ),
            None => println!("[media] {} (not in this pack: text-only download)", m.path),
        }
    }
    store.record_progress(module, index, opened.elapsed(), None)?;
    Ok(ExitCode::SUCCESS)
}

fn take(
    dir: &Path,
    module: &str,
    answers: &Path,
    attestations: &[PathBuf],
    seed: Option<u64>,
    json: bool,
) -> CommandResult {
    let store = Store::open(dir)?;
    let answers: BTreeMap<String, Answer> = serde_json::from_slice(
        &std::fs::read(answers).with_context(|| format!("reading {}", answers.display()))?,
    )
    .context("answers: a JSON object of question id to answer, such as {\"q1\": {\"type\": \"single\", \"value\": 2}}")?;
    let attestations: Vec<Attestation> = attestations
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
            serde_json::from_slice(&bytes)
                .with_context(|| format!("{} is not an attestation", p.display()))
        })
        .collect::<anyhow::Result<_>>()?;
    let seed = match seed {
        Some(seed) => seed,
        None => {
            let mut bytes = [0u8; 8];
            getrandom::getrandom(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
            u64::from_le_bytes(bytes)
        }
    };
    let started = Instant::now();
    let attempt = store.start_attempt(module, Utc::now(), seed)?;
    for (id, answer) in answers {
        if attempt.questions.iter().any(|q| q.id == id) {
            store.answer(module, &id, answer, started.elapsed())?;
        } else {
            eprintln!("note: {id} was not drawn in this attempt; its answer is not used");
        }
    }
    let (outcome, record) = store.submit(module, Utc::now(), started.elapsed(), &attestations)?;
    if json {
        print_json(
            &serde_json::json!({ "outcome": outcome, "record": record.record.id, "seq": record.record.seq }),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    for r in &outcome.results {
        let mark = correctness_label(r.correctness);
        println!(
            "{:<28} {:>5}/{:<5} {mark}",
            r.id,
            points(r.score),
            points(r.max_score)
        );
        for f in &r.feedback {
            println!("    {f}");
        }
    }
    println!(
        "score {} of {} ({}), record {} (#{}) signed and kept for sync",
        points(outcome.score),
        points(outcome.max_score),
        if outcome.passed {
            "passed"
        } else {
            "not passed"
        },
        record.record.id,
        record.record.seq
    );
    Ok(ExitCode::SUCCESS)
}

fn records(dir: &Path, json: bool) -> CommandResult {
    let store = Store::open(dir)?;
    let records = store.records()?;
    if json {
        print_json(&records)?;
        return Ok(ExitCode::SUCCESS);
    }
    let outbox: Vec<String> = store.outbox()?.into_iter().map(|r| r.record.id).collect();
    for r in &records {
        let rec = &r.record;
        println!(
            "#{:<3} {} {} attempt {} {}/{} {} {}{}",
            rec.seq,
            rec.id,
            rec.module,
            rec.attempt,
            points(rec.score),
            points(rec.max_score),
            if rec.passed { "passed" } else { "not passed" },
            &r.signature[..16],
            if outbox.contains(&rec.id) {
                " (not yet synced)"
            } else {
                ""
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn check(dir: &Path) -> CommandResult {
    match Store::open(dir).and_then(|s| s.check()) {
        Ok(report) => {
            println!(
                "ok: {} records, signatures and chain intact; {} waiting to sync",
                report.records, report.outbox
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("FAILED: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn sync(dir: &Path) -> CommandResult {
    let store = Store::open(dir)?;
    match HubClient::registered(&store)?.sync(&store, &dir.join("downloads")) {
        Ok(report) => {
            println!(
                "sent {} results ({} the hub already had, {} refused); installed {}",
                report.pushed,
                report.already_there,
                report.rejected.len(),
                if report.installed.is_empty() {
                    "nothing new".to_owned()
                } else {
                    report
                        .installed
                        .iter()
                        .map(|(id, v)| format!("{id} {v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            );
            for (id, why) in &report.rejected {
                eprintln!("refused {id}: {why}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(SyncError::Offline(why)) => {
            eprintln!(
                "no connection to the hub ({why}); results stay on the device until the next sync"
            );
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}
