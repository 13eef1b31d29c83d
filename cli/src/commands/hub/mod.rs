//! The hub from the command line: `skillpack hub …` is the operator's direct access to its
//! database (its views also read a running hub). The commands are declared and dispatched
//! here; `views` shows what the hub holds, `changes` changes what it holds of its people.
//! `skillpack serve` runs the hub (`serve.rs`); `skillpack publish` is the trainer's upload
//! (`publish.rs`).

mod changes;
mod packs;
mod views;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Subcommand;
use skillpack_core::keys::file::read_public;
use skillpack_core::protocol::GroupName;
use skillpack_hub::pack_store::PacksAt;
use skillpack_hub::HubDb;

pub(crate) use self::views::result_line;
use self::views::{remote_results, results, Source};
use super::CommandResult;

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
        /// Only in this group (a label belongs to each group the learner is in; by default
        /// it is written in all of them).
        #[arg(long)]
        group: Option<String>,
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
        /// table, csv (a row per attempt), summary-csv (a row per learner and module), xapi
        /// (a statement a line) or xapi-array (one JSON array, as an LRS takes statements).
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
    /// signs credentials for the provider's modules. It issues once the provider endorses that
    /// key: the trainer runs `skillpack issuer endorse` on their own computer, and you give the
    /// file here with --endorsement. Passing results are then awarded credentials, earlier
    /// passes included. On the trainer's own computer, --key endorses it at once.
    Issuer {
        /// Database: sqlite://PATH or postgres://….
        #[arg(long, env = "SKILLPACK_DB")]
        db: String,
        /// The provider's publisher key (NAME.pub, or its did:key), registered with `hub
        /// add-publisher`.
        #[arg(long, conflicts_with = "key")]
        publisher: Option<String>,
        /// The provider's secret publisher key (NAME.key), to endorse the issuer key at once:
        /// only on the trainer's own computer.
        #[arg(long)]
        key: Option<PathBuf>,
        /// What credentials say of the provider (issuer.toml: name, url, country_code,
        /// country, region).
        #[arg(long, requires = "hub_url")]
        issuer: Option<PathBuf>,
        /// The hub's public URL, where verifiers read the provider's revocation list.
        #[arg(long, requires = "issuer")]
        hub_url: Option<String>,
        /// The provider's endorsement of the issuer key, as `skillpack issuer endorse` wrote it.
        #[arg(long)]
        endorsement: Option<PathBuf>,
    },
    /// Issue a platform's work records to its workers' devices (taken at their next sync),
    /// signed with the platform's issuer key on this hub (`hub issuer`, endorsed).
    WorkRecords {
        /// Database: sqlite://PATH or postgres://….
        #[arg(long, env = "SKILLPACK_DB")]
        db: String,
        /// The platform's publisher key (NAME.pub, or its did:key).
        #[arg(long)]
        publisher: String,
        /// The workers' records: CSV or JSON, as `credential issue-work-record` reads them.
        #[arg(long)]
        records: PathBuf,
        /// Client reviews to pass on (CSV: worker, date, text, rating).
        #[arg(long)]
        reviews: Option<PathBuf>,
    },
    /// Back up an SQLite hub while it serves (SQLite's online backup API: a plain copy of a
    /// running hub's file misses what is still in its log). For PostgreSQL, use pg_dump
    /// (docs/operations.md).
    Backup {
        /// Database: sqlite://PATH.
        #[arg(long, env = "SKILLPACK_DB")]
        db: String,
        /// Where the hub keeps packs (as given to serve; default: its default).
        #[arg(long, env = "SKILLPACK_PACKS")]
        packs: Option<String>,
        /// Where to write the copy (must not exist); the list of its packs goes beside it,
        /// as OUT.packs.
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Compare the packs the database names with those in the pack store: what to run after
    /// restoring either. Fails when a pack is missing.
    Packs {
        /// Database: sqlite://PATH or postgres://….
        #[arg(long, env = "SKILLPACK_DB")]
        db: String,
        /// Where the hub keeps packs (as given to serve; default: its default).
        #[arg(long, env = "SKILLPACK_PACKS")]
        packs: Option<String>,
    },
    /// Move the bytes of packs published before packs had a store out of the database into
    /// the pack store, one pack at a time (safe to interrupt and run again, and while the
    /// hub serves).
    MovePacks {
        /// Database: sqlite://PATH or postgres://….
        #[arg(long, env = "SKILLPACK_DB")]
        db: String,
        /// Where the hub keeps packs (as given to serve; default: its default).
        #[arg(long, env = "SKILLPACK_PACKS")]
        packs: Option<String>,
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
        /// Who revokes it (a name), for the audit trail.
        #[arg(long)]
        by: String,
    },
    /// Retire a learner's device (lost, or held by someone else): its later pushes,
    /// registrations and relay bundles are refused (`device_retired`); what it sent before
    /// stays. The learner goes on from another phone.
    RetireDevice {
        /// Database: sqlite://PATH or postgres://….
        #[arg(long, env = "SKILLPACK_DB")]
        db: String,
        /// The device: its did:key, or its key in hex as `hub learners` lists it.
        device: String,
        /// Why, kept with it and told to the device when it is refused.
        #[arg(long)]
        reason: String,
        /// Who retires it (a name), for the audit trail.
        #[arg(long)]
        by: String,
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
        /// The hub's public URL: also print the enrolment link (the hub, the code and the
        /// group's publishers), which a phone joins with in one scan.
        #[arg(long)]
        hub_url: Option<String>,
    },
}

/// When an enrolment code stops working: `YYYY-MM-DD` (end of that day, UTC).
fn parse_expiry(text: &str) -> anyhow::Result<i64> {
    let day = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .with_context(|| format!("{text:?} is not a date like 2027-03-31"))?;
    let end = day.and_hms_opt(23, 59, 59).context("a valid time")?;
    Ok(end.and_utc().timestamp())
}

/// Runs an operator command.
pub fn run(command: HubCommand) -> CommandResult {
    match command {
        HubCommand::Backup { db, packs, out } => backup(&db, packs.as_deref(), &out),
        HubCommand::Packs { db, packs } => packs::check(&db, packs.as_deref()),
        HubCommand::MovePacks { db, packs } => packs::move_to_store(&db, packs.as_deref()),
        HubCommand::WorkRecords {
            db,
            publisher,
            records,
            reviews,
        } => changes::work_records(&db, &publisher, &records, reviews.as_deref()),
        HubCommand::Issuer {
            db,
            publisher,
            key,
            issuer,
            hub_url,
            endorsement,
        } => changes::issuer(
            &db,
            changes::IssuerArgs {
                publisher,
                key,
                profile: issuer.zip(hub_url),
                endorsement,
            },
        ),
        HubCommand::Label {
            db,
            learner,
            name,
            by,
            group,
        } => changes::label(db, learner, name, by, group),
        HubCommand::Grant {
            db,
            learner,
            module,
            attempts,
            by,
            key,
        } => changes::grant(&db, learner, module, attempts, by, key.as_deref()),
        HubCommand::Signin {
            db,
            hub_url,
            name,
            group,
        } => changes::sign_in(db, hub_url, name, group),
        HubCommand::Withdraw { db, group, id } => {
            let (g, pack) = (group.as_str().to_owned(), id.clone());
            let ended = operate(&db, |hub| async move { hub.withdraw(&g, &pack).await })?;
            if ended == 0 {
                bail!("group {group} is not offered {id}");
            }
            outln!("{id} withdrawn from group {group} ({ended} offers ended)");
            Ok(ExitCode::SUCCESS)
        }
        HubCommand::Codes { from, json } => views::codes(from, json),
        HubCommand::RevokeCode { db, code } => {
            let typed = code.clone();
            if !operate(&db, |hub| async move { hub.revoke_code(&typed).await })? {
                bail!("no enrolment code {code} that is not revoked already (see `skillpack hub codes`)");
            }
            outln!("{code} revoked: no device joins with it from now on");
            Ok(ExitCode::SUCCESS)
        }
        HubCommand::Credentials { db, json } => views::credentials(db, json),
        HubCommand::Revoke { db, id, reason, by } => changes::revoke(db, id, reason, by),
        HubCommand::RetireDevice {
            db,
            device,
            reason,
            by,
        } => changes::retire_device(&db, &device, reason, by),
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
        HubCommand::Groups { from } => views::groups(from),
        HubCommand::Learners { from } => views::learners(from),
        HubCommand::Link {
            db,
            learner,
            to,
            by,
            reason,
        } => changes::link(db, learner, to, by, reason),
        HubCommand::Audit { db } => views::audit(db),
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
        HubCommand::Flags { from } => views::flags(from),
        HubCommand::Enrol {
            db,
            group,
            uses,
            expires,
            hub_url,
        } => {
            let expires_at = expires.as_deref().map(parse_expiry).transpose()?;
            let named = group.as_str().to_owned();
            let code = operate(&db, |hub| async move {
                hub.create_enrolment(group.as_str(), uses, expires_at).await
            })?;
            outln!("{code}");
            if let Some(url) = hub_url {
                let (group, typed) = (named, code.clone());
                let link = operate(&db, |hub| async move {
                    skillpack_hub::join::join_link(&hub, &url, &group, &typed).await
                })?;
                let text = link.to_text();
                skillpack_core::protocol::JoinLink::parse(&text)
                    .context("the hub's URL is not one a phone may join (https)")?;
                outln!("{text}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Makes the hub's database at `db`, or brings it up to date; gives its schema version.
pub(crate) fn init(db: &str) -> anyhow::Result<u32> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(async { HubDb::open(db).await?.schema_version().await })?)
}

/// Opens the hub's database and runs one operator call on it, on a runtime of its own (the
/// storage is async; an operator's command is not).
pub(crate) fn operate<T, F, Fut>(db: &str, call: F) -> anyhow::Result<T>
where
    F: FnOnce(HubDb) -> Fut,
    Fut: std::future::Future<Output = Result<T, skillpack_hub::error::HubError>>,
{
    operate_at(db, None, call)
}

/// [`operate`] with the packs at `packs` (`None`: where `SKILLPACK_PACKS` says, or the
/// default).
pub(crate) fn operate_at<T, F, Fut>(db: &str, packs: Option<&str>, call: F) -> anyhow::Result<T>
where
    F: FnOnce(HubDb) -> Fut,
    Fut: std::future::Future<Output = Result<T, skillpack_hub::error::HubError>>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let packs = match packs {
        Some(text) => Some(PacksAt::parse(text)?),
        None => packs_from_env()?,
    };
    Ok(runtime.block_on(async {
        let hub = HubDb::open_existing(db, packs.as_ref()).await?;
        call(hub).await
    })?)
}

/// The pack store `SKILLPACK_PACKS` names, as `serve` reads it; `None` for the default.
pub(crate) fn packs_from_env() -> anyhow::Result<Option<PacksAt>> {
    match std::env::var("SKILLPACK_PACKS") {
        Ok(text) if !text.is_empty() => Ok(Some(PacksAt::parse(&text)?)),
        _ => Ok(None),
    }
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `skillpack hub backup`: an SQLite hub copied while it serves, checked, and what it holds.
fn backup(db: &str, packs: Option<&str>, out: &std::path::Path) -> CommandResult {
    let Some(path) = db.strip_prefix("sqlite://") else {
        anyhow::bail!(
            "hub backup copies an SQLite hub; back up PostgreSQL with pg_dump \
             (docs/operations.md: pg_dump --format=custom --file=hub.dump DATABASE)"
        );
    };
    let summary = skillpack_hub::backup::backup_sqlite(std::path::Path::new(path), out)?;
    outln!(
        "backed up {} ({} bytes, schema {}): {} records, {} packs, {} credentials",
        summary.path.display(),
        summary.bytes,
        summary.schema_version,
        summary.records,
        summary.packs,
        summary.credentials
    );
    let copy = format!("sqlite://{}", summary.path.display());
    // The copy is elsewhere, its packs are not: where the hub on `db` keeps them (`--packs`
    // takes SKILLPACK_PACKS already).
    let at = packs.map_or_else(|| PacksAt::default_for(db).to_string(), str::to_owned);
    let listed = packs::list_for_backup(&copy, Some(&at), out)?;
    outln!(
        "to restore: stop the hub, put this file in place of {path} (remove {path}-wal and \
         {path}-shm), start it; devices send again what came after the backup"
    );
    Ok(listed)
}
