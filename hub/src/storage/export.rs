//! The trainer's exports of stored results, the same whichever engine holds them: CSV
//! (RFC 4180) for spreadsheets and xAPI statements for a Learning Record Store.

use skillpack_core::hash::ContentHash;
use skillpack_core::ledger::{xapi_statements, XapiContext};
use skillpack_core::module::Module;

use super::rows::StoredResult;
use crate::error::HubError;

/// How a CSV export is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// Begin with a UTF-8 byte-order mark, so spreadsheets that guess the encoding (Excel on
    /// Windows) read names with accents right.
    pub bom: bool,
}

/// Module titles by module id, for exports to name modules as trainers know them.
pub type Titles = std::collections::BTreeMap<String, String>;

/// Results as CSV (RFC 4180: CRLF line ends), one row per attempt after a header. Numbers
/// are whole (percent, points rounded to the nearest whole point, seconds), so no locale
/// misreads a decimal separator.
pub fn results_csv(results: &[StoredResult], titles: &Titles, options: CsvOptions) -> String {
    let mut out = csv_start(options);
    csv_row(
        &mut out,
        &[
            "record_id",
            "received_at",
            "group",
            "learner",
            "name",
            "device",
            "module",
            "module_title",
            "module_version",
            "attempt",
            "percent",
            "points",
            "max_points",
            "passed",
            "started_at",
            "ended_at",
            "duration_seconds",
            "person",
        ],
    );
    for r in results {
        let rec = &r.record.record;
        csv_row(
            &mut out,
            &[
                &rec.id,
                &r.received_at,
                &r.group,
                &rec.learner,
                r.name.as_deref().unwrap_or(""),
                &rec.device,
                &rec.module,
                titles.get(&rec.module).map_or("", String::as_str),
                &rec.module_version,
                &rec.attempt.to_string(),
                &rec.percent().to_string(),
                &whole_points(rec.score).to_string(),
                &whole_points(rec.max_score).to_string(),
                if rec.passed { "yes" } else { "no" },
                &rec.started_at,
                &rec.ended_at,
                &(rec.duration_ms / 1000).to_string(),
                &r.person,
            ],
        );
    }
    out
}

/// One row per learner and module: attempts, the best percent, whether and when they first
/// passed, and their last attempt.
pub fn summary_csv(results: &[StoredResult], titles: &Titles, options: CsvOptions) -> String {
    #[derive(Default)]
    struct Standing<'a> {
        name: &'a str,
        group: &'a str,
        attempts: u32,
        best: u32,
        first_pass: Option<&'a str>,
        last: &'a str,
    }
    let mut standings: std::collections::BTreeMap<(&str, &str), Standing<'_>> =
        std::collections::BTreeMap::new();
    for r in results {
        let rec = &r.record.record;
        let s = standings
            .entry((r.person.as_str(), rec.module.as_str()))
            .or_default();
        s.name = r.name.as_deref().unwrap_or(s.name);
        s.group = &r.group;
        s.attempts += 1;
        s.best = s.best.max(rec.percent());
        if rec.passed && s.first_pass.is_none_or(|t| rec.ended_at.as_str() < t) {
            s.first_pass = Some(&rec.ended_at);
        }
        if rec.ended_at.as_str() > s.last {
            s.last = &rec.ended_at;
        }
    }
    let mut out = csv_start(options);
    csv_row(
        &mut out,
        &[
            "learner",
            "name",
            "group",
            "module",
            "module_title",
            "attempts",
            "best_percent",
            "passed",
            "first_passed_at",
            "last_attempt_at",
        ],
    );
    for ((person, module), s) in &standings {
        csv_row(
            &mut out,
            &[
                person,
                s.name,
                s.group,
                module,
                titles.get(*module).map_or("", String::as_str),
                &s.attempts.to_string(),
                &s.best.to_string(),
                if s.first_pass.is_some() { "yes" } else { "no" },
                s.first_pass.unwrap_or(""),
                s.last,
            ],
        );
    }
    out
}

fn csv_start(options: CsvOptions) -> String {
    if options.bom {
        String::from("\u{FEFF}")
    } else {
        String::new()
    }
}

fn csv_row(out: &mut String, fields: &[&str]) {
    let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

/// Points (kept in thousandths) rounded to the nearest whole point.
fn whole_points(milli: u32) -> u64 {
    (u64::from(milli) + 500) / 1000
}

/// The modules the results name, as compiled, with their publishers: what the statements
/// say of each activity.
pub type ModuleBook = std::collections::HashMap<(ContentHash, String), (String, Module)>;

/// Gathers the [`ModuleBook`] of `results` from storage (one lookup per module of a pack).
pub async fn module_book(
    db: &super::HubDb,
    results: &[StoredResult],
) -> Result<ModuleBook, HubError> {
    let mut book = ModuleBook::new();
    for r in results {
        let rec = &r.record.record;
        let key = (rec.pack.hash, rec.module.clone());
        if book.contains_key(&key) {
            continue;
        }
        let Some(super::PackModule { publisher, module }) =
            db.pack_module(rec.pack.hash.0, &rec.module).await?
        else {
            continue;
        };
        book.insert(key, (publisher.to_did_key(), module));
    }
    Ok(book)
}

/// Results as xAPI statements, one JSON object per line: for each record the module's
/// statement and one per answered question. `home_page` is the hub's public URL, which
/// learners' accounts belong to.
pub fn results_xapi(results: &[StoredResult], book: &ModuleBook, home_page: &str) -> String {
    let mut out = String::new();
    for statement in statements(results, book, home_page) {
        out.push_str(&statement.to_string());
        out.push('\n');
    }
    out
}

/// The statements of [`results_xapi`] as one JSON array, as an LRS takes them
/// (`POST /statements`).
pub fn results_xapi_array(results: &[StoredResult], book: &ModuleBook, home_page: &str) -> String {
    serde_json::Value::Array(statements(results, book, home_page)).to_string()
}

/// For each record the module's statement and one per answered question.
fn statements(
    results: &[StoredResult],
    book: &ModuleBook,
    home_page: &str,
) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for r in results {
        let rec = &r.record.record;
        let known = book.get(&(rec.pack.hash, rec.module.clone()));
        let context = XapiContext {
            home_page,
            name: r.name.as_deref(),
            received_at: Some(&r.received_at),
            publisher: known.map_or("unknown", |(p, _)| p.as_str()),
            module: known.map(|(_, m)| m),
        };
        out.extend(xapi_statements(rec, &context));
    }
    out
}

/// What makes a spreadsheet read a cell as a formula when the cell starts with it (OWASP,
/// "CSV Injection"; ASVS 5.0 1.2.10 adds NUL).
const FORMULA_STARTS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\0'];

/// A CSV field a spreadsheet reads as text: a cell that would start a formula, also after
/// leading spaces or quotes (which spreadsheets skip or end a quoted cell on), gets a single
/// quote in front, as OWASP asks; then it is quoted when it needs to be (RFC 4180). Most of a
/// record's fields are written by the device that signed it, so none is trusted here.
fn csv_field(text: &str) -> String {
    let lead = text.trim_start_matches([' ', '"', '\'']);
    let text = if text.starts_with(FORMULA_STARTS) || lead.starts_with(FORMULA_STARTS) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::{csv_field, whole_points};

    #[test]
    fn numbers_are_whole_so_no_locale_misreads_them() {
        assert_eq!(
            (whole_points(7500), whole_points(7499), whole_points(0)),
            (8, 7, 0)
        );
    }

    #[test]
    fn cells_a_spreadsheet_would_evaluate_are_read_as_text() {
        for (cell, want) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
            ),
            ("+1", "'+1"),
            ("-1+2", "'-1+2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "\"'\r=1\""),
            ("  =1", "'  =1"),
            ("\"=1", "\"'\"\"=1\""),
            ("'=1", "''=1"),
        ] {
            assert_eq!(csv_field(cell), want, "{cell:?}");
        }
    }

    #[test]
    fn plain_cells_stay_as_they_are_and_rfc_4180_quoting_holds() {
        assert_eq!(csv_field("7.5"), "7.5");
        assert_eq!(csv_field("did:key:z6Mk"), "did:key:z6Mk");
        assert_eq!(
            csv_field("2027-01-15T08:00:00.000Z"),
            "2027-01-15T08:00:00.000Z"
        );
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("a=b"), "a=b");
    }
}
