//! The handlers of the web pages: each checks the session (and, for a form, its CSRF token
//! and the groups the session may see), reads or changes through storage, and renders.

use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use skillpack_core::hex;
use skillpack_core::ledger::DEFAULT_HOME_PAGE;
use skillpack_core::protocol::GroupName;
use tokio::io::AsyncWriteExt;

use super::views::{self, STALE_DAYS};
use super::{cleared_cookie, failure, not_found, page_message, render, session_cookie, Signed};
use crate::routes::{AppState, MAX_PACK_BYTES};
use crate::storage::{
    module_book, results_csv, results_xapi, summary_csv, CsvOptions, StoredResult,
};

type Page = Result<Response, Response>;

/// Turns a storage failure into the failure page.
fn db<T>(result: Result<T, crate::error::HubError>) -> Result<T, Response> {
    result.map_err(|e| failure(&e.to_string()))
}

impl Signed {
    fn who(&self) -> Option<String> {
        let grant = &self.session.grant;
        Some(if grant.operator {
            format!("{} (operator)", grant.label)
        } else {
            format!("{} (trainer of {})", grant.label, grant.groups.join(", "))
        })
    }

    fn csrf(&self) -> String {
        self.session.csrf.clone()
    }
}

pub(super) async fn sign_in_help() -> Response {
    page_message(
        StatusCode::OK,
        "Sign in",
        "Open the sign-in link the hub's operator gave you (`skillpack hub signin` makes one). \
         A link works once, for 30 minutes.",
    )
}

pub(super) async fn sign_in(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let well_formed = token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit());
    let redeemed = if well_formed {
        state.db().redeem_web_link(&token, super::SESSION_TTL).await
    } else {
        Ok(None)
    };
    match redeemed {
        Ok(Some((secret, _))) => (
            [(
                header::SET_COOKIE,
                session_cookie(&secret, state.secure_cookies()),
            )],
            Redirect::to("/web/"),
        )
            .into_response(),
        Ok(None) => page_message(
            StatusCode::FORBIDDEN,
            "This link does not work",
            "It was used already, it expired, or it was mistyped. Ask the hub's operator for a new one.",
        ),
        Err(e) => failure(&e.to_string()),
    }
}

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
    db(state.db().end_web_session(&signed.secret).await)?;
    Ok((
        [(header::SET_COOKIE, cleared_cookie())],
        Redirect::to("/web/signin"),
    )
        .into_response())
}

pub(super) async fn groups(State(state): State<AppState>, signed: Signed) -> Page {
    let groups = db(state.db().groups().await)?
        .into_iter()
        .filter(|g| signed.session.grant.sees(&g.group))
        .collect();
    Ok(render(&views::Groups {
        who: signed.who(),
        csrf: signed.csrf(),
        groups,
    }))
}

/// The modules offered to `group`, sorted.
async fn offered_modules(state: &AppState, group: &str) -> Result<Vec<String>, Response> {
    let mut modules: Vec<String> = db(state.db().catalog(group.to_owned()).await)?
        .into_iter()
        .flat_map(|entry| entry.modules)
        .collect();
    modules.sort();
    modules.dedup();
    Ok(modules)
}

pub(super) async fn group(
    State(state): State<AppState>,
    signed: Signed,
    Path(group): Path<String>,
) -> Page {
    signed.sees(&group)?;
    let modules = offered_modules(&state, &group).await?;
    let learners = db(state.db().learners().await)?;
    let results = db(state.db().results(Some(group.clone())).await)?;
    let rows = views::grid(&group, &modules, &learners, &results, chrono::Utc::now());
    Ok(render(&views::Group {
        who: signed.who(),
        csrf: signed.csrf(),
        group,
        modules,
        learners: rows,
        stale_days: STALE_DAYS,
    }))
}

async fn group_results(
    state: &AppState,
    signed: &Signed,
    group: &str,
) -> Result<Vec<StoredResult>, Response> {
    signed.sees(group)?;
    db(state.db().results(Some(group.to_owned())).await)
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
    let titles = db(state.db().module_titles().await)?;
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
    let book = db(module_book(state.db(), &results).await)?;
    // Learners' accounts belong to this hub: its address as the trainer's browser names it.
    let home = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .map_or_else(
            || DEFAULT_HOME_PAGE.to_owned(),
            |host| format!("http://{host}/"),
        );
    Ok(download(
        "application/x-ndjson",
        format!("{group}-statements.jsonl"),
        results_xapi(&results, &book, &home),
    ))
}

pub(super) async fn learner(
    State(state): State<AppState>,
    signed: Signed,
    Path(did): Path<String>,
) -> Page {
    let devices: Vec<_> = db(state.db().learners().await)?
        .into_iter()
        .filter(|l| l.learner == did && signed.session.grant.sees(&l.group))
        .collect();
    let Some(first) = devices.first() else {
        return Err(not_found());
    };
    let shown = views::shown(first.name.as_deref(), &did);
    let results = db(state.db().results(None).await)?;
    let mine: Vec<&StoredResult> = results
        .iter()
        .filter(|r| r.record.record.learner == did && signed.session.grant.sees(&r.group))
        .collect();
    let keys: Vec<&str> = devices.iter().map(|d| d.device.as_str()).collect();
    let flags = db(state.db().flags().await)?
        .into_iter()
        .filter(|f| keys.contains(&f.device.as_str()))
        .map(|f| format!("{} at record {}: {}", f.kind, f.seq, f.detail))
        .collect();
    let credentials = db(state.db().issued_credentials().await)?
        .into_iter()
        .filter(|c| c.learner == did)
        .map(|c| match c.revoked_at {
            Some(at) => format!("{} issued {}, revoked {at}", c.id, c.issued_at),
            None => format!("{} issued {}", c.id, c.issued_at),
        })
        .collect();
    let mut not_passed: Vec<String> = Vec::new();
    for r in &mine {
        let rec = &r.record.record;
        let passed = mine
            .iter()
            .any(|p| p.record.record.module == rec.module && p.record.record.passed);
        if !passed && !not_passed.contains(&rec.module) {
            not_passed.push(rec.module.clone());
        }
    }
    let grants = db(state.db().learner_grants(&did).await)?
        .into_iter()
        .map(|g| {
            let plural = if g.attempts == 1 { "" } else { "s" };
            format!(
                "{} gave {} more attempt{plural} at {} on {}",
                g.granted_by, g.attempts, g.module_id, g.granted_at
            )
        })
        .collect();
    Ok(render(&views::Learner {
        who: signed.who(),
        csrf: signed.csrf(),
        label: first.name.clone().unwrap_or_default(),
        not_passed,
        grants,
        shown,
        results: views::result_lines(&mine),
        devices: devices
            .iter()
            .map(|d| {
                format!(
                    "device {}… in group {}, registered {}, {} results",
                    &d.device[..16.min(d.device.len())],
                    d.group,
                    d.registered_at,
                    d.records
                )
            })
            .collect(),
        flags,
        credentials,
        did,
    }))
}

/// Refuses, as not found, a learner with no device in a group the session sees.
async fn learner_in_sight(state: &AppState, signed: &Signed, did: &str) -> Result<(), Response> {
    let visible = db(state.db().learners().await)?
        .iter()
        .any(|l| l.learner == did && signed.session.grant.sees(&l.group));
    if visible {
        Ok(())
    } else {
        Err(not_found())
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
    };
    db(state.db().label_learner(labelled).await)?;
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
    db(crate::grant::grant_attempts(state.db(), request, None).await)?
        .map_err(|e| page_message(StatusCode::BAD_REQUEST, "Not granted", &e.to_string()))?;
    Ok(Redirect::to(&format!("/web/learners/{did}")).into_response())
}

pub(super) async fn module(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Page {
    let results = db(state.db().results(None).await)?;
    let mine: Vec<&StoredResult> = results
        .iter()
        .filter(|r| r.record.record.module == id && signed.session.grant.sees(&r.group))
        .collect();
    Ok(render(&views::module_page(
        signed.who(),
        signed.csrf(),
        id,
        &mine,
    )))
}

pub(super) async fn codes(State(state): State<AppState>, signed: Signed) -> Page {
    let codes = db(state.db().enrolment_codes().await)?
        .into_iter()
        .filter(|c| signed.session.grant.sees(&c.group))
        .collect();
    Ok(render(&views::Codes {
        who: signed.who(),
        csrf: signed.csrf(),
        codes: views::code_lines(codes, chrono::Utc::now().timestamp()),
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
    db(state
        .db()
        .create_enrolment(group.as_str(), uses, expires_at)
        .await)?;
    Ok(Redirect::to("/web/codes").into_response())
}

pub(super) async fn revoke_code(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
    Form(form): Form<Plain>,
) -> Page {
    signed.check_csrf(&form.csrf)?;
    let codes = db(state.db().enrolment_codes().await)?;
    let Some(known) = codes
        .iter()
        .find(|c| c.code.replace('-', "") == code && signed.session.grant.sees(&c.group))
    else {
        return Err(not_found());
    };
    db(state.db().revoke_code(&known.code).await)?;
    Ok(Redirect::to("/web/codes").into_response())
}

pub(super) async fn code_sheet(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
) -> Page {
    let codes = db(state.db().enrolment_codes().await)?;
    let Some(known) = codes
        .into_iter()
        .find(|c| c.code.replace('-', "") == code && signed.session.grant.sees(&c.group))
    else {
        return Err(not_found());
    };
    let qr = qrcode::QrCode::with_error_correction_level(&known.code, qrcode::EcLevel::M)
        .map_err(|e| failure(&e.to_string()))?;
    let svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(320, 320)
        .build();
    Ok(render(&views::Sheet {
        who: signed.who(),
        csrf: signed.csrf(),
        code: known.code,
        group: known.group,
        qr_svg: svg,
    }))
}

pub(super) async fn packs(State(state): State<AppState>, signed: Signed) -> Page {
    let mut packs = db(state.db().stored_packs().await)?;
    if !signed.session.grant.operator {
        for pack in &mut packs {
            pack.groups.retain(|g| signed.session.grant.sees(g));
        }
    }
    let flags = if signed.session.grant.operator {
        db(state.db().flags().await)?
            .into_iter()
            .map(|f| {
                format!(
                    "device {}…: {} at record {}: {}",
                    &f.device[..16.min(f.device.len())],
                    f.kind,
                    f.seq,
                    f.detail
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(render(&views::Packs {
        who: signed.who(),
        csrf: signed.csrf(),
        packs,
        flags,
    }))
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
    db(state.db().offer_stored(hash, group.as_str()).await)?;
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
    let packs = db(state.db().stored_packs().await)?;
    let Some(pack) = packs.iter().find(|p| p.hash == hex::encode(&hash)) else {
        return Err(not_found());
    };
    db(state.db().withdraw(&form.group, &pack.id).await)?;
    Ok(Redirect::to("/web/packs").into_response())
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
            Some("csrf") => csrf = Some(field.text().await.map_err(|e| refused(&e.to_string()))?),
            Some("group") => group = Some(field.text().await.map_err(|e| refused(&e.to_string()))?),
            Some("pack") => {
                // The token comes first in the form: nothing is written before it checks.
                signed.check_csrf(csrf.as_deref().unwrap_or(""))?;
                let temp = tempfile::NamedTempFile::new_in(state.upload_dir())
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
    let stored = crate::routes::packs::store_pack_file(
        state.db(),
        temp.path(),
        len,
        None,
        group.into_inner(),
    )
    .await;
    drop(temp);
    match stored {
        Ok(_) => Ok(Redirect::to("/web/packs").into_response()),
        Err(e) => Err(refused(&e.message)),
    }
}
