//! `skillpack publish`: the trainer's upload of packs to a hub, each signed with the
//! publisher's key over a nonce from the hub, through the core's hub client.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use skillpack_core::keys::file::read_secret;
use skillpack_core::protocol::GroupName;
use skillpack_core::sync::HubClient;

use super::{print_json, CommandResult};

/// The arguments of `skillpack publish`.
#[derive(Args)]
pub struct PublishArgs {
    /// The hub, such as https://hub.example.org.
    #[arg(long)]
    hub: String,
    /// The publisher's secret key (NAME.key).
    #[arg(long)]
    key: PathBuf,
    /// The packs to publish (every variant of a pack at once, say).
    #[arg(required = true)]
    packs: Vec<PathBuf>,
    /// The group of learners it is offered to.
    #[arg(long, default_value = GroupName::DEFAULT)]
    group: GroupName,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Uploads a pack, signed with the publisher's key over a nonce from the hub, through the
/// core's hub client (its retry over a fresh nonce, its bounded reads).
pub fn publish(args: PublishArgs) -> CommandResult {
    let key = read_secret(&args.key)?;
    let client = HubClient::new(&args.hub)?;
    let mut answers = Vec::new();
    let mut failed = 0;
    for pack in &args.packs {
        let body = std::fs::read(pack).with_context(|| format!("reading {}", pack.display()))?;
        match client.publish(&key, body, args.group.as_str()) {
            Ok(published) => {
                if !args.json {
                    outln!(
                        "{} {} {} for group {} ({})",
                        published.id,
                        published.version,
                        match (published.created, published.offered) {
                            (true, _) => "published",
                            (false, true) => "was stored already; now offered",
                            (false, false) => "was already published",
                        },
                        published.group,
                        published.hash
                    );
                }
                answers.push(published);
            }
            Err(e) => {
                failed += 1;
                eprintln!("{}: {e}", pack.display());
            }
        }
    }
    if args.json {
        print_json(&answers)?;
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
