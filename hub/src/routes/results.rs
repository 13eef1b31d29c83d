//! Devices and their results: registration with an enrolment code, and pushes of signed
//! records, admitted by core's rule and stored once by the storage layer.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use skillpack_core::keys::PublicKey;
use skillpack_core::name::display_name;
use skillpack_core::protocol::{
    CredentialsRequest, CredentialsResponse, HistoryRequest, HistoryResponse, PushRequest,
    PushResponse, RegisterRequest, RegisterResponse, RevocationsRequest, RevocationsResponse,
    MAX_HISTORY_PER_ANSWER,
};

use super::{json_body, BoundDevice, SignedRequest, MAX_PUSH_RECORDS};
use crate::error::{HttpError, OrHttpErr};
use crate::ingest::{join, take_records, JoinRefusal};
use crate::state::AppState;

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
        request.learner.clone(),
        request.binding.as_ref(),
        Some(request.enrolment_code),
    )
    .await?;
    if joined.is_ok() {
        if let Some(name) = &request.name {
            keep_name(&state, &request.learner, name).await?;
        }
    }
    match joined {
        Ok(group) => Ok((StatusCode::CREATED, Json(RegisterResponse { group }))),
        Err(refusal) => Err(HttpError::new(
            refusal_status(&refusal),
            refusal.code(),
            refusal.to_string(),
        )),
    }
}

/// Keeps the name a learner's device sent (`""`: the learner stopped showing one). A name
/// that breaks the rule is not kept and refuses nothing: the records still go in.
async fn keep_name(state: &AppState, learner: &str, name: &str) -> Result<(), HttpError> {
    if name.is_empty() {
        state.db.set_learner_name(learner, None).await?;
        return Ok(());
    }
    match display_name(name) {
        Ok(name) => state.db.set_learner_name(learner, Some(name)).await?,
        Err(e) => tracing::warn!(%learner, error = %e, "a learner's name not kept"),
    }
    Ok(())
}

/// The status of a refused registration: a conflict with what the hub holds, or a refusal.
fn refusal_status(refusal: &JoinRefusal) -> StatusCode {
    match refusal {
        JoinRefusal::OtherLearner => StatusCode::CONFLICT,
        JoinRefusal::BadEnrolment(_) | JoinRefusal::NotADevice => StatusCode::BAD_REQUEST,
        JoinRefusal::BadBinding(_)
        | JoinRefusal::BadCode
        | JoinRefusal::UnknownDevice
        | JoinRefusal::Retired(_) => StatusCode::FORBIDDEN,
    }
}

pub(super) async fn push(
    State(state): State<AppState>,
    BoundDevice { key, device, body }: BoundDevice,
) -> Result<Json<PushResponse>, HttpError> {
    let request: PushRequest = json_body(&body)?;
    if request.records.len() > MAX_PUSH_RECORDS {
        return Err(HttpError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!("at most {MAX_PUSH_RECORDS} records a push"),
        ));
    }
    if let Some(name) = &request.name {
        keep_name(&state, &device.learner, name).await?;
    }
    let results = take_records(&state.db, key, device.learner.clone(), request.records).await?;
    let held = Some(state.db.held_records(key).await?);
    let grants = match request.grants_after {
        Some(after) => crate::grant::grants_after(&state.db, &device.learner, after).await?,
        None => Vec::new(),
    };
    Ok(Json(PushResponse {
        results,
        held,
        group: Some(device.group),
        credentials: state.db.newest_credential(&device.learner).await?,
        grants,
        history: Some(state.db.history_count(&device.learner, key).await?),
    }))
}

/// The learner's records from their other devices after the one the device names, each with
/// the learner's binding of the device that signed it; for a bound device only. A record
/// whose device has no binding at the hub (registered before bindings) is left out: the
/// phone could not check it.
pub(super) async fn history(
    State(state): State<AppState>,
    BoundDevice { key, device, body }: BoundDevice,
) -> Result<Json<HistoryResponse>, HttpError> {
    let request: HistoryRequest = json_body(&body)?;
    let limit = u32::try_from(MAX_HISTORY_PER_ANSWER).unwrap_or(u32::MAX);
    let mut rows = state
        .db
        .learner_history(&device.learner, key, request.after, limit + 1)
        .await?;
    let more = rows.len() > MAX_HISTORY_PER_ANSWER;
    rows.truncate(MAX_HISTORY_PER_ANSWER);
    let mut records = Vec::with_capacity(rows.len());
    for row in &rows {
        records.extend(row.to_history_record()?);
    }
    Ok(Json(HistoryResponse { records, more }))
}

/// The learner's credentials after the number the device holds, with the endorsements of
/// the keys that signed them; for a bound device only.
pub(super) async fn credentials(
    State(state): State<AppState>,
    BoundDevice { device, body, .. }: BoundDevice,
) -> Result<Json<CredentialsResponse>, HttpError> {
    let request: CredentialsRequest = json_body(&body)?;
    Ok(Json(
        crate::issue::credentials_after(&state.db, &device.learner, request.after).await?,
    ))
}

/// The hub's reasons for the learner's revoked credentials; for a bound device only, and
/// only of its own learner.
pub(super) async fn revocations(
    State(state): State<AppState>,
    BoundDevice { device, body, .. }: BoundDevice,
) -> Result<Json<RevocationsResponse>, HttpError> {
    let RevocationsRequest {} = json_body(&body)?;
    Ok(Json(
        crate::issue::revocations_of(&state.db, &device.learner).await?,
    ))
}

/// `GET /v1/status/{issuer}`: an issuer's signed revocation list, public (verifiers anywhere
/// read it), kept signed until a credential of the issuer is revoked.
pub(super) async fn status_list(
    State(state): State<AppState>,
    Path(issuer): Path<String>,
) -> Result<Response, HttpError> {
    let not_found = || HttpError::new(StatusCode::NOT_FOUND, "no_such_list", "no such status list");
    let issuer: u64 = issuer.parse().map_err(|_| not_found())?;
    let body = state
        .status_lists
        .get(&state.db, issuer)
        .await?
        .ok_or_else(not_found)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vc+ld+json"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body.as_ref().clone(),
    )
        .into_response())
}
