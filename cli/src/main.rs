//! `skillpack`: one command for everyone. Trainers make keys and check, build, verify,
//! inspect, diff, preview and publish packs; a learner's device runs from a terminal
//! (`device`); operators run the hub (`serve`, `hub`) and carry results (`relay`); `demo`
//! runs the main job end to end. It prints by design; every rule is in the core.

#[macro_use]
mod output;

mod answer_input;
mod commands;
mod preview;
mod progress;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Skillpack: signed, offline micro-learning packs for platform workers.
#[derive(Parser)]
#[command(name = "skillpack", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Manage publisher keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Check module folders and report every problem, without building.
    Check {
        /// Module folders.
        #[arg(required = true)]
        modules: Vec<PathBuf>,
    },
    /// Check, build and sign a pack from module folders.
    Build(commands::build::BuildArgs),
    /// Check every byte of a pack; exit non-zero on any fault.
    Verify {
        /// The pack file.
        pack: PathBuf,
        /// Publisher keys to trust (NAME.pub); with any, an unlisted publisher fails.
        #[arg(long)]
        trust: Vec<PathBuf>,
        /// Print a JSON report.
        #[arg(long)]
        json: bool,
    },
    /// Show a pack's publisher, modules, entries and sizes.
    Inspect {
        /// The pack file.
        pack: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show what an update from OLD to NEW downloads.
    Diff {
        /// The pack a device has.
        old: PathBuf,
        /// The new pack.
        new: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Issue a credential offline, verify one (file or QR image), draw one as a QR code.
    Credential {
        #[command(subcommand)]
        command: commands::credential::CredentialCommand,
    },
    /// A training provider's endorsement of the issuer key a hub keeps for it.
    Issuer {
        #[command(subcommand)]
        command: commands::issuer::IssuerCommand,
    },
    /// The learner's device from a terminal: install packs, read lessons, take assessments.
    Device {
        #[command(subcommand)]
        command: commands::device::DeviceCommand,
    },
    /// Run the hub: distribution and sync server.
    Serve(commands::serve::ServeArgs),
    /// The hub operator's commands (on its database).
    Hub {
        #[command(subcommand)]
        command: commands::hub::HubCommand,
    },
    /// Carry learners' results from an offline place to the hub as a file.
    Relay {
        #[command(subcommand)]
        command: commands::relay::RelayCommand,
    },
    /// Upload a pack to a hub, signed with the publisher's key.
    Publish(commands::publish::PublishArgs),
    /// Read a pack's lessons and take its assessment as a learner would, in the terminal.
    Preview {
        /// The pack file.
        pack: PathBuf,
    },
    /// The whole journey on the sample content: a hub on this computer, packs published,
    /// a learner's device that installs them, an assessment taken offline, a sync, and what
    /// the trainer sees.
    Demo(commands::demo::DemoArgs),
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Make a new key pair: NAME.key (secret, mode 0600) and NAME.pub.
    New {
        /// Base path of the pair, such as keys/my-ngo.
        #[arg(long)]
        out: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Under --json an error is JSON too, on standard output where the answer would be.
    let json = std::env::args_os().any(|a| a == "--json");
    let result = match cli.command {
        Command::Keys {
            command: KeysCommand::New { out, json },
        } => commands::keys::new(&out, json),
        Command::Check { modules } => commands::check::run(&modules),
        Command::Build(args) => commands::build::run(args),
        Command::Verify { pack, trust, json } => commands::verify::run(&pack, &trust, json),
        Command::Inspect { pack, json } => commands::inspect::run(&pack, json),
        Command::Diff { old, new, json } => commands::diff::run(&old, &new, json),
        Command::Device { command } => commands::device::run(command),
        Command::Credential { command } => commands::credential::run(command),
        Command::Issuer { command } => commands::issuer::run(command),
        Command::Demo(args) => commands::demo::run(args),
        Command::Preview { pack } => preview::run(&pack),
        Command::Serve(args) => commands::serve::serve(args),
        Command::Hub { command } => commands::hub::run(command),
        Command::Publish(args) => commands::publish::publish(args),
        Command::Relay { command } => commands::relay::run(command),
    };
    match result {
        Ok(code) => code,
        Err(e) if json => {
            let error = serde_json::json!({ "error": { "message": format!("{e:#}") } });
            outln!("{error}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
