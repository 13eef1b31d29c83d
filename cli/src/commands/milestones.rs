//! `skillpack credential issue-milestone`: a trainer issues a pathway's milestone offline,
//! from the learner's credentials for its parts (files the learner shows, or the trainer's
//! own). Each part is verified first, as any verifier would (not changed, not expired), and
//! must come from the issuing key or one `--trust` names; its revocation is not checked
//! offline. The milestone names each part by id and digest.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;
use skillpack_core::authoring::read_module_folder;
use skillpack_core::credential::milestone::{issue_milestone, MilestoneAward};
use skillpack_core::credential::{self, Contexts, CLOCK_TOLERANCE};
use skillpack_core::keys::file::read_secret;
use skillpack_core::module::compile;

use super::credential::{random_uuid, read_credential, read_issuer_file, read_trusted};
use super::CommandResult;

/// `skillpack credential issue-milestone`.
#[derive(Args)]
pub struct IssueMilestoneArgs {
    /// The issuer's secret key (NAME.key).
    #[arg(long)]
    key: PathBuf,
    /// The issuer's description (TOML: name, url, country_code, country, region).
    #[arg(long)]
    issuer: PathBuf,
    /// The pathway's folder (holding pathway.toml).
    #[arg(long)]
    pathway: PathBuf,
    /// A credential for one of its parts (JSON, or a baked PNG); repeat for each.
    #[arg(long = "part", required = true)]
    parts: Vec<PathBuf>,
    /// Other issuers whose part credentials count (a key file NAME.pub or a did:key, such as
    /// the hub's issuer key); the issuing key's own always count, no one else's.
    #[arg(long)]
    trust: Vec<String>,
    /// Where to write the milestone's JSON.
    #[arg(short, long)]
    out: PathBuf,
}

/// Runs `credential issue-milestone`.
pub fn run(args: IssueMilestoneArgs) -> CommandResult {
    let key = read_secret(&args.key).with_context(|| format!("reading {}", args.key.display()))?;
    let issuer = read_issuer_file(&args.issuer)?;
    let compiled = compile(&read_module_folder(&args.pathway)?);
    let Some(compiled) = compiled.module else {
        bail!(
            "{} does not compile:\n{}",
            args.pathway.display(),
            compiled.diagnostics
        );
    };
    let pathway = compiled.module;
    if pathway.pathway.is_none() {
        bail!("{} is a module, not a pathway", args.pathway.display());
    }
    let now = chrono::Utc::now();
    let mut trusted = read_trusted(&args.trust)?;
    trusted.push(key.public_key());
    let mut parts = Vec::new();
    let mut learner = None;
    for path in &args.parts {
        let part = read_credential(path)?;
        let verified =
            credential::verify(&part, &trusted, now, CLOCK_TOLERANCE, Contexts::bundled())
                .with_context(|| format!("{} does not verify", path.display()))?;
        // A part anyone could sign earns nothing: only the issuer's own or those it trusts.
        if !verified.trusted_issuer {
            bail!(
                "{} is issued by {}, whom --trust does not name: its part does not count",
                path.display(),
                verified.issuer
            );
        }
        match &learner {
            None => learner = Some(verified.subject.clone()),
            Some(first) if *first != verified.subject => bail!(
                "{} is {}'s credential; the first part is {first}'s",
                path.display(),
                verified.subject
            ),
            Some(_) => {}
        }
        parts.push(part);
    }
    let learner = learner.unwrap_or_default();
    let signed = issue_milestone(
        &issuer,
        &key,
        &MilestoneAward {
            id: format!("urn:uuid:{}", random_uuid()?),
            pathway: &pathway,
            learner: learner.clone(),
            parts: &parts,
            awarded: now,
            status: None,
        },
        None,
        Contexts::bundled(),
    )?;
    std::fs::write(&args.out, serde_json::to_vec_pretty(&signed)?)
        .with_context(|| format!("writing {}", args.out.display()))?;
    outln!(
        "issued the milestone {} to {learner}, from {} part credential{}: {}",
        pathway.title,
        parts.len(),
        if parts.len() == 1 { "" } else { "s" },
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
