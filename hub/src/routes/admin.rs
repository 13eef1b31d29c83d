//! The operator's view over HTTP: groups, learners, results (JSON, CSV or xAPI) and flagged
//! chains. Every request is signed (over an empty body) by a key given to `skillpack serve
//! --operator`, with a nonce from the hub like any other signed request ([`Operator`]).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use skillpack_core::protocol::GroupName;

use super::{Operator, QueryOf};
use crate::error::HttpError;
use crate::state::AppState;
use crate::storage::{
    module_book, results_csv, results_xapi, results_xapi_array, summary_csv, CsvOptions,
    ResultQuery, Scope,
};

pub(super) async fn groups(
    State(state): State<AppState>,
    _operator: Operator,
) -> Result<Response, HttpError> {
    Ok(Json(state.db.groups(&Scope::Everything).await?).into_response())
}

pub(super) async fn codes(
    State(state): State<AppState>,
    _operator: Operator,
) -> Result<Response, HttpError> {
    Ok(Json(state.db.enrolment_codes(&Scope::Everything).await?).into_response())
}

pub(super) async fn learners(
    State(state): State<AppState>,
    _operator: Operator,
) -> Result<Response, HttpError> {
    Ok(Json(state.db.learners(&Scope::Everything, None).await?).into_response())
}

/// `?group=G&format=json|csv|summary-csv|xapi&bom=true&home_page=URL`.
#[derive(Deserialize)]
pub(super) struct ResultsQuery {
    /// Only this group.
    group: Option<String>,
    /// json (default), csv (a row per attempt), summary-csv (a row per learner and module)
    /// or xapi.
    format: Option<String>,
    /// For CSV: begin with a UTF-8 byte-order mark.
    #[serde(default)]
    bom: bool,
    /// For xAPI: the system learners' accounts belong to.
    home_page: Option<String>,
}

pub(super) async fn results(
    State(state): State<AppState>,
    QueryOf(q): QueryOf<ResultsQuery>,
    _operator: Operator,
) -> Result<Response, HttpError> {
    let group = q.group.as_deref().map(GroupName::parse).transpose()?;
    let query = ResultQuery::everything().in_group(group.map(GroupName::into_inner));
    let results = state.db.results(query).await?;
    Ok(match q.format.as_deref().unwrap_or("json") {
        "json" => Json(results).into_response(),
        "csv" | "summary-csv" => {
            let titles = state.db.module_titles().await?;
            let options = CsvOptions { bom: q.bom };
            let body = if q.format.as_deref() == Some("csv") {
                results_csv(&results, &titles, options)
            } else {
                summary_csv(&results, &titles, options)
            };
            ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response()
        }
        format @ ("xapi" | "xapi-array") => {
            // Learners' accounts belong to the hub: its public URL when the operator gave it.
            let home = q
                .home_page
                .as_deref()
                .or(state.public_url.as_deref())
                .unwrap_or(skillpack_core::ledger::DEFAULT_HOME_PAGE);
            let book = module_book(&state.db, &results).await?;
            if format == "xapi" {
                (
                    [(header::CONTENT_TYPE, "application/x-ndjson")],
                    results_xapi(&results, &book, home),
                )
                    .into_response()
            } else {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    results_xapi_array(&results, &book, home),
                )
                    .into_response()
            }
        }
        other => {
            return Err(HttpError::new(
                StatusCode::BAD_REQUEST,
                "bad_format",
                format!("unknown format {other:?}: use json, csv, summary-csv, xapi or xapi-array"),
            ))
        }
    })
}

pub(super) async fn flags(
    State(state): State<AppState>,
    _operator: Operator,
) -> Result<Response, HttpError> {
    Ok(Json(state.db.flags(&Scope::Everything, None).await?).into_response())
}
