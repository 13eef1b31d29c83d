//! The trainer's web pages in a real headless Chromium (Debian's `chromium`, driven through
//! `chromedriver` over WebDriver), against a real hub and real devices on loopback: a visitor
//! who did not sign in sees no learner's data; a trainer signs in with a one-time link, makes
//! enrolment codes for two groups, uploads a pack and offers it to both; two devices (with
//! their learners' names) join, sync, take the assessment and sync again; the trainer sees
//! who passed which module, by name, and downloads the CSV and xAPI exports. A screenshot of
//! each page is kept in `$CARGO_TARGET_DIR/web-screenshots/` (or `target/`) as the test's
//! artefacts. Needs `chromium` and `chromium-driver` (`.ci/run` installs them).
#![allow(clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{assets, ok, skillpack, text, Hub};
use fantoccini::{Client, ClientBuilder, Locator};
use skillpack_core::authoring::load_modules;
use skillpack_core::testing::right_answers;

/// chromedriver on a free loopback port; stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed (apt-get install chromium chromium-driver)");
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Self { child, url }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where the screenshots go.
fn artefacts() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let dir = target.join("web-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn browser(driver: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1000"]
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a Chromium session")
}

async fn shot(browser: &Client, name: &str) {
    let png = browser.screenshot().await.unwrap();
    std::fs::write(artefacts().join(format!("{name}.png")), png).unwrap();
}

async fn body_text(browser: &Client) -> String {
    browser
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The text of the element `css` once it holds what `wanted` looks for (the page a form
/// led to may still be loading), within ten seconds.
async fn text_when(browser: &Client, css: &str, wanted: impl Fn(&str) -> bool) -> String {
    let started = Instant::now();
    loop {
        if let Ok(element) = browser.find(Locator::Css(css)).await {
            if let Ok(text) = element.text().await {
                if wanted(&text) {
                    return text;
                }
                assert!(started.elapsed() < Duration::from_secs(10), "{css}: {text}");
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{css} never came"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn fill(browser: &Client, css: &str, value: &str) {
    let field = browser.find(Locator::Css(css)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

async fn click(browser: &Client, css: &str) {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// A device of a named learner that joins with `code`, installs the group's pack, takes the
/// assessment (with `answers`) and sends the result.
fn learner_takes(d: &Path, store: &str, name: &str, url: &str, code: &str, answers: &str) {
    let public = assets().join("keys/demo-publisher.pub");
    ok(
        d,
        &[
            "device",
            "init",
            "--store",
            store,
            "--trust",
            public.to_str().unwrap(),
            "--name",
            name,
        ],
    );
    ok(
        d,
        &[
            "device", "register", "--store", store, "--hub", url, "--code", code,
        ],
    );
    let synced = ok(d, &["device", "sync", "--store", store]);
    assert!(synced.contains("mobile-money-scams"), "{synced}");
    ok(
        d,
        &[
            "device",
            "take",
            "--store",
            store,
            "mobile-money-scams",
            "--answers",
            answers,
        ],
    );
    ok(d, &["device", "sync", "--store", store]);
}

#[test]
fn a_trainer_signs_in_sets_up_two_groups_and_sees_who_passed_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let hub = Hub::start(d);
    let (url, db) = (hub.url.clone(), hub.db.clone());
    let key = assets().join("keys/demo-publisher.key");
    let public = assets().join("keys/demo-publisher.pub");
    let src = assets().join("modules/mobile-money-scams");
    ok(
        d,
        &[
            "build",
            src.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            "-o",
            "scams.skillpack",
        ],
    );
    ok(
        d,
        &[
            "hub",
            "add-publisher",
            "--db",
            &db,
            public.to_str().unwrap(),
        ],
    );
    let module = load_modules(&[src]).unwrap().remove(0).compiled.module;
    std::fs::write(
        d.join("right.json"),
        serde_json::to_vec(&right_answers(&module)).unwrap(),
    )
    .unwrap();
    std::fs::write(d.join("none.json"), "{}").unwrap();
    let link = ok(
        d,
        &[
            "hub",
            "signin",
            "--db",
            &db,
            "--hub-url",
            &url,
            "--name",
            "Wanjiru",
        ],
    )
    .trim()
    .to_owned();

    let driver = Driver::start();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let browser = browser(&driver).await;

        // A visitor who did not sign in is sent to how to sign in.
        browser
            .goto(&format!("{url}/web/groups/riders"))
            .await
            .unwrap();
        assert!(browser
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/web/signin"));
        let shown = body_text(&browser).await;
        assert!(
            shown.contains("Sign in") && !shown.contains("did:key"),
            "{shown}"
        );
        shot(&browser, "01-visitor").await;

        // The one-time link opens a page whose button signs in; a second use does not.
        browser.goto(&link).await.unwrap();
        click(&browser, "#sign-in").await;
        // The button's POST leads to the groups page, which may still be loading.
        text_when(&browser, "body", |t| t.contains("Wanjiru (operator)")).await;
        shot(&browser, "02-groups-empty").await;

        // Codes for two groups.
        let mut codes = Vec::new();
        for group in ["riders", "cleaners"] {
            browser.goto(&format!("{url}/web/codes")).await.unwrap();
            fill(&browser, "#group", group).await;
            fill(&browser, "#uses", "5").await;
            fill(&browser, "#days", "30").await;
            click(&browser, "#make-code").await;
            let table = text_when(&browser, "#codes", |t| t.contains(group)).await;
            let line = table
                .lines()
                .find(|l| l.contains(group))
                .unwrap()
                .to_owned();
            codes.push(line.split_whitespace().next().unwrap().to_owned());
        }
        shot(&browser, "03-codes").await;
        browser
            .find(Locator::LinkText(&codes[0]))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        assert!(
            browser.source().await.unwrap().contains("<svg"),
            "the code as a QR code"
        );
        shot(&browser, "04-code-sheet").await;

        // Upload the pack for riders, offer it to cleaners too.
        browser.goto(&format!("{url}/web/packs")).await.unwrap();
        let pack = d.join("scams.skillpack");
        browser
            .find(Locator::Css("#pack"))
            .await
            .unwrap()
            .send_keys(pack.to_str().unwrap())
            .await
            .unwrap();
        fill(&browser, "#upload-group", "riders").await;
        click(&browser, "#upload").await;
        text_when(&browser, "#packs", |t| t.contains("mobile-money-scams")).await;
        fill(&browser, ".offer-group", "cleaners").await;
        click(&browser, ".offer").await;
        let packs = text_when(&browser, "#packs", |t| t.contains("cleaners")).await;
        assert!(
            packs.contains("mobile-money-scams")
                && packs.contains("riders")
                && packs.contains("cleaners"),
            "{packs}"
        );
        shot(&browser, "05-packs").await;

        // Two learners, one in each group, sync from real devices.
        learner_takes(
            d,
            "achieng",
            "Achieng Otieno",
            &url,
            &codes[0],
            "right.json",
        );
        learner_takes(d, "baraka", "Baraka Mwangi", &url, &codes[1], "none.json");

        browser.goto(&format!("{url}/web/")).await.unwrap();
        shot(&browser, "06-groups").await;
        browser
            .goto(&format!("{url}/web/groups/riders"))
            .await
            .unwrap();
        let grid = text_when(&browser, "#grid", |t| t.contains("Achieng")).await;
        assert!(
            grid.contains("Achieng Otieno") && grid.contains("passed, attempt 1"),
            "{grid}"
        );
        shot(&browser, "07-group-riders").await;
        browser
            .goto(&format!("{url}/web/groups/cleaners"))
            .await
            .unwrap();
        let grid = text_when(&browser, "#grid", |t| t.contains("Baraka")).await;
        assert!(
            grid.contains("Baraka Mwangi") && grid.contains("not passed"),
            "{grid}"
        );
        shot(&browser, "08-group-cleaners").await;
        browser
            .find(Locator::LinkText("Baraka Mwangi"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        assert!(body_text(&browser).await.contains("not passed"));
        // The trainer labels the learner as they know them; the grid shows the label.
        fill(&browser, "#label", "Baraka M. (evening class)").await;
        click(&browser, "#save-label").await;
        text_when(&browser, "h1", |t| t.contains("evening class")).await;
        shot(&browser, "09-learner").await;
        browser
            .goto(&format!("{url}/web/groups/cleaners"))
            .await
            .unwrap();
        text_when(&browser, "#grid", |t| {
            t.contains("Baraka M. (evening class)")
        })
        .await;
        browser
            .goto(&format!("{url}/web/modules/mobile-money-scams"))
            .await
            .unwrap();
        assert!(body_text(&browser)
            .await
            .contains("2 attempts by 2 learners; 50% of attempts passed"));
        shot(&browser, "10-module").await;

        // The exports, with the session the browser holds.
        let cookie = browser.get_named_cookie("skillpack_session").await.unwrap();
        let http = reqwest::Client::new();
        let get = |path: String| {
            http.get(format!("{url}{path}"))
                .header("cookie", format!("skillpack_session={}", cookie.value()))
                .send()
        };
        let csv = get("/web/groups/riders/results.csv".into())
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            csv.contains("Achieng Otieno") && !csv.contains("Baraka"),
            "{csv}"
        );
        let xapi = get("/web/groups/cleaners/results.xapi".into())
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let statement: serde_json::Value =
            serde_json::from_str(xapi.lines().next().unwrap()).unwrap();
        assert_eq!(statement["actor"]["name"], "Baraka M. (evening class)");
        // A forged form (no CSRF token) changes nothing.
        let forged = http
            .post(format!("{url}/web/codes"))
            .header("cookie", format!("skillpack_session={}", cookie.value()))
            .form(&[
                ("csrf", "0"),
                ("group", "riders"),
                ("uses", "1"),
                ("days", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 403);

        // Signing out ends the session.
        click(&browser, "header button").await;
        browser
            .goto(&format!("{url}/web/groups/riders"))
            .await
            .unwrap();
        assert!(!body_text(&browser).await.contains("Achieng"));
        browser.close().await.unwrap();
    });
    let again = skillpack(d, &["hub", "codes", "--db", &db]);
    assert_eq!(
        text(&again).matches("uses left").count(),
        2,
        "{}",
        text(&again)
    );
    drop(hub);
}
