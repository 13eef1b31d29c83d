//! The web pages' sign-in over HTTP: a link works once, a mistyped or used one opens
//! nothing, the session cookie is HttpOnly and SameSite=Strict (and Secure behind https), a
//! visitor without it is sent to how to sign in, and a form without the session's token
//! changes nothing.

use std::time::Duration;

use reqwest::StatusCode;
use skillpack_hub::state::HubConfig;
use skillpack_hub::storage::{Scope, WebGrant};

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
        // Every answer of the pages: no sniffing, no referrer, no framing, no script.
        assert_eq!(visitor.headers()["x-content-type-options"], "nosniff");
        assert_eq!(visitor.headers()["referrer-policy"], "no-referrer");
        assert_eq!(visitor.headers()["x-frame-options"], "DENY");
        assert!(visitor.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'"));

        let url = link(&hub);
        // Opening the link (a link preview does) shows its page and spends nothing.
        for _ in 0..2 {
            let opened = http.get(&url).send().unwrap();
            assert_eq!(opened.status(), StatusCode::OK);
            assert!(opened.headers().get("set-cookie").is_none());
        }
        // Another site's form, by what the browser says of it, signs no one in.
        for (name, value) in [
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://elsewhere.example"),
        ] {
            let planted = http.post(&url).header(name, value).send().unwrap();
            assert_eq!(planted.status(), StatusCode::FORBIDDEN, "{name}");
            assert!(planted.headers().get("set-cookie").is_none());
        }
        let signed = http
            .post(&url)
            .header("sec-fetch-site", "same-origin")
            .send()
            .unwrap();
        assert_eq!(signed.status(), StatusCode::SEE_OTHER);
        let cookie = signed.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        assert_eq!(cookie.contains("Secure"), secure, "{cookie}");
        assert_eq!(
            http.post(&url).send().unwrap().status(),
            StatusCode::FORBIDDEN,
            "once"
        );
        let forged = format!("{}/web/signin/{}", hub.url, "0".repeat(64));
        assert_eq!(
            http.post(&forged).send().unwrap().status(),
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
        assert!(hub
            .run(hub.db.enrolment_codes(&Scope::Everything))
            .unwrap()
            .is_empty());
    }
}

/// The upload form's body, as a browser sends it (`multipart/form-data`): the token, the
/// group, then the pack.
fn upload_form(csrf: &str, group: &str, pack: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----skillpack-test-boundary";
    let mut body = Vec::new();
    for (name, value) in [("csrf", csrf), ("group", group)] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"pack\"; filename=\"p.skillpack\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(pack);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[test]
fn the_upload_form_bounds_its_text_fields() {
    let hub = TestHub::start();
    let trainer = hub.sign_in(WebGrant {
        operator: false,
        groups: vec!["riders".into()],
        label: "Wanjiru".into(),
    });
    let csrf = trainer.csrf("/web/packs");
    // A group's name of 2 MiB (a signed-in trainer's 1 GiB field once took the hub from
    // 746 MB to 2.8 GB): refused as it streams past 1 KiB.
    let long = "r".repeat(2 << 20);
    let (kind, body) = upload_form(&csrf, &long, b"");
    let refused = trainer.post_body("/web/packs", &kind, body);
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(refused.text().unwrap().contains("longer than it can be"));
}

#[test]
fn the_upload_form_refuses_an_unsound_pack_in_the_words_a_device_uses() {
    let hub = TestHub::start();
    let publisher = skillpack_core::testing::publisher_key();
    hub.run(
        hub.db
            .add_publisher(publisher.public_key(), "fixture".into()),
    )
    .unwrap();
    let trainer = hub.sign_in(WebGrant {
        operator: false,
        groups: vec!["riders".into()],
        label: "Wanjiru".into(),
    });
    let csrf = trainer.csrf("/web/packs");
    let upload = |pack: &[u8]| {
        let (kind, body) = upload_form(&csrf, "riders", pack);
        trainer.post_body("/web/packs", &kind, body)
    };
    let refused = upload(&super::distribution::unsound_pack());
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let page = refused.text().unwrap();
    let device_says = skillpack_core::pack::PackError::Unsound {
        module: "bike-check".into(),
        why: skillpack_core::module::UnsoundModule::PassMark(101),
    }
    .to_string();
    assert!(page.contains(&device_says), "{page}");
    assert!(hub.run(hub.db.stored_packs()).unwrap().is_empty());

    // The same form takes a sound pack.
    let taken = upload(&skillpack_core::testing::sample_pack());
    assert_eq!(taken.status(), StatusCode::SEE_OTHER);
    assert_eq!(hub.run(hub.db.stored_packs()).unwrap().len(), 1);
}
