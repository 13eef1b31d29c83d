//! Devices and their results: registration with an enrolment code, and pushes of signed
//! records, admitted by core's rule and stored once by the storage layer.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use skillpack_core::keys::PublicKey;
use skillpack_core::protocol::{PushRequest, PushResponse, RegisterRequest, RegisterResponse};

use super::{json_body, AppState, SignedRequest, MAX_PUSH_RECORDS};
use crate::error::{HttpError, OrHttpErr};
use crate::ingest::{join, take_records, JoinRefusal};

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
    let joined = join(
        &state.db,
        signed.key,
        request.learner,
        request.binding.as_ref(),
        Some(request.enrolment_code),
    )
    .await?;
    match joined {
        Ok(group) => Ok((StatusCode::CREATED, Json(RegisterResponse { group }))),
        Err(refusal) => Err(HttpError::new(
            refusal_status(&refusal),
            refusal.code(),
            refusal.to_string(),
        )),
    }
}

/// The status of a refused registration: a conflict with what the hub holds, or a refusal.
fn refusal_status(refusal: &JoinRefusal) -> StatusCode {
    match refusal {
        JoinRefusal::OtherLearner => StatusCode::CONFLICT,
        JoinRefusal::BadEnrolment(_) | JoinRefusal::NotADevice => StatusCode::BAD_REQUEST,
        JoinRefusal::BadBinding(_) | JoinRefusal::BadCode | JoinRefusal::UnknownDevice => {
            StatusCode::FORBIDDEN
        }
    }
}

pub(super) async fn push(
    State(state): State<AppState>,
    signed: SignedRequest,
) -> Result<Json<PushResponse>, HttpError> {
    let device = state.db.device(signed.key).await?.or_http_err(
        StatusCode::FORBIDDEN,
        "unknown_device",
        "register this device with an enrolment code first",
    )?;
    if !device.bound {
        return Err(HttpError::new(
            StatusCode::FORBIDDEN,
            "unbound_device",
            "the hub holds no binding of this device by its learner: register it again",
        ));
    }
    let request: PushRequest = json_body(&signed.body)?;
    if request.records.len() > MAX_PUSH_RECORDS {
        return Err(HttpError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!("at most {MAX_PUSH_RECORDS} records a push"),
        ));
    }
    let results = take_records(&state.db, signed.key, device.learner, request.records).await?;
    let held = Some(state.db.held_records(signed.key).await?);
    Ok(Json(PushResponse {
        results,
        held,
        group: Some(device.group),
    }))
}
