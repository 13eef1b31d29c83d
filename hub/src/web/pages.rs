//! The handlers of the pages a trainer reads: each checks the session, asks storage for
//! what the session's scope may see (filtered there, never here) and renders it. Forms are in
//! `forms`, downloads in `exports`.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::views::{self, STALE_DAYS};
use super::{failure, not_found, page_message, render, session_cookie, Signed};
use crate::state::AppState;
use crate::storage::{normalize_code, CodeRow, ResultQuery};

/// A page, or the page that says why not.
pub(super) type Page = Result<Response, Response>;

/// Turns a storage failure into the failure page.
pub(super) fn db<T>(result: Result<T, crate::error::HubError>) -> Result<T, Response> {
    result.map_err(|e| failure(&e.to_string()))
}

impl Signed {
    pub(super) fn who(&self) -> Option<String> {
        let grant = &self.session.grant;
        Some(if grant.operator {
            format!("{} (operator)", grant.label)
        } else {
            format!("{} (trainer of {})", grant.label, grant.groups.join(", "))
        })
    }

    pub(super) fn csrf(&self) -> String {
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

/// The page a sign-in link opens: a button whose POST signs in. A GET spends nothing, so a
/// messenger's link preview or a prefetch cannot use up the one-time link.
pub(super) async fn sign_in_page() -> Response {
    match askama::Template::render(&views::SignIn {
        who: None,
        csrf: String::new(),
    }) {
        Ok(html) => super::html_page(StatusCode::OK, html),
        Err(e) => failure(&e.to_string()),
    }
}

/// Signs in with a one-time link, from its own page: a POST sent from another site (its
/// `Sec-Fetch-Site`, or an `Origin` that is not this hub's) is refused and spends nothing, so
/// no other site can sign a browser in to a session of its choosing.
pub(super) async fn sign_in(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    if !from_this_site(&headers) {
        return page_message(
            StatusCode::FORBIDDEN,
            "Not signed in",
            "Sign in from the page the link opens, not from another site.",
        );
    }
    let well_formed = token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit());
    let redeemed = if well_formed {
        state.db.redeem_web_link(&token, super::SESSION_TTL).await
    } else {
        Ok(None)
    };
    match redeemed {
        Ok(Some(opened)) => (
            [(
                header::SET_COOKIE,
                session_cookie(&opened.secret, state.secure_cookies),
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

/// Whether a form's POST came from this hub's own pages: `Sec-Fetch-Site` says so where the
/// browser sends it; else an `Origin` must name this hub's host; a client that sends neither
/// (a script, an old browser) is taken at its word.
fn from_this_site(headers: &axum::http::HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return site == "same-origin";
    }
    match (text("origin"), text("host")) {
        (None, _) => true,
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host)),
        (Some(_), None) => false,
    }
}

pub(super) async fn groups(State(state): State<AppState>, signed: Signed) -> Page {
    let groups = db(state.db.groups(&signed.scope()).await)?;
    Ok(render(&views::Groups {
        who: signed.who(),
        csrf: signed.csrf(),
        groups,
    }))
}

/// The modules offered to `group`, sorted.
async fn offered_modules(state: &AppState, group: &str) -> Result<Vec<String>, Response> {
    let mut modules: Vec<String> = db(state.db.catalog(group.to_owned()).await)?
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
    let in_group = crate::storage::Scope::Groups(vec![group.clone()]);
    let learners = db(state.db.learners(&in_group, None).await)?;
    let results = db(state.db.results(ResultQuery::new(in_group)).await)?;
    let rows = views::grid(&modules, &learners, &results, chrono::Utc::now());
    Ok(render(&views::Group {
        who: signed.who(),
        csrf: signed.csrf(),
        group,
        modules,
        learners: rows,
        stale_days: STALE_DAYS,
    }))
}

pub(super) async fn learner(
    State(state): State<AppState>,
    signed: Signed,
    Path(did): Path<String>,
) -> Page {
    let scope = signed.scope();
    let devices = db(state.db.learners(&scope, Some(&did)).await)?;
    let mut device_lines = Vec::with_capacity(devices.len());
    for d in &devices {
        let key = skillpack_core::hex::decode::<32>(&d.device)
            .and_then(|bytes| skillpack_core::keys::PublicKey::from_bytes(&bytes).ok());
        let retired = match key {
            Some(key) => db(state.db.device(key).await)?.and_then(|known| known.retired),
            None => None,
        };
        device_lines.push(views::DeviceLine {
            text: format!(
                "device {}… in group {}, registered {}, {} results",
                &d.device[..16.min(d.device.len())],
                d.group,
                d.registered_at,
                d.records
            ),
            key: d.device.clone(),
            retired,
        });
    }
    let Some(first) = devices.first() else {
        return Err(not_found());
    };
    let shown = views::shown(first.name.as_deref(), &did);
    let results = db(state
        .db
        .results(ResultQuery::new(scope.clone()).of_learner(&did))
        .await)?;
    let flags = db(state.db.flags(&scope, Some(&did)).await)?
        .into_iter()
        .map(|f| format!("{} at record {}: {}", f.kind, f.seq, f.detail))
        .collect();
    let credentials = db(state.db.issued_credentials(Some(&did)).await)?
        .into_iter()
        .map(|c| views::CredentialLine {
            text: match (&c.revoked_at, &c.revoked_why) {
                (Some(at), why) => format!(
                    "{} issued {}, revoked {at}: {}",
                    c.id,
                    c.issued_at,
                    why.as_deref().unwrap_or("")
                ),
                (None, _) => format!("{} issued {}", c.id, c.issued_at),
            } + &c
                .wallet
                .as_deref()
                .map(|wallet| format!(" (a copy in the wallet {wallet})"))
                .unwrap_or_default(),
            revoked: c.revoked_at.is_some(),
            number: c.number,
            own: c.copy_of.is_none(),
            id: c.id,
        })
        .collect();
    let not_passed = db(crate::grant::grantable_modules(&state.db, &scope, &did).await)?;
    let grants = db(state.db.learner_grants(&did).await)?
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
        results: views::result_lines(&results),
        devices: device_lines,
        flags,
        credentials,
        did,
    }))
}

pub(super) async fn module(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Page {
    let query = ResultQuery::new(signed.scope()).of_module(&id);
    let results = db(state.db.results(query).await)?;
    Ok(render(&views::module_page(
        signed.who(),
        signed.csrf(),
        id,
        &results,
    )))
}

pub(super) async fn codes(State(state): State<AppState>, signed: Signed) -> Page {
    let codes = db(state.db.enrolment_codes(&signed.scope()).await)?;
    let groups = db(state.db.groups(&signed.scope()).await)?
        .into_iter()
        .map(|g| g.group)
        .collect();
    Ok(render(&views::Codes {
        who: signed.who(),
        csrf: signed.csrf(),
        codes: views::code_lines(codes, chrono::Utc::now().timestamp()),
        groups,
    }))
}

/// The enrolment code typed in a page's address (with or without its hyphens), of a group
/// the session sees.
pub(super) async fn code_in_sight(
    state: &AppState,
    signed: &Signed,
    typed: &str,
) -> Result<CodeRow, Response> {
    let wanted = normalize_code(typed);
    db(state.db.enrolment_codes(&signed.scope()).await)?
        .into_iter()
        .find(|c| normalize_code(&c.code) == wanted)
        .ok_or_else(not_found)
}

pub(super) async fn code_sheet(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
) -> Page {
    let known = code_in_sight(&state, &signed, &code).await?;
    // With the hub's public address known, the code travels in the enrolment link: one scan
    // joins the group and trusts its publishers. Without it, the code alone.
    let link = match state.public_url.as_deref() {
        Some(url) => Some(
            db(crate::join::join_link(&state.db, url, &known.group, &known.code).await)?.to_text(),
        ),
        None => None,
    };
    let qr = qrcode::QrCode::with_error_correction_level(
        link.as_deref().unwrap_or(&known.code),
        qrcode::EcLevel::M,
    )
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
        link,
    }))
}

/// Whether the session sees a stored pack: an operator every one, a trainer those offered
/// to a group of theirs.
pub(super) fn pack_seen_by(pack: &crate::storage::PackRow, signed: &Signed) -> bool {
    signed.session.grant.operator || pack.groups.iter().any(|g| signed.scope().sees(g))
}

pub(super) async fn packs(State(state): State<AppState>, signed: Signed) -> Page {
    let scope = signed.scope();
    let mut packs = db(state.db.stored_packs().await)?;
    packs.retain(|pack| pack_seen_by(pack, &signed));
    for pack in &mut packs {
        pack.groups.retain(|g| scope.sees(g));
    }
    let flags = if signed.session.grant.operator {
        db(state.db.flags(&scope, None).await)?
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
