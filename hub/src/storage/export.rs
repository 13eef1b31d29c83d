//! The trainer's exports of stored results, the same whichever engine holds them: CSV
//! (RFC 4180) for spreadsheets and xAPI statements for a Learning Record Store.

use skillpack_core::assess::points_text;

use super::rows::StoredResult;

/// Results as CSV (RFC 4180), one line per record after a header; points read as a learner
/// reads them on the phone (`assess::points_text`).
pub fn results_csv(results: &[StoredResult]) -> String {
    let mut out = String::from(
        "record_id,received_at,group,learner,name,device,module,module_version,attempt,score,max_score,passed,started_at,ended_at,duration_ms,person\n",
    );
    for r in results {
        let rec = &r.record.record;
        let fields = [
            rec.id.clone(),
            r.received_at.clone(),
            r.group.clone(),
            rec.learner.clone(),
            r.name.clone().unwrap_or_default(),
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
        let mut statement =
            skillpack_core::ledger::to_xapi(&r.record.record, home_page, Some(&r.received_at));
        if let Some(name) = &r.name {
            statement["actor"]["name"] = name.clone().into();
        }
        out.push_str(&statement.to_string());
        out.push('\n');
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
    use super::csv_field;

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
