//! Devices and their results: registration with an enrolment code, and pushes of signed
//! records, each verified here and stored once by the storage layer.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use skillpack_core::protocol::{PushRequest, PushResponse, RegisterRequest, RegisterResponse};

use std::sync::Arc;

use super::{json_body, signed_by, MAX_PUSH_RECORDS};
use crate::error::{HttpError, OrHttpErr};
use crate::ingest::take_records;
use crate::limits::Limiter;
use crate::storage::{HubDb, RegisterRefusal};

pub(super) async fn register(
    State(db): State<HubDb>,
    State(limiter): State<Arc<Limiter>>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    body: Bytes,
) -> Result<(StatusCode, Json<RegisterResponse>), HttpError> {
    let query = uri.query().map_or("?".to_owned(), |q| format!("?{q}"));
    let device = signed_by(&db, &limiter, "POST", uri.path(), &query, &headers, &body).await?;
    let request: RegisterRequest = json_body(&body)?;
    skillpack_core::keys::PublicKey::parse(&request.learner)
        .or_http_err(StatusCode::BAD_REQUEST, "bad_learner")?;
    match db
        .register_device(request.enrolment_code, device, request.learner)
        .await?
    {
        Ok(group) => Ok((StatusCode::CREATED, Json(RegisterResponse { group }))),
        Err(RegisterRefusal::BadCode) => Err(HttpError::new(
            StatusCode::FORBIDDEN,
            "bad_enrolment_code",
            "the enrolment code is unknown, used up or expired; ask the trainer for a new one",
        )),
        Err(RegisterRefusal::OtherLearner) => Err(HttpError::new(
            StatusCode::CONFLICT,
            "other_learner",
            "this device is registered for another learner",
        )),
    }
}

pub(super) async fn push(
    State(db): State<HubDb>,
    State(limiter): State<Arc<Limiter>>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    body: Bytes,
) -> Result<Json<PushResponse>, HttpError> {
    let query = uri.query().map_or("?".to_owned(), |q| format!("?{q}"));
    let device = signed_by(&db, &limiter, "POST", uri.path(), &query, &headers, &body).await?;
    let (learner, _group) = db.device(device).await?.ok_or_else(|| {
        HttpError::new(
            StatusCode::FORBIDDEN,
            "unknown_device",
            "register this device with an enrolment code first",
        )
    })?;
    let request: PushRequest = json_body(&body)?;
    if request.records.len() > MAX_PUSH_RECORDS {
        return Err(HttpError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!("at most {MAX_PUSH_RECORDS} records a push"),
        ));
    }
    let results = take_records(&db, device, learner, request.records).await?;
    Ok(Json(PushResponse { results }))
}
