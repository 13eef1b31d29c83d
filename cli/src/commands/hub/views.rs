//! The operator's views (`skillpack hub groups|learners|results|flags|codes`) read from the
//! hub's database on its machine or from a running hub through the signed admin API; and
//! how a stored result reads as a line.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;
use skillpack_core::assess::points_text;
use skillpack_core::keys::file::read_secret;
use skillpack_core::protocol::endpoint;
use skillpack_core::sync::HubClient;
use skillpack_hub::storage::{ResultQuery, Scope, StoredResult};

use super::operate;
use crate::commands::CommandResult;

/// Where an operator's view reads from: the hub's database on its machine, or a running hub
/// through the operator's signed API (`/v1/admin/…`).
#[derive(Args)]
pub struct Source {
    /// Database: sqlite://PATH or postgres://… (on the hub's machine).
    #[arg(long, env = "SKILLPACK_DB")]
    db: Option<String>,
    /// A running hub instead, such as https://hub.example.org, read with --key.
    #[arg(long, requires = "key")]
    hub: Option<String>,
    /// The operator's secret key (NAME.key), whose public key `skillpack serve --operator`
    /// names.
    #[arg(long)]
    key: Option<PathBuf>,
}

impl Source {
    /// The running hub and the operator's key, when --hub names one.
    pub(crate) fn hub(
        &self,
    ) -> anyhow::Result<Option<(HubClient, skillpack_core::keys::SecretKey)>> {
        let (Some(url), Some(key)) = (&self.hub, &self.key) else {
            return Ok(None);
        };
        let secret = read_secret(key).with_context(|| format!("reading {}", key.display()))?;
        Ok(Some((HubClient::new(url)?, secret)))
    }

    /// The database, when no --hub is given.
    pub(crate) fn db(&self) -> anyhow::Result<&str> {
        self.db
            .as_deref()
            .context("name the hub's database (--db) or a running hub (--hub and --key)")
    }
}

/// One of the operator's views of a running hub, as JSON.
pub(crate) fn admin_json<T: serde::de::DeserializeOwned>(
    client: &HubClient,
    key: &skillpack_core::keys::SecretKey,
    target: &str,
) -> anyhow::Result<T> {
    let body = client.admin(key, target)?;
    serde_json::from_slice(&body).context("the hub's answer is not what this view reads")
}

/// Prints a running hub's results in the format asked for (it renders CSV and xAPI itself).
pub(crate) fn remote_results(
    client: &HubClient,
    key: &skillpack_core::keys::SecretKey,
    format: &str,
    group: Option<&str>,
    home_page: &str,
    bom: bool,
) -> CommandResult {
    let wire = if format == "table" { "json" } else { format };
    let home = format.starts_with("xapi").then_some(home_page);
    let mut target = endpoint::admin_results(group, wire, home);
    if bom {
        target.push_str("&bom=true");
    }
    if format == "table" {
        let results: Vec<StoredResult> = admin_json(client, key, &target)?;
        for r in &results {
            outln!("{}", result_line(r));
        }
    } else {
        let body = client.admin(key, &target)?;
        out!("{}", String::from_utf8_lossy(&body));
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints every stored result in the format asked for.
pub(crate) fn results(
    db: &str,
    format: &str,
    group: Option<&str>,
    home_page: &str,
    bom: bool,
) -> CommandResult {
    let results = operate(db, |hub| async move {
        hub.results(ResultQuery::everything().in_group(group.map(str::to_owned)))
            .await
    })?;
    match format {
        "table" => {
            for r in &results {
                outln!("{}", result_line(r));
            }
        }
        "csv" | "summary-csv" => {
            let titles = operate(db, |hub| async move { hub.module_titles().await })?;
            let options = skillpack_hub::storage::CsvOptions { bom };
            if format == "csv" {
                out!(
                    "{}",
                    skillpack_hub::storage::results_csv(&results, &titles, options)
                );
            } else {
                out!(
                    "{}",
                    skillpack_hub::storage::summary_csv(&results, &titles, options)
                );
            }
        }
        "xapi" | "xapi-array" => {
            let stored = results.clone();
            let book = operate(db, |hub| async move {
                skillpack_hub::storage::module_book(&hub, &stored).await
            })?;
            if format == "xapi" {
                out!(
                    "{}",
                    skillpack_hub::storage::results_xapi(&results, &book, home_page)
                );
            } else {
                outln!(
                    "{}",
                    skillpack_hub::storage::results_xapi_array(&results, &book, home_page)
                );
            }
        }
        other => bail!("unknown format {other:?}: use table, csv, summary-csv, xapi or xapi-array"),
    }
    Ok(ExitCode::SUCCESS)
}

/// One stored result as a line of `skillpack hub results`: when it arrived, the group, the
/// module, the attempt, the score, passed or failed, and the learner.
pub(crate) fn result_line(r: &StoredResult) -> String {
    let rec = &r.record.record;
    format!(
        "{} {:<10} {:<24} attempt {} {}/{} {} {}",
        r.received_at,
        r.group,
        rec.module,
        rec.attempt,
        points_text(rec.score),
        points_text(rec.max_score),
        if rec.passed { "passed" } else { "failed" },
        match &r.name {
            Some(name) => format!("{name} ({})", rec.learner),
            None => rec.learner.clone(),
        }
    )
}

/// `skillpack hub codes`: the enrolment codes and their state.
pub(super) fn codes(from: Source, json: bool) -> CommandResult {
    let codes: Vec<skillpack_hub::storage::CodeRow> = match from.hub()? {
        Some((client, key)) => admin_json(&client, &key, endpoint::ADMIN_CODES)?,
        None => operate(from.db()?, |hub| async move {
            hub.enrolment_codes(&Scope::Everything).await
        })?,
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

/// `skillpack hub credentials`: every credential the hub issued.
pub(super) fn credentials(db: String, json: bool) -> CommandResult {
    let rows = operate(&db, |hub| async move { hub.issued_credentials(None).await })?;
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

/// `skillpack hub groups`: each group with its counts.
pub(super) fn groups(from: Source) -> CommandResult {
    let groups: Vec<skillpack_hub::storage::GroupRow> = match from.hub()? {
        Some((client, key)) => admin_json(&client, &key, endpoint::ADMIN_GROUPS)?,
        None => operate(from.db()?, |hub| async move {
            hub.groups(&Scope::Everything).await
        })?,
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

/// `skillpack hub learners`: each learner's device with its results.
pub(super) fn learners(from: Source) -> CommandResult {
    let learners: Vec<skillpack_hub::storage::LearnerRow> = match from.hub()? {
        Some((client, key)) => admin_json(&client, &key, endpoint::ADMIN_LEARNERS)?,
        None => operate(from.db()?, |hub| async move {
            hub.learners(&Scope::Everything, None).await
        })?,
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

/// `skillpack hub flags`: gaps and forks in devices' chains.
pub(super) fn flags(from: Source) -> CommandResult {
    let flags: Vec<skillpack_hub::storage::FlagRow> = match from.hub()? {
        Some((client, key)) => admin_json(&client, &key, endpoint::ADMIN_FLAGS)?,
        None => operate(from.db()?, |hub| async move {
            hub.flags(&Scope::Everything, None).await
        })?,
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

/// `skillpack hub audit`: what operators and trainers changed, oldest first.
pub(super) fn audit(db: String) -> CommandResult {
    for a in operate(&db, |hub| async move { hub.audit().await })? {
        outln!("{} {} {} {}", a.at, a.actor, a.action, a.detail);
    }
    Ok(ExitCode::SUCCESS)
}
