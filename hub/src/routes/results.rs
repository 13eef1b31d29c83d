//! Devices and their results: registration with an enrolment code, and pushes of signed
//! records, admitted by core's rule and stored once by the storage layer.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use skillpack_core::keys::PublicKey;
use skillpack_core::name::display_name;
use skillpack_core::protocol::{
    CredentialsRequest, CredentialsResponse, IssuedCredential, NumberedGrant, PushRequest,
    PushResponse, RegisterRequest, RegisterResponse, MAX_CREDENTIALS_PER_ANSWER,
    MAX_GRANTS_PER_ANSWER,
};

use super::{json_body, AppState, SignedRequest, MAX_PUSH_RECORDS};
use crate::error::{HttpError, HubError, OrHttpErr};
use crate::ingest::{join, take_records, JoinRefusal};
use crate::HubDb;

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
    if let Some(name) = &request.name {
        keep_name(&state, &device.learner, name).await?;
    }
    let results = take_records(
        &state.db,
        signed.key,
        device.learner.clone(),
        request.records,
    )
    .await?;
    let held = Some(state.db.held_records(signed.key).await?);
    let grants = match request.grants_after {
        Some(after) => grants_after(&state.db, &device.learner, after).await?,
        None => Vec::new(),
    };
    Ok(Json(PushResponse {
        results,
        held,
        group: Some(device.group),
        credentials: state.db.newest_credential(&device.learner).await?,
        grants,
    }))
}

/// The learner's grants of attempts after `after`. A device that took more than the hub
/// holds (the hub was restored from a backup) gets them all again: it keeps each one once.
async fn grants_after(
    db: &HubDb,
    learner: &str,
    after: u64,
) -> Result<Vec<NumberedGrant>, HubError> {
    let limit = MAX_GRANTS_PER_ANSWER as u32;
    let mut rows = db.grants_after(learner, after, limit).await?;
    if rows.is_empty() && after > 0 {
        let newest = db
            .learner_grants(learner)
            .await?
            .last()
            .map_or(0, |g| g.number);
        if newest < after {
            rows = db.grants_after(learner, 0, limit).await?;
        }
    }
    rows.into_iter()
        .map(|(number, body)| {
            let grant = serde_json::from_str(&body)
                .map_err(|e| HubError::Damaged(format!("a stored grant: {e}")))?;
            Ok(NumberedGrant { number, grant })
        })
        .collect()
}

/// The learner's credentials after the number the device holds, with the endorsements of
/// the keys that signed them; for a bound device only.
pub(super) async fn credentials(
    State(state): State<AppState>,
    signed: SignedRequest,
) -> Result<Json<CredentialsResponse>, HttpError> {
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
    let request: CredentialsRequest = json_body(&signed.body)?;
    let limit = u32::try_from(MAX_CREDENTIALS_PER_ANSWER).unwrap_or(u32::MAX);
    let mut rows = state
        .db
        .credentials_after(&device.learner, request.after, limit + 1)
        .await?;
    let more = rows.len() > MAX_CREDENTIALS_PER_ANSWER;
    rows.truncate(MAX_CREDENTIALS_PER_ANSWER);
    let mut endorsements = Vec::new();
    let mut issuers = Vec::new();
    let mut credentials = Vec::with_capacity(rows.len());
    for (number, body, issuer) in rows {
        let credential = serde_json::from_str(&body).map_err(HttpError::internal)?;
        credentials.push(IssuedCredential { number, credential });
        if issuers.contains(&issuer) {
            continue;
        }
        issuers.push(issuer);
        if let Some(row) = state.db.issuer(issuer).await? {
            endorsements.push(serde_json::from_str(&row.endorsement).map_err(HttpError::internal)?);
        }
    }
    Ok(Json(CredentialsResponse {
        credentials,
        endorsements,
        more,
    }))
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
