//! A platform's hub account issues work records to its workers' devices at sync: the
//! platform is a provider on the hub (its issuer key endorsed by its own key), the operator
//! issues from the platform's export, and the worker's phone takes the record and the review
//! at its next sync, as work records in its portfolio. The same export again issues nothing
//! twice.

use serde_json::Value;

use super::{ok, skillpack, text, Hub};

#[test]
fn a_platforms_hub_account_issues_work_records_its_workers_devices_take_at_sync() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let hub = Hub::start(d);
    let (url, db) = (hub.url.clone(), hub.db.clone());
    ok(d, &["keys", "new", "--out", "platform"]);
    std::fs::write(
        d.join("platform.toml"),
        "name = \"Haraka Deliveries\"\ncountry_code = \"KE\"\ncountry = \"Kenya\"\n",
    )
    .unwrap();
    ok(d, &["hub", "add-publisher", "--db", &db, "platform.pub"]);
    let records_csv = |worker: &str| {
        format!(
            "worker,occupation,occupation_name,start,end,tasks,rating,rating_min,rating_max\n\
             {worker},http://data.europa.eu/esco/occupation/e9c8a1f1-0b6d-4ae1-9f6b-6c3a4d1f2b7e,\
             Food delivery rider,2026-01-01,2026-06-30,1250,4.8,1,5\n"
        )
    };
    ok(
        d,
        &[
            "device",
            "init",
            "--store",
            "phone",
            "--trust",
            "platform.pub",
        ],
    );
    let code = ok(d, &["hub", "enrol", "--db", &db, "--group", "riders"])
        .trim()
        .to_owned();
    ok(
        d,
        &[
            "device", "register", "--store", "phone", "--hub", &url, "--code", &code,
        ],
    );
    let view: Value = serde_json::from_str(&ok(
        d,
        &["device", "portfolio", "--store", "phone", "--json"],
    ))
    .unwrap();
    assert!(view["issuers"].as_array().unwrap().is_empty());
    let learner = learner_of(d);
    std::fs::write(d.join("records.csv"), records_csv(&learner)).unwrap();
    std::fs::write(
        d.join("reviews.csv"),
        format!(
            "worker,date,text,rating\n{learner},2026-03-04,\"Came early, food still hot.\",5\n"
        ),
    )
    .unwrap();
    let issue = || {
        skillpack(
            d,
            &[
                "hub",
                "work-records",
                "--db",
                &db,
                "--publisher",
                "platform.pub",
                "--records",
                "records.csv",
                "--reviews",
                "reviews.csv",
            ],
        )
    };
    // No issuer yet: refused, with what to do.
    let refused = issue();
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("skillpack hub issuer"),
        "{}",
        text(&refused)
    );
    let set_up = ok(
        d,
        &[
            "hub",
            "issuer",
            "--db",
            &db,
            "--publisher",
            "platform.pub",
            "--issuer",
            "platform.toml",
            "--hub-url",
            &url,
        ],
    );
    let issuer_did = set_up
        .lines()
        .find_map(|l| l.trim().strip_prefix("issuer key:"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_owned();
    ok(
        d,
        &[
            "issuer",
            "endorse",
            "--key",
            "platform.key",
            "--issuer",
            &issuer_did,
            "-o",
            "endorsement.json",
        ],
    );
    ok(
        d,
        &[
            "hub",
            "issuer",
            "--db",
            &db,
            "--endorsement",
            "endorsement.json",
        ],
    );
    let issued = issue();
    assert!(issued.status.success(), "{}", text(&issued));
    assert!(
        text(&issued).contains("issued 2 credential(s)"),
        "{}",
        text(&issued)
    );
    let again = issue();
    assert!(
        text(&again).contains("issued 0 credential(s) (2 held already)"),
        "{}",
        text(&again)
    );

    let synced = ok(d, &["device", "sync", "--store", "phone"]);
    assert!(synced.contains("2 new credentials"), "{synced}");
    let view: Value = serde_json::from_str(&ok(
        d,
        &["device", "portfolio", "--store", "phone", "--json"],
    ))
    .unwrap();
    let group = &view["issuers"][0];
    assert_eq!(group["issuerName"], "Haraka Deliveries");
    assert_eq!(
        group["trusted"], true,
        "endorsed by the platform, whose key the phone trusts"
    );
    let mut kinds: Vec<&str> = group["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["client-review", "work-record"]);
}

/// The learner's did:key of the device in `d/phone`.
fn learner_of(d: &std::path::Path) -> String {
    let shown = ok(d, &["device", "identity", "show", "--store", "phone"]);
    shown
        .split_whitespace()
        .find(|w| w.starts_with("did:key:"))
        .unwrap()
        .to_owned()
}
