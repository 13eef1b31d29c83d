//! Devices and their results: registration with an enrolment code, and pushes of signed
//! records, admitted by core's rule and stored once by the storage layer.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use skillpack_core::keys::PublicKey;
use skillpack_core::protocol::{PushRequest, PushResponse, RegisterRequest, RegisterResponse};

use super::{json_body, AppState, SignedRequest, MAX_PUSH_RECORDS};
use crate::error::{HttpError, OrHttpErr};
use crate::ingest::take_records;
use crate::storage::RegisterRefusal;

pub(super) async fn register(
    State(state): State<AppState>,
    signed: SignedRequest,
) -> Result<(StatusCode, Json<RegisterResponse>), HttpError> {
    let request: RegisterRequest = json_body(&signed.body)?;
    PublicKey::parse(&request.learner).or_http_err(
        StatusCode::BAD_REQUEST,
        "bad_learner",
        "the learner is not a did:key",
    )?;
    match state
        .db
        .register_device(request.enrolment_code, signed.key, request.learner)
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
    State(state): State<AppState>,
    signed: SignedRequest,
) -> Result<Json<PushResponse>, HttpError> {
    let (learner, _group) = state.db.device(signed.key).await?.or_http_err(
        StatusCode::FORBIDDEN,
        "unknown_device",
        "register this device with an enrolment code first",
    )?;
    let request: PushRequest = json_body(&signed.body)?;
    if request.records.len() > MAX_PUSH_RECORDS {
        return Err(HttpError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!("at most {MAX_PUSH_RECORDS} records a push"),
        ));
    }
    let results = take_records(&state.db, signed.key, learner, request.records).await?;
    Ok(Json(PushResponse { results }))
}
