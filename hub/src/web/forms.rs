//! The handlers of the web pages' forms: each checks the session's CSRF token first, then
//! that what the form names is in the session's scope, and hands the change to a service
//! (`publish`, `grant`) or to storage. Nothing is changed by a form that fails a check.

use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use skillpack_core::hex;
use skillpack_core::protocol::GroupName;
use tokio::io::AsyncWriteExt;

use super::pages::{code_in_sight, db, Page};
use super::{cleared_cookie, failure, not_found, page_message, Signed};
use crate::routes::MAX_PACK_BYTES;
use crate::state::AppState;

/// A form that carries only the CSRF token.
#[derive(Deserialize)]
pub(super) struct Plain {
    csrf: String,
}

pub(super) async fn sign_out(
    State(state): State<AppState>,
    signed: Signed,
    Form(form): Form<Plain>,
) -> Page {
    signed.check_csrf(&form.csrf)?;
    db(state.db.end_web_session(&signed.secret).await)?;
    Ok((
        [(header::SET_COOKIE, cleared_cookie())],
        Redirect::to("/web/signin"),
    )
        .into_response())
}

/// Refuses, as not found, a learner with no device in a group the session sees.
async fn learner_in_sight(state: &AppState, signed: &Signed, did: &str) -> Result<(), Response> {
    let devices = db(state.db.learners(&signed.scope(), Some(did)).await)?;
    if devices.is_empty() {
        Err(not_found())
    } else {
        Ok(())
    }
}

/// The form that labels a learner.
#[derive(Deserialize)]
pub(super) struct LabelForm {
    csrf: String,
    label: String,
}

pub(super) async fn label(
    State(state): State<AppState>,
    signed: Signed,
    Path(did): Path<String>,
    Form(form): Form<LabelForm>,
) -> Page {
    signed.check_csrf(&form.csrf)?;
    learner_in_sight(&state, &signed, &did).await?;
    let label = if form.label.trim().is_empty() {
        None
    } else {
        Some(
            skillpack_core::name::display_name(&form.label)
                .map_err(|e| page_message(StatusCode::BAD_REQUEST, "Not saved", &e.to_string()))?,
        )
    };
    let labelled = crate::storage::LearnerLabel {
        learner: did.clone(),
        label,
        by: signed.session.grant.label.clone(),
        scope: signed.scope(),
    };
    db(state.db.label_learner(labelled).await)?;
    Ok(Redirect::to(&format!("/web/learners/{did}")).into_response())
}

/// The form that gives a learner more attempts at a module.
#[derive(Deserialize)]
pub(super) struct GrantForm {
    csrf: String,
    module: String,
    attempts: u32,
}

pub(super) async fn grant(
    State(state): State<AppState>,
    signed: Signed,
    Path(did): Path<String>,
    Form(form): Form<GrantForm>,
) -> Page {
    signed.check_csrf(&form.csrf)?;
    learner_in_sight(&state, &signed, &did).await?;
    let request = crate::grant::GrantRequest {
        learner: did.clone(),
        module_id: form.module,
        attempts: form.attempts,
        granted_by: signed.session.grant.label.clone(),
    };
    db(crate::grant::grant_attempts(&state.db, &signed.scope(), request, None).await)?
        .map_err(|e| page_message(StatusCode::BAD_REQUEST, "Not granted", &e.to_string()))?;
    Ok(Redirect::to(&format!("/web/learners/{did}")).into_response())
}

/// The form that revokes one of a learner's credentials.
#[derive(Deserialize)]
pub(super) struct RevokeForm {
    csrf: String,
    id: String,
    reason: String,
}

/// Most characters of a revocation's reason.
const MAX_REASON: usize = 200;

pub(super) async fn revoke_credential(
    State(state): State<AppState>,
    signed: Signed,
    Path(did): Path<String>,
    Form(form): Form<RevokeForm>,
) -> Page {
    signed.check_csrf(&form.csrf)?;
    learner_in_sight(&state, &signed, &did).await?;
    let refused = |why: &str| page_message(StatusCode::BAD_REQUEST, "Not revoked", why);
    let reason = form.reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON {
        return Err(refused("Say why, in at most 200 characters."));
    }
    credential_in_sight(&state, &signed, &did, &form.id).await?;
    let revocation = crate::storage::CredentialRevocation {
        id: form.id,
        reason: reason.to_owned(),
        by: signed.session.grant.label.clone(),
    };
    db(state.db.revoke_credential(revocation).await)?;
    Ok(Redirect::to(&format!("/web/learners/{did}")).into_response())
}

/// Refuses, as not found, a credential that is not the learner's or was earned on a device
/// in no group the session sees (a learner in two groups has a trainer in each: neither
/// revokes what was earned in the other's). A copy issued to a wallet counts as the
/// credential it copies.
async fn credential_in_sight(
    state: &AppState,
    signed: &Signed,
    did: &str,
    id: &str,
) -> Result<(), Response> {
    let issued = db(state.db.issued_credentials(Some(did)).await)?;
    let credential = issued.iter().find(|c| c.id == id).ok_or_else(not_found)?;
    let original = match credential.copy_of {
        Some(number) => issued
            .iter()
            .find(|c| c.number == number)
            .unwrap_or(credential),
        None => credential,
    };
    let Some(record) = &original.record_id else {
        return if signed.session.grant.operator {
            Ok(())
        } else {
            Err(not_found())
        };
    };
    let mut query = crate::storage::ResultQuery::new(signed.scope());
    query.learner = Some(did.to_owned());
    let results = db(state.db.results(query).await)?;
    if results.iter().any(|r| &r.record.record.id == record) {
        Ok(())
    } else {
        Err(not_found())
    }
}

/// The form that retires one of a learner's devices.
#[derive(Deserialize)]
pub(super) struct RetireForm {
    csrf: String,
    device: String,
    reason: String,
}

/// Retires a device of the learner (lost, or in someone else's hands), audited under the
/// trainer's name: its pushes, registrations and relay bundles are refused from then on.
pub(super) async fn retire_device(
    State(state): State<AppState>,
    signed: Signed,
    Path(did): Path<String>,
    Form(form): Form<RetireForm>,
) -> Page {
    signed.check_csrf(&form.csrf)?;
    learner_in_sight(&state, &signed, &did).await?;
    let reason = form.reason.split_whitespace().collect::<Vec<_>>().join(" ");
    if reason.is_empty() || reason.chars().count() > MAX_REASON {
        return Err(page_message(
            StatusCode::BAD_REQUEST,
            "Not retired",
            "Say why, in at most 200 characters.",
        ));
    }
    let key = skillpack_core::hex::decode::<32>(&form.device)
        .and_then(|bytes| skillpack_core::keys::PublicKey::from_bytes(&bytes).ok())
        .ok_or_else(not_found)?;
    // Only a device of this learner, in a group the session sees.
    let theirs = db(state.db.device(key).await)?
        .is_some_and(|known| known.learner == did && signed.scope().sees(&known.group));
    if !theirs {
        return Err(not_found());
    }
    let retirement = crate::storage::DeviceRetirement {
        device: key,
        reason,
        by: signed.session.grant.label.clone(),
    };
    db(state.db.retire_device(retirement).await)?;
    Ok(Redirect::to(&format!("/web/learners/{did}")).into_response())
}

/// The form that hands one of a learner's credentials to their wallet.
#[derive(Deserialize)]
pub(super) struct WalletForm {
    csrf: String,
    id: String,
}

/// Opens an exchange for the credential and shows its interaction URL as a QR code and a link
/// (the page is the form's answer: the URL is shown once, never stored in the clear).
pub(super) async fn to_wallet(
    State(state): State<AppState>,
    signed: Signed,
    Path(did): Path<String>,
    Form(form): Form<WalletForm>,
) -> Page {
    signed.check_csrf(&form.csrf)?;
    learner_in_sight(&state, &signed, &did).await?;
    let asked_by = signed.session.grant.label.clone();
    let opened = db(crate::exchange::open(&state.db, &did, &form.id, asked_by).await)?.map_err(
        |e| match e {
            crate::exchange::OpenRefusal::NoSuchCredential(_) => not_found(),
            refused => page_message(StatusCode::CONFLICT, "Not sent", &refused.to_string()),
        },
    )?;
    let devices = db(state.db.learners(&signed.scope(), Some(&did)).await)?;
    let shown = super::views::shown(devices.first().and_then(|d| d.name.as_deref()), &did);
    let qr =
        qrcode::QrCode::with_error_correction_level(&opened.interaction_url, qrcode::EcLevel::M)
            .map_err(|e| failure(&e.to_string()))?;
    let qr_svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(320, 320)
        .build();
    Ok(super::render(&super::views::WalletExchange {
        who: signed.who(),
        csrf: signed.csrf(),
        did,
        shown,
        credential: form.id,
        url: opened.interaction_url,
        qr_svg,
        minutes: opened.expires_in / 60,
    }))
}

/// The form that makes a code.
#[derive(Deserialize)]
pub(super) struct NewCode {
    csrf: String,
    group: String,
    #[serde(default)]
    uses: String,
    #[serde(default)]
    days: String,
}

/// A whole number typed in a form field; empty is none.
fn number(text: &str, what: &str) -> Result<Option<u32>, Response> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<u32>().map(Some).map_err(|_| {
        page_message(
            StatusCode::BAD_REQUEST,
            "Not made",
            &format!("{what} is a whole number (or empty)."),
        )
    })
}

pub(super) async fn make_code(
    State(state): State<AppState>,
    signed: Signed,
    Form(form): Form<NewCode>,
) -> Page {
    signed.check_csrf(&form.csrf)?;
    let group = GroupName::parse(form.group.trim())
        .map_err(|e| page_message(StatusCode::BAD_REQUEST, "Not made", &e.to_string()))?;
    signed.sees(group.as_str())?;
    let uses = number(&form.uses, "How many devices")?;
    let expires_at = number(&form.days, "Days")?
        .map(|days| chrono::Utc::now().timestamp() + i64::from(days) * 86_400);
    match state
        .db
        .create_enrolment(group.as_str(), uses, expires_at)
        .await
    {
        Err(e @ crate::error::HubError::GroupNamedOtherwise { .. }) => {
            return Err(page_message(
                StatusCode::CONFLICT,
                "Not made",
                &e.to_string(),
            ))
        }
        other => db(other)?,
    };
    Ok(Redirect::to("/web/codes").into_response())
}

pub(super) async fn revoke_code(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
    Form(form): Form<Plain>,
) -> Page {
    signed.check_csrf(&form.csrf)?;
    let known = code_in_sight(&state, &signed, &code).await?;
    db(state.db.revoke_code(&known.code).await)?;
    Ok(Redirect::to("/web/codes").into_response())
}

/// The form that offers a stored pack to a group or withdraws it from one.
#[derive(Deserialize)]
pub(super) struct GroupForm {
    csrf: String,
    group: String,
}

/// The hash in a pack's path, checked.
fn pack_hash(text: &str) -> Result<[u8; 32], Response> {
    hex::decode::<32>(text).ok_or_else(not_found)
}

/// The stored pack of `hash` when the session sees it: an operator sees every pack, a
/// trainer those offered to a group of theirs (so a trainer cannot offer to their group a
/// pack another group's trainer published and offered only there). Else not found.
async fn pack_in_sight(
    state: &AppState,
    signed: &Signed,
    hash: &[u8; 32],
) -> Result<crate::storage::PackRow, Response> {
    let wanted = hex::encode(hash);
    db(state.db.stored_packs().await)?
        .into_iter()
        .find(|p| p.hash == wanted)
        .filter(|p| super::pages::pack_seen_by(p, signed))
        .ok_or_else(not_found)
}

pub(super) async fn offer(
    State(state): State<AppState>,
    signed: Signed,
    Path(hash): Path<String>,
    Form(form): Form<GroupForm>,
) -> Page {
    signed.check_csrf(&form.csrf)?;
    let hash = pack_hash(&hash)?;
    let group = GroupName::parse(form.group.trim())
        .map_err(|e| page_message(StatusCode::BAD_REQUEST, "Not offered", &e.to_string()))?;
    signed.sees(group.as_str())?;
    pack_in_sight(&state, &signed, &hash).await?;
    db(state.db.offer_stored(hash, group.as_str()).await)?;
    Ok(Redirect::to("/web/packs").into_response())
}

pub(super) async fn withdraw(
    State(state): State<AppState>,
    signed: Signed,
    Path(hash): Path<String>,
    Form(form): Form<GroupForm>,
) -> Page {
    signed.check_csrf(&form.csrf)?;
    let hash = pack_hash(&hash)?;
    signed.sees(&form.group)?;
    let pack = pack_in_sight(&state, &signed, &hash).await?;
    db(state.db.withdraw(&form.group, &pack.id).await)?;
    Ok(Redirect::to("/web/packs").into_response())
}

/// The largest upload form: a pack of the largest size and room for the other fields and
/// the form's boundaries.
pub(super) const MAX_UPLOAD_FORM_BYTES: usize = MAX_PACK_BYTES + (64 << 10);
/// The largest text field of the upload form (the token, the group's name).
const MAX_UPLOAD_FIELD_BYTES: usize = 1 << 10;

/// A text field of the upload form, read to at most [`MAX_UPLOAD_FIELD_BYTES`].
async fn short_text(mut field: axum::extract::multipart::Field<'_>) -> Result<String, String> {
    let mut text = Vec::new();
    while let Some(piece) = field.chunk().await.map_err(|e| e.to_string())? {
        if text.len() + piece.len() > MAX_UPLOAD_FIELD_BYTES {
            return Err("A field of the form is longer than it can be.".into());
        }
        text.extend_from_slice(&piece);
    }
    String::from_utf8(text).map_err(|_| "A field of the form is not text.".into())
}

/// Uploads a pack from the page: streamed to a file under the same bound as the API's, then
/// verified and stored as any publication (the pack's own signature names its publisher).
pub(super) async fn upload(
    State(state): State<AppState>,
    signed: Signed,
    mut form: Multipart,
) -> Page {
    let refused = |why: &str| page_message(StatusCode::BAD_REQUEST, "Not published", why);
    let (mut csrf, mut group, mut file) = (None, None, None);
    while let Some(mut field) = form
        .next_field()
        .await
        .map_err(|e| refused(&e.to_string()))?
    {
        match field.name() {
            Some("csrf") => csrf = Some(short_text(field).await.map_err(|e| refused(&e))?),
            Some("group") => group = Some(short_text(field).await.map_err(|e| refused(&e))?),
            Some("pack") => {
                // The token comes first in the form: nothing is written before it checks.
                signed.check_csrf(csrf.as_deref().unwrap_or(""))?;
                let temp = tempfile::NamedTempFile::new_in(state.upload_dir.as_path())
                    .map_err(|e| failure(&e.to_string()))?;
                let mut out = tokio::fs::File::create(temp.path())
                    .await
                    .map_err(|e| failure(&e.to_string()))?;
                let mut len = 0usize;
                while let Some(piece) = field.chunk().await.map_err(|e| refused(&e.to_string()))? {
                    len += piece.len();
                    if len > MAX_PACK_BYTES {
                        return Err(refused("The pack is larger than this hub takes."));
                    }
                    out.write_all(&piece)
                        .await
                        .map_err(|e| failure(&e.to_string()))?;
                }
                out.flush().await.map_err(|e| failure(&e.to_string()))?;
                file = Some((temp, len as u64));
            }
            _ => {}
        }
    }
    signed.check_csrf(csrf.as_deref().unwrap_or(""))?;
    let (Some(group), Some((temp, len))) = (group, file) else {
        return Err(refused("Choose a pack file and a group."));
    };
    let group = GroupName::parse(group.trim()).map_err(|e| refused(&e.to_string()))?;
    signed.sees(group.as_str())?;
    let stored =
        crate::publish::publish_file(&state.db, temp.path(), len, None, group.into_inner()).await;
    drop(temp);
    match stored {
        Ok(_) => Ok(Redirect::to("/web/packs").into_response()),
        Err(crate::publish::PublishError::Hub(e)) => Err(failure(&e.to_string())),
        Err(e) => Err(refused(&e.to_string())),
    }
}
