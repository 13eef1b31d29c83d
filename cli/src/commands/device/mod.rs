//! `skillpack device`: every learner feature of the core from a terminal, so a device can be
//! tried, debugged and scripted without a phone. Each command opens the device (the same
//! `Device` object the phones' facade drives), does one thing through it, and prints the
//! result (JSON with `--json`). Only `init` makes a store: any other command on a folder
//! that holds none is an error, never a new learner identity.

mod credentials;
mod identity;
mod portfolio;
mod presentations;
mod settings;
mod take;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Subcommand;
use skillpack_core::assess::points_text;
use skillpack_core::device::Device;
use skillpack_core::keys::file::read_public;
use skillpack_core::pack::PackError;
use skillpack_core::progress::NoProgress;
use skillpack_core::store::StoreError;
use skillpack_core::sync::{PackVersion, SyncError, SyncReport};

use super::{human_bytes, print_json, CommandResult};
pub use identity::IdentityCommand;
pub use settings::SettingsArgs;
pub use take::TakeArgs;

/// The learner's device, from a terminal.
#[derive(Subcommand)]
pub enum DeviceCommand {
    /// Create a device store (keys for the device and the learner) and trust publishers.
    Init {
        /// The store folder (made if it does not exist).
        #[arg(long)]
        store: PathBuf,
        /// Publisher keys whose packs this device installs: a key file (NAME.pub) or a
        /// did:key, as a sync names a publisher it does not trust.
        #[arg(long)]
        trust: Vec<String>,
        /// The name the learner shows the trainers of the groups they join (none by default:
        /// trainers see only the learner's key).
        #[arg(long)]
        name: Option<String>,
    },
    /// Trust one more publisher.
    Trust {
        /// The store folder.
        #[arg(long)]
        store: PathBuf,
        /// The publisher's key: a key file (NAME.pub) or its did:key, as a sync names a
        /// publisher it does not trust.
        key: String,
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
    /// List a module's questions: their ids, types and options as an answers file numbers
    /// them (the author's order).
    Questions {
        /// The store folder.
        #[arg(long)]
        store: PathBuf,
        /// The module id.
        module: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Take a module's assessment: question by question at the prompt, or from a file.
    Take(TakeArgs),
    /// Show or change the learner's settings (language, media, data budget).
    Settings(SettingsArgs),
    /// The learner's identity backup: export it, or restore it on a new device.
    #[command(subcommand)]
    Identity(IdentityCommand),
    /// List the learner's credentials.
    Credentials {
        /// The store folder.
        #[arg(long)]
        store: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Keep a credential received as a file, or hand one out as a file or a QR code.
    #[command(subcommand)]
    Credential(credentials::CredentialCommand),
    /// The worker's portfolio: credentials by issuer and kind, milestones with progress.
    Portfolio {
        /// The store folder.
        #[arg(long)]
        store: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show chosen credentials to a client as a signed presentation, or check one as the
    /// client.
    #[command(subcommand)]
    Presentation(presentations::PresentationCommand),
    /// Register this device with a hub, using an enrolment code from the trainer.
    Register {
        /// The store folder.
        #[arg(long)]
        store: PathBuf,
        /// The hub, such as https://hub.example.org.
        #[arg(long, required_unless_present = "join", requires = "code")]
        hub: Option<String>,
        /// The enrolment code.
        #[arg(long, requires = "hub")]
        code: Option<String>,
        /// The enrolment link from the trainer's code sheet (`skillpack://join?…`) instead:
        /// it names the hub, the code and the publishers to trust.
        #[arg(long, conflicts_with_all = ["hub", "code"])]
        join: Option<String>,
    },
    /// Send unsent results to the hub and install new or updated packs of the group, in
    /// the media variant the settings choose.
    Sync {
        /// The store folder.
        #[arg(long)]
        store: PathBuf,
        /// The connection is metered (mobile data): the data settings apply and what the
        /// sync moves counts against the month's budget, as on a phone.
        #[arg(long)]
        metered: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
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
        DeviceCommand::Init { store, trust, name } => {
            let device = Device::create(&store)?;
            if let Some(name) = name {
                let mut settings = device.store().learner_settings()?;
                settings.display_name = Some(name);
                device.store().set_learner_settings(&settings)?;
            }
            init(&device, &trust)
        }
        DeviceCommand::Trust { store, key } => init(&Device::open(&store)?, &[key]),
        DeviceCommand::Install { store, pack } => install(&store, &pack),
        DeviceCommand::Uninstall { store, pack_id } => {
            Device::open(&store)?.store().uninstall(&pack_id)?;
            outln!("removed {pack_id}");
            Ok(ExitCode::SUCCESS)
        }
        DeviceCommand::Catalog { store, json } => catalog(&Device::open(&store)?, json),
        DeviceCommand::Lesson {
            store,
            module,
            number,
        } => lesson(&Device::open(&store)?, &module, number),
        DeviceCommand::Questions {
            store,
            module,
            json,
        } => take::list_questions(&Device::open(&store)?, &module, json),
        DeviceCommand::Take(args) => take::run(args),
        DeviceCommand::Settings(args) => settings::run(args),
        DeviceCommand::Identity(command) => identity::run(command),
        DeviceCommand::Credentials { store, json } => {
            credentials::list(&Device::open(&store)?, json)
        }
        DeviceCommand::Credential(command) => credentials::run(command),
        DeviceCommand::Presentation(command) => presentations::run(command),
        DeviceCommand::Portfolio { store, json } => portfolio::run(&store, json),
        DeviceCommand::Records { store, json } => records(&Device::open(&store)?, json),
        DeviceCommand::Register {
            store,
            join: Some(link),
            ..
        } => {
            let device = Device::open(&store)?;
            let group = device.join(&link)?;
            let parsed = skillpack_core::protocol::JoinLink::parse(&link)?;
            for publisher in &parsed.publishers {
                outln!("trusts publisher {}", publisher.fingerprint());
            }
            outln!("registered with {} in group {group}", parsed.hub);
            Ok(ExitCode::SUCCESS)
        }
        DeviceCommand::Register {
            store,
            hub: Some(hub),
            code: Some(code),
            ..
        } => {
            let device = Device::open(&store)?;
            // A device the hub knows keeps its group; the hub uses no code for it.
            let known = device
                .store()
                .registration()?
                .is_some_and(|r| r.hub.trim_end_matches('/') == hub.trim_end_matches('/'));
            let group = device.register(&hub, &code)?;
            if known {
                outln!(
                    "already registered with {hub}, in group {group}: the code {code} was not used"
                );
            } else {
                outln!("registered with {hub} in group {group}");
            }
            Ok(ExitCode::SUCCESS)
        }
        DeviceCommand::Register { .. } => {
            anyhow::bail!("give --join with the enrolment link, or --hub and --code")
        }
        DeviceCommand::Sync {
            store,
            metered,
            json,
        } => sync(&Device::open(&store)?, metered, json),
        DeviceCommand::Check { store } => check(&store),
    }
}

fn init(device: &Device, trust: &[String]) -> CommandResult {
    for given in trust {
        let (key, label) = publisher_key(given)?;
        device.store().trust(&key, &label)?;
        outln!("trusts {label} ({})", key.fingerprint());
    }
    outln!("learner {}", device.store().learner_did());
    outln!("device  {}", device.store().device_did());
    Ok(ExitCode::SUCCESS)
}

/// A publisher's key and the label the device keeps for it, from a key file (NAME.pub,
/// labelled NAME) or a did:key (labelled by its fingerprint).
fn publisher_key(given: &str) -> anyhow::Result<(skillpack_core::keys::PublicKey, String)> {
    if given.starts_with("did:key:") {
        let key = skillpack_core::keys::PublicKey::parse(given)
            .with_context(|| format!("{given} is not an Ed25519 did:key"))?;
        return Ok((key, format!("publisher {}", key.fingerprint())));
    }
    let path = Path::new(given);
    let key = read_public(path).with_context(|| format!("reading {}", path.display()))?;
    let label = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((key, label))
}

fn install(dir: &Path, pack: &Path) -> CommandResult {
    let device = Device::open(dir)?;
    match device.store().install(pack) {
        Ok(r) => {
            let what = match &r.replaced {
                Some(old) => format!("updated from {old}"),
                None => "installed".to_owned(),
            };
            outln!(
                "{} {} {what}: {} ({} new chunks, {} already on the device)",
                r.pack_id,
                r.version,
                r.modules.join(", "),
                r.new_chunks,
                r.shared_chunks
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(StoreError::Pack(PackError::Untrusted(fp))) => {
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

fn catalog(device: &Device, json: bool) -> CommandResult {
    let entries = device.catalog()?;
    if json {
        print_json(&entries)?;
        return Ok(ExitCode::SUCCESS);
    }
    for e in &entries {
        let granted = match e.attempts_granted {
            0 => String::new(),
            n => format!(" (+{n} granted)"),
        };
        outln!(
            "{:<28} [{}] {:>2} min  lessons {}/{}  attempts {}{granted}  {}  {}",
            e.id,
            e.language,
            e.minutes,
            e.lessons_opened,
            e.lessons,
            e.attempts_used,
            e.state.name(),
            e.title
        );
    }
    if entries.is_empty() {
        outln!("no modules installed");
    }
    Ok(ExitCode::SUCCESS)
}

fn lesson(device: &Device, module: &str, number: usize) -> CommandResult {
    let index = number
        .checked_sub(1)
        .context("lessons are numbered from 1")?;
    let opened = Instant::now();
    let lesson = device.store().lesson(module, index)?;
    outln!("{}\n", lesson.markdown.trim_end());
    for m in &lesson.media {
        match &m.bytes {
            Some(bytes) => outln!(
                "[media] {} ({}, {})",
                m.path,
                m.media_type.as_deref().unwrap_or("?"),
                human_bytes(bytes.len() as u64)
            ),
            None => outln!("[media] {} (not in this pack: text-only download)", m.path),
        }
    }
    device
        .store()
        .record_progress(module, index, opened.elapsed(), None)?;
    Ok(ExitCode::SUCCESS)
}

fn records(device: &Device, json: bool) -> CommandResult {
    let records = device.store().records()?;
    if json {
        print_json(&records)?;
        return Ok(ExitCode::SUCCESS);
    }
    for r in device.results()? {
        outln!(
            "#{:<3} {} {} attempt {} {}/{} {}{}",
            r.seq,
            r.record_id,
            r.module_id,
            r.attempt,
            points_text(r.score),
            points_text(r.max_score),
            if r.passed { "passed" } else { "not passed" },
            if r.synced { "" } else { " (not yet synced)" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn check(dir: &Path) -> CommandResult {
    match Device::open(dir).and_then(|d| Ok(d.store().check()?)) {
        Ok(report) => {
            outln!(
                "ok: {} records, signatures and chain intact; {} waiting to sync",
                report.records,
                report.outbox
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("FAILED: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn sync(device: &Device, metered: bool, json: bool) -> CommandResult {
    let report = match device.sync(metered, &NoProgress) {
        Ok(report) => report,
        Err(skillpack_core::Error::Sync(SyncError::Offline(why))) => {
            eprintln!(
                "no connection to the hub ({why}); results stay on the device until the next sync"
            );
            return Ok(ExitCode::FAILURE);
        }
        Err(skillpack_core::Error::Sync(SyncError::DataBudget)) => {
            eprintln!(
                "the data settings allow no sync on metered data now (see `skillpack device \
                 settings`); results stay on the device until the next sync"
            );
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => return Err(e.into()),
    };
    let used = device.metered_use_this_month()?;
    if json {
        /// The report as it is, with what syncs used on metered data this month.
        #[derive(serde::Serialize)]
        struct SyncJson<'a> {
            #[serde(flatten)]
            report: &'a SyncReport,
            metered_use_this_month: u64,
        }
        print_json(&SyncJson {
            report: &report,
            metered_use_this_month: used,
        })?;
        return Ok(finished(&report));
    }
    // What a trainer revoked comes first: a learner must not miss it.
    for r in &report.revoked {
        outln!(
            "REVOKED: {} ({}): {}",
            r.achievement,
            r.id,
            r.reason.as_deref().unwrap_or("the hub gave no reason")
        );
    }
    let named = |packs: &[PackVersion]| {
        packs
            .iter()
            .map(|p| format!("{} {}", p.id, p.version))
            .collect::<Vec<_>>()
            .join(", ")
    };
    outln!(
        "sent {} results ({} the hub already had, {} refused); installed {}",
        report.pushed,
        report.already_there,
        report.rejected.len(),
        if report.installed.is_empty() {
            "nothing new".to_owned()
        } else {
            named(&report.installed)
        }
    );
    if report.credentials > 0 {
        outln!(
            "received {} (see `skillpack device credentials`)",
            if report.credentials == 1 {
                "a new credential".to_owned()
            } else {
                format!("{} new credentials", report.credentials)
            }
        );
    }
    if report.history > 0 {
        outln!(
            "took back {} attempt{} you made on your other phone{}: they count here too",
            report.history,
            if report.history == 1 { "" } else { "s" },
            if report.history == 1 { "" } else { "s" }
        );
    }
    for refused in &report.history_refused {
        eprintln!("the hub sent a record of your other phones that was not kept: {refused}");
    }
    for unread in &report.lists_unread {
        eprintln!(
            "revocation not checked for {} credential{} (their list at {}): {}; what was known \
             before stands",
            unread.credentials,
            if unread.credentials == 1 { "" } else { "s" },
            unread.url,
            unread.reason
        );
    }
    for refused in &report.credentials_refused {
        eprintln!(
            "the hub sent a credential that was not kept ({}): {}",
            refused.id, refused.reason
        );
    }
    for g in &report.grants {
        let plural = if g.attempts == 1 { "" } else { "s" };
        outln!(
            "{} gave you {} more attempt{plural} at {}",
            g.granted_by,
            g.attempts,
            g.module_id
        );
    }
    for refused in &report.grants_refused {
        eprintln!(
            "the hub sent a grant of attempts at {} that was not kept: {}",
            refused.module_id, refused.reason
        );
    }
    if report.resent > 0 {
        outln!(
            "the hub had lost {} results it once took (restored from a backup?): sent again",
            report.resent
        );
    }
    if !report.deferred.is_empty() {
        outln!(
            "left for later (over this month's data budget): {}",
            named(&report.deferred)
        );
    }
    for p in &report.untrusted {
        outln!(
            "not downloaded: {} {} is from {}, a publisher this device does not trust \
             (trust it with `skillpack device trust` if you know them)",
            p.id,
            p.version,
            p.publisher
        );
    }
    for p in &report.failed {
        eprintln!(
            "could not install {} {} (from {}): {}; it is tried again at the next sync",
            p.id, p.version, p.publisher, p.reason
        );
    }
    if metered {
        outln!("metered data used this month: {}", human_bytes(used));
    }
    for refused in &report.rejected {
        eprintln!("refused {}: {}", refused.id, refused.reason);
    }
    if let Some(why) = &report.unfinished {
        eprintln!("the sync stopped early ({why}); the rest goes at the next sync");
    }
    Ok(finished(&report))
}

/// Success when the sync went to its end.
fn finished(report: &SyncReport) -> ExitCode {
    if report.unfinished.is_some() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
