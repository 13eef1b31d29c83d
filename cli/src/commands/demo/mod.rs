//! `skillpack demo`: the whole journey on the sample content, in one process and with the
//! real parts. A trainer builds and checks the sample packs; an operator sets up a hub on an
//! embedded SQLite database and starts it on loopback; the trainer publishes over HTTP; a
//! learner's device registers with an enrolment code, installs the packs over the network,
//! reads a lesson and takes an assessment offline, then syncs; the demo shows what the
//! trainer sees, and the credential the pass earned, handed out as a file and a QR code. Every step is printed plainly, numbered, with its figures. It leaves nothing
//! running: the hub's thread is joined, on an error too. Its files go to a temporary folder
//! that is removed at the end, or stay in the folder `--keep` names.

mod assets;
mod credential;
mod learner;
mod local_hub;
mod packs;
mod trainer;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;

use super::CommandResult;
use assets::Assets;
use local_hub::LocalHub;

/// The arguments of `skillpack demo`.
#[derive(Args)]
pub struct DemoArgs {
    /// Folder of the sample assets (modules/ and keys/); default: ./assets, else the source
    /// tree's.
    #[arg(long)]
    assets: Option<PathBuf>,
    /// Keep everything the demo makes (the hub's database, the device's store, the packs)
    /// in this folder, which must be new or empty; by default it all goes at the end.
    #[arg(long, value_name = "DIR")]
    keep: Option<PathBuf>,
}

/// The group of learners the demo's hub offers the packs to.
const GROUP: &str = "demo";

/// Runs the journey, in a temporary folder or the one `--keep` names.
pub fn run(args: DemoArgs) -> CommandResult {
    let assets = Assets::find(args.assets)?;
    let work = WorkDir::new(args.keep)?;
    journey(&assets, work.path())?;
    match &work {
        WorkDir::Kept(dir) => outln!(
            "\nDone. Everything the demo made is in {}: the hub's database (hub.db), the \
             learner's device (device/), the packs (packs/) and the learner's credential \
             (credential.json, and its QR code credential.png).",
            dir.display()
        ),
        WorkDir::Temporary(_) => outln!(
            "\nDone. The demo's files are removed; run `skillpack demo --keep DIR` to keep them."
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// Every step, in order. The hub is stopped when this returns, whether it succeeds or not
/// ([`LocalHub`] stops and joins its thread when dropped).
fn journey(assets: &Assets, dir: &Path) -> anyhow::Result<()> {
    let mut steps = Steps::default();
    let packs = packs::build_and_check(&mut steps, assets, &dir.join("packs"))?;
    let db = format!("sqlite://{}", dir.join("hub.db").display());
    let code = trainer::set_up_hub(&mut steps, &db, assets, GROUP)?;
    let hub = LocalHub::start(&db, local_hub::ANY_LOOPBACK_PORT, dir)?;
    steps.next("The hub starts on this computer");
    say(format!(
        "it listens on {} (only this computer can reach it)",
        hub.url()
    ));
    trainer::set_up_issuer(&mut steps, &db, assets, &hub.url())?;
    trainer::publish(&mut steps, &hub.url(), assets, &packs, GROUP)?;
    let device = learner::set_up(&mut steps, &dir.join("device"), assets, &hub.url(), &code)?;
    learner::sync_packs(&mut steps, &device, &packs)?;
    let address = hub.address();
    hub.stop()?;
    steps.next("The phone loses its connection");
    say("the demo stops the hub: from here until the next sync, nothing uses the network");
    let module = learner::study_offline(&mut steps, &device)?;
    learner::try_sync_offline(&mut steps, &device)?;
    let hub = LocalHub::start(&db, address, dir)?;
    learner::sync_results(&mut steps, &device, &hub.url())?;
    trainer::show_results(&mut steps, &db, GROUP, &module)?;
    credential::hand_out(&mut steps, &device, &module, dir)?;
    let url = hub.url();
    hub.stop()?;
    steps.next("The demo stops the hub");
    say(format!(
        "{url} no longer answers: {}",
        local_hub::refused(address)?
    ));
    Ok(())
}

/// Numbers the steps as they come and prints each title.
#[derive(Debug, Default)]
pub struct Steps {
    done: u32,
}

impl Steps {
    /// Starts the next step.
    pub fn next(&mut self, title: &str) {
        self.done += 1;
        outln!("\n{}. {title}", self.done);
    }
}

/// Prints a line of what a step did, under its title.
pub fn say(line: impl std::fmt::Display) {
    outln!("   {line}");
}

/// `n` things, in the singular or the plural: `count(1, "result")` is `1 result`.
pub fn count(n: usize, thing: &str) -> String {
    match n {
        1 => format!("1 {thing}"),
        _ => format!("{n} {thing}s"),
    }
}

/// Where the demo writes: a temporary folder, removed when dropped, or one to keep.
enum WorkDir {
    Temporary(tempfile::TempDir),
    Kept(PathBuf),
}

impl WorkDir {
    /// A temporary folder, or `keep` (made if new; it must hold nothing, so the demo never
    /// mixes its device or hub with one already there).
    fn new(keep: Option<PathBuf>) -> anyhow::Result<Self> {
        let Some(dir) = keep else {
            let temp = tempfile::Builder::new()
                .prefix("skillpack-demo-")
                .tempdir()
                .context("making a temporary folder")?;
            return Ok(Self::Temporary(temp));
        };
        std::fs::create_dir_all(&dir).with_context(|| format!("making {}", dir.display()))?;
        let mut entries =
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?;
        if entries.next().is_some() {
            bail!(
                "{} is not empty: name a new or empty folder for --keep",
                dir.display()
            );
        }
        Ok(Self::Kept(dir))
    }

    fn path(&self) -> &Path {
        match self {
            Self::Temporary(temp) => temp.path(),
            Self::Kept(dir) => dir,
        }
    }
}
