//! The downloads of a group's results: CSV for a spreadsheet (a row per attempt, or a
//! summary per learner and module) and xAPI statements, each of a group the session sees;
//! and a learner's credential as a baked Open Badges image, for a learner the session sees.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use skillpack_core::ledger::DEFAULT_HOME_PAGE;

use super::pages::{db, Page};
use super::Signed;
use crate::state::AppState;
use crate::storage::{
    module_book, results_csv, results_xapi, summary_csv, CsvOptions, ResultQuery, StoredResult,
};

async fn group_results(
    state: &AppState,
    signed: &Signed,
    group: &str,
) -> Result<Vec<StoredResult>, Response> {
    signed.sees(group)?;
    let query = ResultQuery::new(signed.scope()).in_group(Some(group.to_owned()));
    db(state.db.results(query).await)
}

fn download(kind: &'static str, name: String, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// A group's results as CSV for a spreadsheet: `write` is the row per attempt or the
/// summary, `name` the file's.
async fn csv_download(
    state: &AppState,
    signed: &Signed,
    group: &str,
    name: &str,
    write: fn(&[StoredResult], &crate::storage::Titles, CsvOptions) -> String,
) -> Page {
    let results = group_results(state, signed, group).await?;
    let titles = db(state.db.module_titles().await)?;
    Ok(download(
        "text/csv; charset=utf-8",
        format!("{group}-{name}.csv"),
        write(&results, &titles, CsvOptions { bom: true }),
    ))
}

pub(super) async fn export_csv(
    State(state): State<AppState>,
    signed: Signed,
    Path(group): Path<String>,
) -> Page {
    csv_download(&state, &signed, &group, "results", results_csv).await
}

pub(super) async fn export_summary(
    State(state): State<AppState>,
    signed: Signed,
    Path(group): Path<String>,
) -> Page {
    csv_download(&state, &signed, &group, "summary", summary_csv).await
}

pub(super) async fn export_xapi(
    State(state): State<AppState>,
    signed: Signed,
    Path(group): Path<String>,
    headers: axum::http::HeaderMap,
) -> Page {
    let results = group_results(&state, &signed, &group).await?;
    let book = db(module_book(&state.db, &results).await)?;
    // Learners' accounts belong to this hub: its public URL when the operator gave it (the
    // same in every export, so an LRS takes a statement sent again as the same), else its
    // address as the trainer's browser names it.
    let home = state.public_url.as_deref().map(str::to_owned);
    let home = home.unwrap_or_else(|| {
        headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| {
                h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
            })
            .map_or_else(
                || DEFAULT_HOME_PAGE.to_owned(),
                |host| format!("http://{host}/"),
            )
    });
    Ok(download(
        "application/x-ndjson",
        format!("{group}-statements.jsonl"),
        results_xapi(&results, &book, &home),
    ))
}

/// The picture a learner's credential is baked into when downloaded from their page.
const BADGE_PICTURE: &[u8] = include_bytes!("badge.png");

/// A learner's credential baked into the badge picture (Open Badges 3.0 baking), to hand to
/// the learner or upload to a badge platform: only a credential the hub issued to a learner
/// the session sees.
pub(super) async fn credential_badge(
    State(state): State<AppState>,
    signed: Signed,
    Path((did, number)): Path<(String, u64)>,
) -> Page {
    if db(state.db.learners(&signed.scope(), Some(&did)).await)?.is_empty() {
        return Err(super::not_found());
    }
    let Some(credential) = db(crate::issue::credential_of(&state.db, &did, number).await)? else {
        return Err(super::not_found());
    };
    let baked = skillpack_core::credential::baked::bake(BADGE_PICTURE, &credential)
        .map_err(|e| super::failure(&format!("baking credential {number}: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/png".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"credential-{number}.png\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        baked,
    )
        .into_response())
}
