//! The hub from the command line: `skillpack serve` runs it; `skillpack hub …` is the
//! operator's direct access to its database (its views also read a running hub:
//! `hub_views`); `skillpack publish` is the trainer's upload.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use skillpack_core::keys::file::{read_public, read_secret};
use skillpack_core::keys::PublicKey;
use skillpack_core::protocol::endpoint;
use skillpack_core::protocol::GroupName;
use skillpack_core::sync::HubClient;
use skillpack_hub::issue::set_up_issuer as set_up_issuer_on;
use skillpack_hub::storage::LearnerLabel;
use skillpack_hub::storage::LearnerLink;
use skillpack_hub::HubDb;

use super::hub_views::{admin_json, remote_results, results, Source};
use super::{print_json, CommandResult};

/// The operator's commands.
#[derive(Subcommand)]
pub enum HubCommand {
    /// Make a hub database (or bring one up to date) without serving it. Every other `hub`
    /// command needs one that exists.
    Init {
        /// Database: sqlite://PATH or postgres://….
        #[arg(long, env = "SKILLPACK_DB")]
        db: String,
    },
    /// Register a trainer's publisher key, so they can publish.
    AddPublisher {
        /// Database: sqlite://PATH.
        #[arg(long, env = "SKILLPACK_DB")]
        db: String,
        /// The trainer's public key (NAME.pub).
        key: PathBuf,
        /// A name for them (default: the file name).
        #[arg(long)]
        name: Option<String>,
    },
    /// The groups: packs offered to each, devices, results and open enrolment codes.
    Groups {
        #[command(flatten)]
        from: Source,
    },
    /// The learners, their devices and how many results each has sent.
    Learners {
        #[command(flatten)]
        from: Source,
    },
    /// Link a learner's new identity (a phone lost without a backup) to the one they had,
    /// so the hub counts them as one person; recorded in the audit trail.
    Link {
        /// Database: sqlite://PATH.
        #[arg(long, env = "SKILLPACK_DB")]
        db: String,
        /// The learner's new identity (`did:key`).
        #[arg(long)]
        learner: String,
        /// The identity they had (`did:key`).
        #[arg(long)]
        to: String,
        /// Who links them (your name), for the audit trail.
        #[arg(long)]
        by: String,
        /// Why (how you know it is the same person), for the audit trail.
        #[arg(long)]
        reason: String,
    },
    /// Label a learner with the name a trainer knows them by (shown before any name the
    /// learner chose); recorded in the audit trail.
    Label {
        /// Database: sqlite://PATH or postgres://….
        #[arg(long, env = "SKILLPACK_DB")]
        db: String,
        /// The learner (`did:key`).
        #[arg(long)]
        learner: String,
        /// The label (an empty value removes it).
        #[arg(long)]
        name: String,
        /// Who labels them (your name), for the audit trail.
        #[arg(long)]
        by: String,
    },
    /// Give a learner who used all their attempts at a module more: a grant their devices
    /// take at their next sync. Signed with the provider's issuer key on this hub, or with
    /// the publisher's key (--key); recorded in the audit trail.
    Grant {
        /// Database: sqlite://PATH or postgres://….
        #[arg(long, env = "SKILLPACK_DB")]
        db: String,
        /// The learner (`did:key`).
        #[arg(long)]
        learner: String,
        /// The module.
        #[arg(long)]
        module: String,
        /// How many more attempts (1 to 10).
        #[arg(long, default_value_t = 1)]
        attempts: u32,
        /// Your name, as the learner will see it.
        #[arg(long)]
        by: String,
        /// The publisher's key file, to sign with it instead of the provider's issuer key.
        #[arg(long)]
        key: Option<PathBuf>,
    },
    /// Print a one-time link that signs in to the hub's web pages (works once, for 30
    /// minutes): for an operator (every group), or with --group for a trainer of those groups.
    Signin {
        /// Database: sqlite://PATH or postgres://….
        #[arg(long, env = "SKILLPACK_DB")]
        db: String,
        /// The hub's public URL, as the person opens it.
        #[arg(long)]
        hub_url: String,
        /// Who it is for (shown on the pages and kept in the audit trail).
        #[arg(long)]
        name: String,
        /// A group the trainer sees (repeat for several); none: an operator, who sees all.
        #[arg(long)]
        group: Vec<GroupName>,
    },
    /// What operators and trainers changed, and why, oldest first.
    Audit {
        /// Database: sqlite://PATH.
        #[arg(long, env = "SKILLPACK_DB")]
        db: String,
    },
    /// The results received, as a table, CSV or xAPI statements (JSON lines).
    Results {
        #[command(flatten)]
        from: Source,
        /// table, csv (a row per attempt), summary-csv (a row per learner and module) or xapi.
        #[arg(long, default_value = "table")]
        format: String,
        /// For CSV: begin with a UTF-8 byte-order mark (for Excel on Windows).
        #[arg(long)]
        bom: bool,
        /// Only this group.
        #[arg(long)]
        group: Option<GroupName>,
        /// For xAPI: the system learners' accounts belong to (the hub's public URL).
        #[arg(long, default_value = skillpack_core::ledger::DEFAULT_HOME_PAGE)]
        home_page: String,
    },
    /// Devices whose record chains have gaps or forks.
    Flags {
        #[command(flatten)]
        from: Source,
    },
    /// Set up the issuer of a training provider: the hub makes (once) and holds a key that
    /// signs credentials for the provider's modules, endorsed by the provider's publisher key
    /// so learners' devices trust it. Passing results are then awarded credentials,
    /// earlier passes included.
    Issuer {
        /// Database: sqlite://PATH or postgres://….
        #[arg(long, env = "SKILLPACK_DB")]
        db: String,
        /// The provider's publisher key (NAME.key), registered with `hub add-publisher`.
        #[arg(long)]
        key: PathBuf,
        /// What credentials say of the provider (issuer.toml: name, url, country_code,
        /// country, region).
        #[arg(long)]
        issuer: PathBuf,
        /// The hub's public URL, where verifiers read the provider's revocation list.
        #[arg(long)]
        hub_url: String,
    },
    /// The credentials the hub issued, oldest first.
    Credentials {
        /// Database: sqlite://PATH or postgres://….
        #[arg(long, env = "SKILLPACK_DB")]
        db: String,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a credential the hub issued: its bit in the issuer's status list is set, and
    /// verifiers that check online see it revoked.
    Revoke {
        /// Database: sqlite://PATH or postgres://….
        #[arg(long, env = "SKILLPACK_DB")]
        db: String,
        /// The credential's id (`urn:uuid:…`, as `hub credentials` lists it).
        id: String,
        /// Why, kept with it.
        #[arg(long)]
        reason: String,
    },
    /// Withdraw a pack (every version and variant) from a group: its devices no longer see
    /// it in their catalog; the pack stays stored for other groups.
    Withdraw {
        /// Database: sqlite://PATH or postgres://….
        #[arg(long, env = "SKILLPACK_DB")]
        db: String,
        /// The group.
        #[arg(long)]
        group: GroupName,
        /// The pack's id.
        id: String,
    },
    /// The enrolment codes, by group: uses left, last day, revoked or not.
    Codes {
        #[command(flatten)]
        from: Source,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Revoke an enrolment code: no device joins with it from now on (those that did stay).
    RevokeCode {
        /// Database: sqlite://PATH or postgres://….
        #[arg(long, env = "SKILLPACK_DB")]
        db: String,
        /// The code.
        code: String,
    },
    /// Make an enrolment code that a trainer hands to learners for their devices.
    Enrol {
        /// Database: sqlite://PATH.
        #[arg(long, env = "SKILLPACK_DB")]
        db: String,
        /// The group the devices join (whose catalog they see): 1-64 letters, digits, - or _.
        #[arg(long)]
        group: GroupName,
        /// How many devices may use it (default: any number).
        #[arg(long)]
        uses: Option<u32>,
        /// The last day it works, YYYY-MM-DD (default: no end).
        #[arg(long)]
        expires: Option<String>,
    },
}

/// When an enrolment code stops working: `YYYY-MM-DD` (end of that day, UTC).
fn parse_expiry(text: &str) -> anyhow::Result<i64> {
    let day = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .with_context(|| format!("{text:?} is not a date like 2027-03-31"))?;
    let end = day.and_hms_opt(23, 59, 59).context("a valid time")?;
    Ok(end.and_utc().timestamp())
}

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

/// Runs an operator command.
pub fn run(command: HubCommand) -> CommandResult {
    match command {
        HubCommand::Issuer {
            db,
            key,
            issuer,
            hub_url,
        } => set_up_issuer(&db, &key, &issuer, &hub_url),
        HubCommand::Label {
            db,
            learner,
            name,
            by,
        } => {
            PublicKey::parse(&learner)
                .with_context(|| format!("{learner} is not a learner's did:key"))?;
            let label = if name.trim().is_empty() {
                None
            } else {
                Some(skillpack_core::name::display_name(&name)?)
            };
            let shown = label.clone();
            let row = LearnerLabel {
                learner: learner.clone(),
                label,
                by,
            };
            if !operate(&db, |hub| async move { hub.label_learner(row).await })? {
                bail!("no device of {learner} is registered at this hub");
            }
            match shown {
                Some(name) => outln!("{learner} is shown as {name}"),
                None => outln!("{learner}'s label removed"),
            }
            Ok(ExitCode::SUCCESS)
        }
        HubCommand::Grant {
            db,
            learner,
            module,
            attempts,
            by,
            key,
        } => grant(&db, learner, module, attempts, by, key.as_deref()),
        HubCommand::Signin {
            db,
            hub_url,
            name,
            group,
        } => {
            let label = skillpack_core::name::display_name(&name)?;
            let grant = skillpack_hub::storage::WebGrant {
                operator: group.is_empty(),
                groups: group.iter().map(|g| g.as_str().to_owned()).collect(),
                label,
            };
            let token = operate(&db, |hub| async move {
                hub.create_web_link(grant, skillpack_hub::web::LINK_TTL)
                    .await
            })?;
            outln!("{}/web/signin/{token}", hub_url.trim_end_matches('/'));
            Ok(ExitCode::SUCCESS)
        }
        HubCommand::Withdraw { db, group, id } => {
            let (g, pack) = (group.as_str().to_owned(), id.clone());
            let ended = operate(&db, |hub| async move { hub.withdraw(&g, &pack).await })?;
            if ended == 0 {
                bail!("group {group} is not offered {id}");
            }
            outln!("{id} withdrawn from group {group} ({ended} offers ended)");
            Ok(ExitCode::SUCCESS)
        }
        HubCommand::Codes { from, json } => {
            let codes: Vec<skillpack_hub::storage::CodeRow> = match from.hub()? {
                Some((client, key)) => admin_json(&client, &key, endpoint::ADMIN_CODES)?,
                None => operate(from.db()?, |hub| async move { hub.enrolment_codes().await })?,
            };
            if json {
                outln!("{}", serde_json::to_string_pretty(&codes)?);
                return Ok(ExitCode::SUCCESS);
            }
            for c in codes {
                let uses = c.uses_left.map_or("any number of uses".to_owned(), |n| {
                    format!("{n} uses left")
                });
                let until = c.expires_at.map_or(String::new(), |t| {
                    chrono::DateTime::from_timestamp(t, 0).map_or(String::new(), |d| {
                        format!(", until {}", d.format("%Y-%m-%d"))
                    })
                });
                let state = c
                    .revoked_at
                    .map_or(String::new(), |at| format!(", revoked {at}"));
                outln!("{:<12} {} {uses}{until}{state}", c.group, c.code);
            }
            Ok(ExitCode::SUCCESS)
        }
        HubCommand::RevokeCode { db, code } => {
            let typed = code.clone();
            if !operate(&db, |hub| async move { hub.revoke_code(&typed).await })? {
                bail!("no enrolment code {code} that is not revoked already (see `skillpack hub codes`)");
            }
            outln!("{code} revoked: no device joins with it from now on");
            Ok(ExitCode::SUCCESS)
        }
        HubCommand::Credentials { db, json } => {
            let rows = operate(&db, |hub| async move { hub.issued_credentials().await })?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&rows)?);
                return Ok(ExitCode::SUCCESS);
            }
            for c in rows {
                let state = match (&c.revoked_at, &c.revoked_why) {
                    (Some(at), why) => {
                        format!("revoked {at}: {}", why.as_deref().unwrap_or(""))
                    }
                    (None, _) => "valid".to_owned(),
                };
                outln!(
                    "{:>4} {} to {} (issued {}, {state})",
                    c.number,
                    c.id,
                    c.learner,
                    c.issued_at
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        HubCommand::Revoke { db, id, reason } => {
            if reason.trim().is_empty() {
                bail!("say why the credential is revoked (--reason)");
            }
            let (stored_id, why) = (id.clone(), reason.clone());
            let revoked = operate(&db, |hub| async move {
                hub.revoke_credential(&stored_id, &why).await
            })?;
            match revoked {
                Some(true) => {
                    outln!("revoked {id}: verifiers that check online now see it revoked")
                }
                Some(false) => outln!("{id} was already revoked"),
                None => {
                    bail!("this hub issued no credential {id} (see `skillpack hub credentials`)")
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        HubCommand::Init { db } => {
            let version = init(&db)?;
            outln!("hub database ready at schema {version}");
            Ok(ExitCode::SUCCESS)
        }
        HubCommand::AddPublisher { db, key, name } => {
            let public = read_public(&key).with_context(|| format!("reading {}", key.display()))?;
            let name = name.unwrap_or_else(|| file_stem(&key));
            let stored = name.clone();
            operate(
                &db,
                |hub| async move { hub.add_publisher(public, stored).await },
            )?;
            outln!(
                "publisher {name} ({}) may now publish",
                public.fingerprint()
            );
            Ok(ExitCode::SUCCESS)
        }
        HubCommand::Groups { from } => {
            let groups: Vec<skillpack_hub::storage::GroupRow> = match from.hub()? {
                Some((client, key)) => admin_json(&client, &key, endpoint::ADMIN_GROUPS)?,
                None => operate(from.db()?, |hub| async move { hub.groups().await })?,
            };
            for g in groups {
                outln!(
                    "{:<12} {} packs, {} devices, {} results, {} open codes",
                    g.group,
                    g.packs,
                    g.devices,
                    g.records,
                    g.open_codes
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        HubCommand::Learners { from } => {
            let learners: Vec<skillpack_hub::storage::LearnerRow> = match from.hub()? {
                Some((client, key)) => admin_json(&client, &key, endpoint::ADMIN_LEARNERS)?,
                None => operate(from.db()?, |hub| async move { hub.learners().await })?,
            };
            for l in learners {
                let linked = if l.person == l.learner {
                    String::new()
                } else {
                    format!(" (the same person as {})", l.person)
                };
                let named = l.name.as_ref().map_or(String::new(), |n| format!("{n} "));
                outln!(
                    "{:<12} {named}{}{linked} {} records, {} modules passed (device {}…, since {})",
                    l.group,
                    l.learner,
                    l.records,
                    l.passed,
                    &l.device[..16],
                    l.registered_at
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        HubCommand::Link {
            db,
            learner,
            to,
            by,
            reason,
        } => {
            for did in [&learner, &to] {
                PublicKey::parse(did)
                    .with_context(|| format!("{did} is not a learner's did:key"))?;
            }
            if by.trim().is_empty() || reason.trim().is_empty() {
                bail!("say who links them (--by) and why (--reason): the audit trail keeps both");
            }
            let link = LearnerLink {
                learner: learner.clone(),
                person: to,
                by,
                reason,
            };
            match operate(&db, |hub| async move { hub.link_learner(link).await })? {
                Ok(person) => {
                    outln!("{learner} is now counted as the same person as {person}");
                    Ok(ExitCode::SUCCESS)
                }
                Err(refusal) => {
                    eprintln!("refused: {refusal}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        HubCommand::Audit { db } => {
            for a in operate(&db, |hub| async move { hub.audit().await })? {
                outln!("{} {} {} {}", a.at, a.actor, a.action, a.detail);
            }
            Ok(ExitCode::SUCCESS)
        }
        HubCommand::Results {
            from,
            format,
            group,
            home_page,
            bom,
        } => match from.hub()? {
            Some((client, key)) => remote_results(
                &client,
                &key,
                &format,
                group.as_ref().map(GroupName::as_str),
                &home_page,
                bom,
            ),
            None => results(
                from.db()?,
                &format,
                group.as_ref().map(GroupName::as_str),
                &home_page,
                bom,
            ),
        },
        HubCommand::Flags { from } => {
            let flags: Vec<skillpack_hub::storage::FlagRow> = match from.hub()? {
                Some((client, key)) => admin_json(&client, &key, endpoint::ADMIN_FLAGS)?,
                None => operate(from.db()?, |hub| async move { hub.flags().await })?,
            };
            for f in &flags {
                outln!(
                    "device {}… record {}: {}: {}",
                    &f.device[..16],
                    f.seq,
                    f.kind,
                    f.detail
                );
            }
            if flags.is_empty() {
                outln!("no gaps or forks");
            }
            Ok(ExitCode::SUCCESS)
        }
        HubCommand::Enrol {
            db,
            group,
            uses,
            expires,
        } => {
            let expires_at = expires.as_deref().map(parse_expiry).transpose()?;
            let code = operate(&db, |hub| async move {
                hub.create_enrolment(group.as_str(), uses, expires_at).await
            })?;
            outln!("{code}");
            Ok(ExitCode::SUCCESS)
        }
    }
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

/// Makes the hub's database at `db`, or brings it up to date; gives its schema version.
pub(crate) fn init(db: &str) -> anyhow::Result<u32> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(async { HubDb::open(db).await?.schema_version().await })?)
}

/// `skillpack hub issuer`.
fn grant(
    db: &str,
    learner: String,
    module_id: String,
    attempts: u32,
    granted_by: String,
    key: Option<&Path>,
) -> CommandResult {
    PublicKey::parse(&learner).with_context(|| format!("{learner} is not a learner's did:key"))?;
    let key = key
        .map(|k| read_secret(k).with_context(|| format!("reading {}", k.display())))
        .transpose()?;
    let request = skillpack_hub::grant::GrantRequest {
        learner: learner.clone(),
        module_id,
        attempts,
        granted_by,
    };
    let made = operate(db, |hub| async move {
        skillpack_hub::grant::grant_attempts(&hub, request, key.as_ref()).await
    })?;
    let grant = made?;
    let t = &grant.terms;
    let plural = if t.attempts == 1 { "" } else { "s" };
    outln!(
        "{} more attempt{plural} at {} granted to {learner} by {}; their devices take it at their next sync",
        t.attempts,
        t.module,
        t.granted_by
    );
    Ok(ExitCode::SUCCESS)
}

fn set_up_issuer(db: &str, key: &Path, issuer: &Path, hub_url: &str) -> CommandResult {
    let publisher = read_secret(key).with_context(|| format!("reading {}", key.display()))?;
    let issuer = super::credential::read_issuer_file(issuer)?;
    if !(hub_url.starts_with("https://") || hub_url.starts_with("http://")) {
        bail!("the hub's URL starts with https:// (or http:// on a local network)");
    }
    let hub_url = hub_url.to_owned();
    let row = operate(db, |hub| async move {
        if !hub.is_publisher(publisher.public_key()).await? {
            return Ok(None);
        }
        set_up_issuer_on(&hub, &publisher, issuer, &hub_url)
            .await
            .map(Some)
    })?;
    let Some(row) = row else {
        bail!("the key is not a registered publisher: `skillpack hub add-publisher` first");
    };
    let issuer_key = skillpack_core::keys::SecretKey::from_seed(&row.seed).public_key();
    outln!(
        "issuer {} set up: it signs credentials for {} (endorsed by the publisher's key)",
        row.id,
        row.publisher.fingerprint()
    );
    outln!("  issuer key:  {}", issuer_key.to_did_key());
    outln!("  status list: {}", row.status_list);
    Ok(ExitCode::SUCCESS)
}

/// Opens the hub's database and runs one operator call on it, on a runtime of its own (the
/// storage is async; an operator's command is not).
pub(crate) fn operate<T, F, Fut>(db: &str, call: F) -> anyhow::Result<T>
where
    F: FnOnce(HubDb) -> Fut,
    Fut: std::future::Future<Output = Result<T, skillpack_hub::error::HubError>>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    Ok(runtime.block_on(async {
        let hub = HubDb::open_existing(db).await?;
        call(hub).await
    })?)
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}
