//! The web pages' sign-in over HTTP: a link works once, a mistyped or used one opens
//! nothing, the session cookie is HttpOnly and SameSite=Strict (and Secure behind https), a
//! visitor without it is sent to how to sign in, and a form without the session's token
//! changes nothing.

use std::time::Duration;

use reqwest::StatusCode;
use skillpack_hub::routes::HubConfig;
use skillpack_hub::storage::WebGrant;

use super::TestHub;

fn no_redirects() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn link(hub: &TestHub) -> String {
    let grant = WebGrant {
        operator: false,
        groups: vec!["riders".into()],
        label: "Wanjiru".into(),
    };
    let token = hub
        .run(hub.db.create_web_link(grant, Duration::from_secs(60)))
        .unwrap();
    format!("{}/web/signin/{token}", hub.url)
}

#[test]
fn a_link_signs_in_once_and_its_cookie_is_held_tight() {
    for secure in [false, true] {
        let hub = TestHub::start_with(HubConfig {
            secure_cookies: secure,
            ..HubConfig::default()
        });
        let http = no_redirects();
        let visitor = http
            .get(format!("{}/web/groups/riders", hub.url))
            .send()
            .unwrap();
        assert_eq!(visitor.status(), StatusCode::SEE_OTHER);
        assert_eq!(visitor.headers()["location"], "/web/signin");

        let url = link(&hub);
        let signed = http.get(&url).send().unwrap();
        assert_eq!(signed.status(), StatusCode::SEE_OTHER);
        let cookie = signed.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        assert_eq!(cookie.contains("Secure"), secure, "{cookie}");
        assert_eq!(
            http.get(&url).send().unwrap().status(),
            StatusCode::FORBIDDEN,
            "once"
        );
        let forged = format!("{}/web/signin/{}", hub.url, "0".repeat(64));
        assert_eq!(
            http.get(&forged).send().unwrap().status(),
            StatusCode::FORBIDDEN
        );

        // A trainer of riders sees riders, not cleaners; a form without the token is refused.
        let session = cookie.split(';').next().unwrap().to_owned();
        let page = |path: &str| {
            http.get(format!("{}{path}", hub.url))
                .header("cookie", &session)
                .send()
                .unwrap()
        };
        assert_eq!(page("/web/groups/riders").status(), StatusCode::OK);
        assert_eq!(page("/web/groups/cleaners").status(), StatusCode::NOT_FOUND);
        let forged_form = http
            .post(format!("{}/web/codes", hub.url))
            .header("cookie", &session)
            .form(&[("csrf", "nope"), ("group", "riders")])
            .send()
            .unwrap();
        assert_eq!(forged_form.status(), StatusCode::FORBIDDEN);
        assert!(hub.run(hub.db.enrolment_codes()).unwrap().is_empty());
    }
}
