//! What each page shows, assembled from the storage's rows, and the templates that show it.
//! Everything from outside (names, module ids, codes) reaches the page through askama's
//! HTML escaping.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use chrono::{DateTime, Utc};
use skillpack_core::assess::points_text;

use crate::storage::{normalize_code, CodeRow, GroupRow, LearnerRow, PackRow, StoredResult};

/// Days without a sync after which a device is flagged on the group's page.
pub const STALE_DAYS: i64 = 14;

/// A page that says one thing.
#[derive(Template)]
#[template(path = "message.html")]
pub struct Message {
    pub who: Option<String>,
    pub csrf: String,
    pub heading: String,
    pub text: String,
}

/// The page a sign-in link opens: a button that signs in. Opening the link spends nothing
/// (a messenger's link preview opens it too); the button's POST does.
#[derive(Template)]
#[template(path = "signin.html")]
pub struct SignIn {
    pub who: Option<String>,
    pub csrf: String,
}

/// Every group the visitor sees.
#[derive(Template)]
#[template(path = "groups.html")]
pub struct Groups {
    pub who: Option<String>,
    pub csrf: String,
    pub groups: Vec<GroupRow>,
}

/// A group's grid of learners by modules.
#[derive(Template)]
#[template(path = "group.html")]
pub struct Group {
    pub who: Option<String>,
    pub csrf: String,
    pub group: String,
    pub modules: Vec<String>,
    pub learners: Vec<GridRow>,
    pub stale_days: i64,
}

/// One learner's row of a group's grid.
pub struct GridRow {
    pub did: String,
    pub shown: String,
    pub cells: Vec<Cell>,
    pub last_sync: String,
    pub stale: bool,
}

/// One learner's result in one module.
pub struct Cell {
    pub class: &'static str,
    pub text: String,
}

/// A learner's page.
#[derive(Template)]
#[template(path = "learner.html")]
pub struct Learner {
    pub who: Option<String>,
    pub csrf: String,
    pub shown: String,
    pub did: String,
    /// The name now shown (what the label field starts with).
    pub label: String,
    pub results: Vec<ResultLine>,
    pub devices: Vec<DeviceLine>,
    pub flags: Vec<String>,
    pub credentials: Vec<CredentialLine>,
    /// Modules the learner tried and has not passed: another attempt may be granted.
    pub not_passed: Vec<String>,
    /// Attempts granted so far, as sentences.
    pub grants: Vec<String>,
}

/// A device on a learner's page, with a retire form while it is not retired.
pub struct DeviceLine {
    /// What the page says of it.
    pub text: String,
    /// Its key in hex (what the retire form names).
    pub key: String,
    /// Why it was retired, if it was.
    pub retired: Option<String>,
}

/// A credential on a learner's page, with a revoke form while it stands.
pub struct CredentialLine {
    /// Its number on the hub (what its badge download names).
    pub number: u64,
    /// Its id.
    pub id: String,
    /// What the page says of it.
    pub text: String,
    /// Whether it is revoked already.
    pub revoked: bool,
    /// Whether it is the learner's own (not a copy in a wallet): only that one is handed on.
    pub own: bool,
}

/// The page that hands a credential to the learner's wallet: the exchange's interaction URL
/// as a QR code and as a link.
#[derive(Template)]
#[template(path = "wallet.html")]
pub struct WalletExchange {
    pub who: Option<String>,
    pub csrf: String,
    pub did: String,
    pub shown: String,
    pub credential: String,
    pub url: String,
    pub qr_svg: String,
    pub minutes: u64,
}

/// One result on a learner's page.
pub struct ResultLine {
    pub class: &'static str,
    pub received: String,
    pub module: String,
    pub attempt: u32,
    pub score: String,
    pub outcome: &'static str,
}

/// A module's page.
#[derive(Template)]
#[template(path = "module.html")]
pub struct ModulePage {
    pub who: Option<String>,
    pub csrf: String,
    pub module: String,
    pub attempts: usize,
    pub learners: usize,
    pub pass_rate: u64,
    pub minutes: u64,
    /// Question id, times answered, percent answered right; hardest first.
    pub questions: Vec<(String, u64, u64)>,
}

/// The enrolment codes page.
#[derive(Template)]
#[template(path = "codes.html")]
pub struct Codes {
    pub who: Option<String>,
    pub csrf: String,
    pub codes: Vec<CodeLine>,
    /// The groups the trainer sees, offered when making a code (one group, one name).
    pub groups: Vec<String>,
}

/// One code on the codes page.
pub struct CodeLine {
    pub code: String,
    pub plain: String,
    pub group: String,
    pub uses: String,
    pub until: String,
    pub state: &'static str,
    pub open: bool,
}

/// The printable sheet of one code.
#[derive(Template)]
#[template(path = "sheet.html")]
pub struct Sheet {
    pub who: Option<String>,
    pub csrf: String,
    pub code: String,
    pub group: String,
    pub qr_svg: String,
    /// The enrolment link the QR code holds, when the hub knows its public address.
    pub link: Option<String>,
}

/// The packs page.
#[derive(Template)]
#[template(path = "packs.html")]
pub struct Packs {
    pub who: Option<String>,
    pub csrf: String,
    pub packs: Vec<PackRow>,
    pub flags: Vec<String>,
}

/// How a learner is shown: their name, else the start of their key.
pub fn shown(name: Option<&str>, did: &str) -> String {
    match name {
        Some(name) => name.to_owned(),
        None => format!("{}…", did.chars().take(24).collect::<String>()),
    }
}

/// The grid of a group from its learners' devices and its results: each learner by each
/// module offered to it.
pub fn grid(
    modules: &[String],
    learners: &[LearnerRow],
    results: &[StoredResult],
    now: DateTime<Utc>,
) -> Vec<GridRow> {
    let mut people: BTreeMap<&str, (Option<&str>, String)> = BTreeMap::new();
    for l in learners {
        let entry = people
            .entry(l.learner.as_str())
            .or_insert((l.name.as_deref(), l.registered_at.clone()));
        if l.registered_at > entry.1 {
            entry.1 = l.registered_at.clone();
        }
    }
    let mut by_learner: BTreeMap<&str, Vec<&StoredResult>> = BTreeMap::new();
    for r in results {
        by_learner
            .entry(r.record.record.learner.as_str())
            .or_default()
            .push(r);
    }
    let mut rows: Vec<GridRow> = people
        .into_iter()
        .map(|(did, (name, registered))| {
            let mine = by_learner.remove(did).unwrap_or_default();
            let last = mine
                .iter()
                .map(|r| r.received_at.clone())
                .max()
                .unwrap_or(registered);
            let stale = DateTime::parse_from_rfc3339(&last)
                .is_ok_and(|t| (now - t.with_timezone(&Utc)).num_days() >= STALE_DAYS);
            GridRow {
                did: did.to_owned(),
                shown: shown(name, did),
                cells: modules.iter().map(|m| cell(&mine, m)).collect(),
                last_sync: last,
                stale,
            }
        })
        .collect();
    rows.sort_by_key(|r| r.shown.to_lowercase());
    rows
}

/// A learner's standing in one module, from their results.
fn cell(results: &[&StoredResult], module: &str) -> Cell {
    let tries: Vec<_> = results
        .iter()
        .map(|r| &r.record.record)
        .filter(|r| r.module == module)
        .collect();
    if let Some(pass) = tries.iter().find(|r| r.passed) {
        return Cell {
            class: "passed",
            text: format!("passed, attempt {} ({})", pass.attempt, percent(pass)),
        };
    }
    match tries.iter().max_by_key(|r| r.attempt) {
        Some(last) => Cell {
            class: "failed",
            text: format!(
                "not passed: {} attempts, last {}",
                tries.len(),
                percent(last)
            ),
        },
        None => Cell {
            class: "",
            text: "not taken".to_owned(),
        },
    }
}

fn percent(record: &skillpack_core::ledger::ResultRecord) -> String {
    if record.max_score == 0 {
        format!("{} points", points_text(record.score))
    } else {
        format!("{}%", record.percent())
    }
}

/// A learner's results, newest first.
pub fn result_lines(results: &[StoredResult]) -> Vec<ResultLine> {
    let mut lines: Vec<ResultLine> = results
        .iter()
        .map(|r| {
            let rec = &r.record.record;
            ResultLine {
                class: if rec.passed { "passed" } else { "failed" },
                received: r.received_at.clone(),
                module: rec.module.clone(),
                attempt: rec.attempt,
                score: format!(
                    "{} of {}",
                    points_text(rec.score),
                    points_text(rec.max_score)
                ),
                outcome: if rec.passed { "passed" } else { "not passed" },
            }
        })
        .collect();
    lines.sort_by(|a, b| b.received.cmp(&a.received));
    lines
}

/// A module's page from every result of it the visitor may see.
pub fn module_page(
    who: Option<String>,
    csrf: String,
    module: String,
    results: &[StoredResult],
) -> ModulePage {
    let attempts = results.len();
    let learners: BTreeSet<&str> = results
        .iter()
        .map(|r| r.record.record.learner.as_str())
        .collect();
    let passed = results.iter().filter(|r| r.record.record.passed).count();
    let pass_rate = (passed as u64 * 100)
        .checked_div(attempts as u64)
        .unwrap_or(0);
    let minutes = results
        .iter()
        .map(|r| r.record.record.duration_ms)
        .sum::<u64>()
        .checked_div(attempts as u64)
        .unwrap_or(0)
        / 60_000;
    let mut questions: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for r in results {
        for response in &r.record.record.responses {
            let entry = questions.entry(response.question.as_str()).or_default();
            entry.0 += 1;
            if response.score > 0 {
                entry.1 += 1;
            }
        }
    }
    let mut hardest: Vec<(String, u64, u64)> = questions
        .into_iter()
        .map(|(q, (answered, right))| (q.to_owned(), answered, right * 100 / answered.max(1)))
        .collect();
    hardest.sort_by(|a, b| a.2.cmp(&b.2).then(b.1.cmp(&a.1)));
    hardest.truncate(10);
    ModulePage {
        who,
        csrf,
        module,
        attempts,
        learners: learners.len(),
        pass_rate,
        minutes,
        questions: hardest,
    }
}

/// The codes as the page lists them.
pub fn code_lines(codes: Vec<CodeRow>, now: i64) -> Vec<CodeLine> {
    codes
        .into_iter()
        .map(|c| {
            let expired = c.expires_at.is_some_and(|t| t < now);
            let used_up = c.uses_left == Some(0);
            let (state, open) = match (&c.revoked_at, expired, used_up) {
                (Some(_), _, _) => ("revoked", false),
                (None, true, _) => ("expired", false),
                (None, false, true) => ("used up", false),
                (None, false, false) => ("open", true),
            };
            CodeLine {
                plain: normalize_code(&c.code),
                code: c.code,
                group: c.group,
                uses: c.uses_left.map_or("any".to_owned(), |n| n.to_string()),
                until: c.expires_at.map_or("no end".to_owned(), |t| {
                    DateTime::from_timestamp(t, 0)
                        .map_or(String::new(), |d| d.format("%Y-%m-%d").to_string())
                }),
                state,
                open,
            }
        })
        .collect()
}
