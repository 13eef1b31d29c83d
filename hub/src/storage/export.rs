//! The trainer's exports of stored results, the same whichever engine holds them: CSV
//! (RFC 4180) for spreadsheets and xAPI statements for a Learning Record Store.

use skillpack_core::assess::points_text;

use super::rows::StoredResult;

/// Results as CSV (RFC 4180), one line per record after a header; points read as a learner
/// reads them on the phone (`assess::points_text`).
pub fn results_csv(results: &[StoredResult]) -> String {
    let mut out = String::from(
        "record_id,received_at,group,learner,device,module,module_version,attempt,score,max_score,passed,started_at,ended_at,duration_ms,person\n",
    );
    for r in results {
        let rec = &r.record.record;
        let fields = [
            rec.id.clone(),
            r.received_at.clone(),
            r.group.clone(),
            rec.learner.clone(),
            rec.device.clone(),
            rec.module.clone(),
            rec.module_version.clone(),
            rec.attempt.to_string(),
            points_text(rec.score),
            points_text(rec.max_score),
            rec.passed.to_string(),
            rec.started_at.clone(),
            rec.ended_at.clone(),
            rec.duration_ms.to_string(),
            r.person.clone(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

/// Results as xAPI statements, one JSON object per line.
pub fn results_xapi(results: &[StoredResult], home_page: &str) -> String {
    let mut out = String::new();
    for r in results {
        let statement =
            skillpack_core::ledger::to_xapi(&r.record.record, home_page, Some(&r.received_at));
        out.push_str(&statement.to_string());
        out.push('\n');
    }
    out
}

/// A CSV field, quoted when it needs to be (RFC 4180).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}
