//! The operator's view over HTTP: groups, learners, results (JSON, CSV or xAPI) and flagged chains.
//! Every request is signed (over an empty body) by a key given to `skillpack serve
//! --operator`, with a nonce from the hub like any other signed request.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::{signed_by, Operators};
use crate::error::HttpError;
use crate::limits::Limiter;
use crate::storage::{results_csv, results_xapi, HubDb};

/// Checks that a GET is signed by an operator.
async fn operator(
    db: &HubDb,
    limiter: &Limiter,
    operators: &Operators,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
) -> Result<(), HttpError> {
    let query = uri.query().map_or("?".to_owned(), |q| format!("?{q}"));
    let key = signed_by(db, limiter, "GET", uri.path(), &query, headers, b"").await?;
    if operators.0.contains(&key) {
        Ok(())
    } else {
        Err(HttpError::new(
            StatusCode::FORBIDDEN,
            "not_operator",
            "this key is not one of the hub's operators",
        ))
    }
}

pub(super) async fn groups(
    State(db): State<HubDb>,
    State(limiter): State<Arc<Limiter>>,
    State(operators): State<Arc<Operators>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    operator(&db, &limiter, &operators, &uri, &headers).await?;
    Ok(Json(db.groups().await?).into_response())
}

pub(super) async fn learners(
    State(db): State<HubDb>,
    State(limiter): State<Arc<Limiter>>,
    State(operators): State<Arc<Operators>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    operator(&db, &limiter, &operators, &uri, &headers).await?;
    Ok(Json(db.learners().await?).into_response())
}

/// `?group=G&format=json|csv|xapi&home_page=URL`.
#[derive(Deserialize)]
pub(super) struct ResultsQuery {
    /// Only this group.
    group: Option<String>,
    /// json (default), csv or xapi.
    format: Option<String>,
    /// For xAPI: the system learners' accounts belong to.
    home_page: Option<String>,
}

pub(super) async fn results(
    State(db): State<HubDb>,
    State(limiter): State<Arc<Limiter>>,
    State(operators): State<Arc<Operators>>,
    Query(q): Query<ResultsQuery>,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    operator(&db, &limiter, &operators, &uri, &headers).await?;
    let results = db.results(q.group).await?;
    Ok(match q.format.as_deref().unwrap_or("json") {
        "json" => {
            let rows: Vec<serde_json::Value> = results
                .iter()
                .map(|r| serde_json::json!({ "group": r.group, "received_at": r.received_at, "record": r.record }))
                .collect();
            Json(rows).into_response()
        }
        "csv" => (
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            results_csv(&results),
        )
            .into_response(),
        "xapi" => {
            let home = q
                .home_page
                .unwrap_or_else(|| "https://www.w3.org/TR/did-core/".into());
            (
                [(header::CONTENT_TYPE, "application/x-ndjson")],
                results_xapi(&results, &home),
            )
                .into_response()
        }
        other => {
            return Err(HttpError::new(
                StatusCode::BAD_REQUEST,
                "bad_format",
                format!("unknown format {other:?}: use json, csv or xapi"),
            ))
        }
    })
}

pub(super) async fn flags(
    State(db): State<HubDb>,
    State(limiter): State<Arc<Limiter>>,
    State(operators): State<Arc<Operators>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    operator(&db, &limiter, &operators, &uri, &headers).await?;
    Ok(Json(db.flags().await?).into_response())
}
