//! The trainer's web pages: rendered on the hub from templates compiled into the binary
//! (askama, HTML-escaped by default), plain forms, no JavaScript. Signing in needs no
//! password database: `skillpack hub signin` prints a one-time link; opening it starts a
//! session held by an HttpOnly, SameSite=Strict cookie, and every form carries the session's
//! CSRF token, checked before anything changes. A visitor without a session sees no learner's
//! data, only how to sign in. An operator sees every group; a trainer, the groups named in
//! their link.

// Handlers answer a page either way: an error page is a `Response` as large as any other.
#[allow(clippy::result_large_err)]
mod exports;
#[allow(clippy::result_large_err)]
mod forms;
#[allow(clippy::result_large_err)]
mod pages;
mod views;

use std::time::Duration;

use axum::extract::{DefaultBodyLimit, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;
use crate::storage::{Scope, WebSession};

/// The session cookie's name.
const COOKIE: &str = "skillpack_session";

/// How long a session lasts once signed in.
pub const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);

/// How long a sign-in link works.
pub const LINK_TTL: Duration = Duration::from_secs(30 * 60);

/// The web pages, mounted under `/web`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/web", get(|| async { Redirect::to("/web/") }))
        .route("/web/", get(pages::groups))
        .route("/web/signin", get(pages::sign_in_help))
        .route(
            "/web/signin/{token}",
            get(pages::sign_in_page).post(pages::sign_in),
        )
        .route("/web/signout", post(forms::sign_out))
        .route("/web/groups/{group}", get(pages::group))
        .route("/web/groups/{group}/results.csv", get(exports::export_csv))
        .route(
            "/web/groups/{group}/summary.csv",
            get(exports::export_summary),
        )
        .route(
            "/web/groups/{group}/results.xapi",
            get(exports::export_xapi),
        )
        .route("/web/learners/{did}", get(pages::learner))
        .route("/web/learners/{did}/label", post(forms::label))
        .route("/web/learners/{did}/grants", post(forms::grant))
        .route(
            "/web/learners/{did}/devices/retire",
            post(forms::retire_device),
        )
        .route(
            "/web/learners/{did}/credentials/revoke",
            post(forms::revoke_credential),
        )
        .route(
            "/web/learners/{did}/credentials/{number}/badge.png",
            get(exports::credential_badge),
        )
        .route(
            "/web/learners/{did}/credentials/wallet",
            post(forms::to_wallet),
        )
        .route("/web/modules/{id}", get(pages::module))
        .route("/web/codes", get(pages::codes).post(forms::make_code))
        .route("/web/codes/{code}/revoke", post(forms::revoke_code))
        .route("/web/codes/{code}/sheet", get(pages::code_sheet))
        .route(
            "/web/packs",
            get(pages::packs)
                .post(forms::upload)
                .layer(DefaultBodyLimit::max(forms::MAX_UPLOAD_FORM_BYTES)),
        )
        .route("/web/packs/{hash}/offer", post(forms::offer))
        .route("/web/packs/{hash}/withdraw", post(forms::withdraw))
        .layer(axum::middleware::map_response(page_headers))
}

/// The headers every answer of the trainer's pages carries: no type sniffing, no referrer
/// (a sign-in link's secret never leaves in one), no framing, and a content policy that
/// allows the pages' own markup and inline styles and nothing else (they have no script).
async fn page_headers(mut response: axum::response::Response) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    let headers = response.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// A signed-in visitor: their session and its cookie secret.
pub struct Signed {
    session: WebSession,
    secret: String,
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let secret = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|pair| {
                let (name, value) = pair.trim().split_once('=')?;
                (name == COOKIE
                    && value.len() == 64
                    && value.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| value.to_owned())
            });
        let Some(secret) = secret else {
            return Err(Redirect::to("/web/signin").into_response());
        };
        match state.db.web_session(&secret).await {
            Ok(Some(session)) => Ok(Self { session, secret }),
            Ok(None) => Err(Redirect::to("/web/signin").into_response()),
            Err(e) => Err(failure(&e.to_string())),
        }
    }
}

#[allow(clippy::result_large_err)] // as in `pages`: an error page is a whole response
impl Signed {
    /// Refuses a form whose CSRF token is not the session's (compared in constant time).
    fn check_csrf(&self, sent: &str) -> Result<(), Response> {
        use subtle_eq::eq;
        if eq(sent.as_bytes(), self.session.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(page_message(
                StatusCode::FORBIDDEN,
                "The form has expired",
                "Go back, reload the page and send the form again.",
            ))
        }
    }

    /// What the session may see.
    fn scope(&self) -> Scope {
        self.session.grant.scope()
    }

    /// Refuses a group the session may not see (as if it did not exist).
    fn sees(&self, group: &str) -> Result<(), Response> {
        if self.scope().sees(group) {
            Ok(())
        } else {
            Err(not_found())
        }
    }
}

/// Constant-time equality of two byte strings (no early exit on the first difference).
mod subtle_eq {
    pub fn eq(a: &[u8], b: &[u8]) -> bool {
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// The cookie that opens a session; `secure` when the hub is reached over https.
fn session_cookie(secret: &str, secure: bool) -> HeaderValue {
    let value = format!(
        "{COOKIE}={secret}; Path=/web; HttpOnly; SameSite=Strict; Max-Age={}{}",
        SESSION_TTL.as_secs(),
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The cookie that ends one.
fn cleared_cookie() -> HeaderValue {
    HeaderValue::from_static("skillpack_session=; Path=/web; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// A rendered template as a page, or the failure to render it.
fn render(template: &impl askama::Template) -> Response {
    match template.render() {
        Ok(html) => html_page(StatusCode::OK, html),
        Err(e) => failure(&e.to_string()),
    }
}

/// An HTML page with the headers every page carries: no caching of learners' data, no
/// framing, no scripts from anywhere.
fn html_page(status: StatusCode, html: String) -> Response {
    (
        status,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::X_FRAME_OPTIONS, "DENY"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
            ),
        ],
        Html(html),
    )
        .into_response()
}

/// A short page that says one thing.
fn page_message(status: StatusCode, heading: &str, text: &str) -> Response {
    let page = views::Message {
        who: None,
        csrf: String::new(),
        heading: heading.to_owned(),
        text: text.to_owned(),
    };
    match askama::Template::render(&page) {
        Ok(html) => html_page(status, html),
        Err(_) => (status, text.to_owned()).into_response(),
    }
}

fn not_found() -> Response {
    page_message(
        StatusCode::NOT_FOUND,
        "Not found",
        "There is no such page, or it is not one you may see.",
    )
}

fn failure(why: &str) -> Response {
    tracing::error!(error = %why, "a web page failed");
    page_message(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "The hub could not show this page. Try again; if it goes on, tell the hub's operator.",
    )
}
