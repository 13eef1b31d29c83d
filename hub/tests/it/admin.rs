//! The operator's view over HTTP: only an operator's signed requests see learners, results
//! (JSON, CSV, xAPI) and flags.

use reqwest::StatusCode;
use skillpack_core::keys::SecretKey;
use skillpack_core::protocol::{endpoint, PushRequest};
use skillpack_core::testing::{record_chain, register_request};

use super::TestHub;

#[test]
fn an_operator_reads_learners_results_and_flags_and_no_one_else_does() {
    let operator = SecretKey::from_seed(&[50; 32]);
    let hub = TestHub::start_with(skillpack_hub::state::HubConfig {
        operators: vec![operator.public_key()],
        public_url: Some("https://hub.riders.example/".into()),
        ..Default::default()
    });
    let code = hub
        .run(hub.db.create_enrolment("riders", None, None))
        .unwrap();
    let device = SecretKey::from_seed(&[51; 32]);
    let learner_key = SecretKey::from_seed(&[52; 32]);
    let learner = learner_key.public_key().to_did_key();
    let register = serde_json::to_vec(&register_request(&device, &learner_key, &code)).unwrap();
    assert!(hub
        .signed_post(&device, endpoint::DEVICES, register)
        .status()
        .is_success());
    let chain = record_chain(&device, &learner, 3);
    let body = serde_json::to_vec(&PushRequest {
        records: vec![chain[0].clone(), chain[2].clone()],
        name: None,
        grants_after: None,
    })
    .unwrap();
    assert!(hub
        .signed_post(&device, endpoint::RECORDS, body)
        .status()
        .is_success());

    let learners: serde_json::Value = hub
        .signed_get(&operator, endpoint::ADMIN_LEARNERS)
        .json()
        .unwrap();
    assert_eq!(learners[0]["learner"], learner.as_str());
    assert_eq!(learners[0]["records"], 2);
    hub.run(hub.db.create_enrolment("cleaners", Some(0), None))
        .unwrap();
    let groups: serde_json::Value = hub
        .signed_get(&operator, endpoint::ADMIN_GROUPS)
        .json()
        .unwrap();
    assert_eq!(
        groups,
        serde_json::json!([
            {"group": "cleaners", "packs": 0, "devices": 0, "records": 0, "open_codes": 0},
            {"group": "riders", "packs": 0, "devices": 1, "records": 2, "open_codes": 1},
        ])
    );
    let results: serde_json::Value = hub
        .signed_get(
            &operator,
            &format!("{}?group=riders", endpoint::ADMIN_RESULTS),
        )
        .json()
        .unwrap();
    assert_eq!(results.as_array().unwrap().len(), 2);
    let csv = hub
        .signed_get(
            &operator,
            &format!("{}?format=csv", endpoint::ADMIN_RESULTS),
        )
        .text()
        .unwrap();
    assert_eq!(csv.lines().count(), 3);
    let xapi = hub
        .signed_get(
            &operator,
            &format!(
                "{}?format=xapi&home_page=https://hub.example.org",
                endpoint::ADMIN_RESULTS
            ),
        )
        .text()
        .unwrap();
    let first: serde_json::Value = serde_json::from_str(xapi.lines().next().unwrap()).unwrap();
    assert_eq!(
        first["actor"]["account"]["homePage"],
        "https://hub.example.org"
    );
    // As one array, as an LRS takes them; the accounts' home page is the hub's public URL
    // when none is asked for, so every export names the learner alike.
    let array: serde_json::Value = hub
        .signed_get(
            &operator,
            &format!("{}?format=xapi-array", endpoint::ADMIN_RESULTS),
        )
        .json()
        .unwrap();
    let statements = array.as_array().expect("an array");
    assert_eq!(statements.len(), xapi.lines().count());
    assert!(statements
        .iter()
        .all(|s| s["actor"]["account"]["homePage"] == "https://hub.riders.example/"));
    let flags: serde_json::Value = hub
        .signed_get(&operator, endpoint::ADMIN_FLAGS)
        .json()
        .unwrap();
    assert_eq!(flags[0]["kind"], "gap");

    assert_eq!(
        hub.signed_get(&device, endpoint::ADMIN_LEARNERS).status(),
        StatusCode::FORBIDDEN,
        "a device is no operator"
    );
    let unsigned =
        reqwest::blocking::get(format!("{}{}", hub.url, endpoint::ADMIN_RESULTS)).unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        hub.signed_get(
            &operator,
            &format!("{}?format=pdf", endpoint::ADMIN_RESULTS)
        )
        .status(),
        StatusCode::BAD_REQUEST
    );
}

#[test]
fn a_results_csv_cannot_carry_a_formula_into_the_operators_spreadsheet() {
    let operator = SecretKey::from_seed(&[60; 32]);
    let hub = TestHub::start_with(skillpack_hub::state::HubConfig {
        operators: vec![operator.public_key()],
        ..Default::default()
    });
    let code = hub
        .run(hub.db.create_enrolment("riders", None, None))
        .unwrap();
    let device = SecretKey::from_seed(&[61; 32]);
    let learner_key = SecretKey::from_seed(&[62; 32]);
    let learner = learner_key.public_key().to_did_key();
    let register = serde_json::to_vec(&register_request(&device, &learner_key, &code)).unwrap();
    assert!(hub
        .signed_post(&device, endpoint::DEVICES, register)
        .status()
        .is_success());
    // The device signs whatever it likes into the fields it writes.
    let mut record = record_chain(&device, &learner, 1)[0].record.clone();
    record.module = "=HYPERLINK(\"http://evil.example\",\"open\")".into();
    record.started_at = " @SUM(1+1)".into();
    let body = serde_json::to_vec(&PushRequest {
        records: vec![record.sign(&device).unwrap()],
        name: None,
        grants_after: None,
    })
    .unwrap();
    let pushed: serde_json::Value = hub
        .signed_post(&device, endpoint::RECORDS, body)
        .json()
        .unwrap();
    assert_eq!(pushed["results"][0]["status"], "accepted", "{pushed}");
    let csv = hub
        .signed_get(
            &operator,
            &format!("{}?format=csv", endpoint::ADMIN_RESULTS),
        )
        .text()
        .unwrap();
    let row = csv.lines().nth(1).unwrap();
    assert!(
        row.contains(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"open\"\")\","),
        "{row}"
    );
    assert!(row.contains(",' @SUM(1+1),"), "{row}");
    for cell in row.split(',') {
        let lead = cell.trim_start_matches([' ', '"']);
        assert!(!lead.starts_with(['=', '+', '@']), "{cell} in {row}");
    }
}
