//! Only a learner's own devices speak for them: a registration or a relay bundle must carry
//! the learner's signed binding of the device, a relay bundle brings the device's own signed
//! enrolment, and a device registered before bindings may not push until it registers again.
//! Each attack is refused with its own code.

use reqwest::StatusCode;
use skillpack_core::keys::SecretKey;
use skillpack_core::ledger::{DeviceBinding, Enrolment, RelayBundle};
use skillpack_core::protocol::{endpoint, ErrorResponse, PushRequest, RecordStatus};
use skillpack_core::testing::{record_chain, register_request};
use skillpack_hub::ingest::{bundle_refusal_code, import_relay, JoinRefusal};
use skillpack_hub::storage::{DeviceRetirement, Retired};

use super::TestHub;

fn key(seed: u8) -> SecretKey {
    SecretKey::from_seed(&[seed; 32])
}

fn did(key: &SecretKey) -> String {
    key.public_key().to_did_key()
}

fn code_of(response: reqwest::blocking::Response) -> (StatusCode, String) {
    let status = response.status();
    (status, response.json::<ErrorResponse>().unwrap().error.code)
}

fn enrol(hub: &TestHub) -> String {
    hub.run(hub.db.create_enrolment("riders", None, None))
        .unwrap()
}

fn push_status(
    hub: &TestHub,
    device: &SecretKey,
    learner: &SecretKey,
) -> reqwest::blocking::Response {
    let records = record_chain(device, &did(learner), 1);
    let body = serde_json::to_vec(&PushRequest {
        records,
        name: None,
        grants_after: None,
    })
    .unwrap();
    hub.signed_post(device, endpoint::RECORDS, body)
}

#[test]
fn a_device_cannot_register_for_a_learner_who_did_not_bind_it() {
    let hub = TestHub::start();
    let code = enrol(&hub);
    let (attacker_device, victim) = (key(1), key(2));

    // No binding at all: what any stranger with a code could send before.
    let mut request = register_request(&attacker_device, &victim, &code);
    request.binding = None;
    let response = hub.signed_post(
        &attacker_device,
        endpoint::DEVICES,
        serde_json::to_vec(&request).unwrap(),
    );
    assert_eq!(
        code_of(response),
        (StatusCode::FORBIDDEN, "bad_binding".into())
    );

    // A binding naming the victim, signed by the attacker's own key.
    let mut forged = DeviceBinding::sign(&attacker_device, &attacker_device.public_key()).unwrap();
    forged.learner = did(&victim);
    request.binding = Some(forged);
    let response = hub.signed_post(
        &attacker_device,
        endpoint::DEVICES,
        serde_json::to_vec(&request).unwrap(),
    );
    assert_eq!(
        code_of(response),
        (StatusCode::FORBIDDEN, "bad_binding".into())
    );

    // The victim's genuine binding of the victim's own phone, replayed by another device.
    let victim_phone = key(3);
    request.binding = Some(DeviceBinding::sign(&victim, &victim_phone.public_key()).unwrap());
    let response = hub.signed_post(
        &attacker_device,
        endpoint::DEVICES,
        serde_json::to_vec(&request).unwrap(),
    );
    assert_eq!(
        code_of(response),
        (StatusCode::FORBIDDEN, "bad_binding".into())
    );

    // Nothing was registered, so nothing can be pushed in the victim's name.
    let response = push_status(&hub, &attacker_device, &victim);
    assert_eq!(
        code_of(response),
        (StatusCode::FORBIDDEN, "unknown_device".into())
    );

    // The victim's own phone, bound by the victim, registers and pushes.
    let response = hub.signed_post(
        &victim_phone,
        endpoint::DEVICES,
        serde_json::to_vec(&register_request(&victim_phone, &victim, &code)).unwrap(),
    );
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        push_status(&hub, &victim_phone, &victim).status(),
        StatusCode::OK
    );
}

#[test]
fn a_device_registered_before_bindings_pushes_only_after_registering_again() {
    let hub = TestHub::start();
    let code = enrol(&hub);
    let (device, learner) = (key(11), key(12));
    let register = || {
        hub.signed_post(
            &device,
            endpoint::DEVICES,
            serde_json::to_vec(&register_request(&device, &learner, &code)).unwrap(),
        )
    };
    assert_eq!(register().status(), StatusCode::CREATED);
    // As an older hub stored it: no binding.
    hub.sql("UPDATE devices SET binding = NULL");
    let response = push_status(&hub, &device, &learner);
    assert_eq!(
        code_of(response),
        (StatusCode::FORBIDDEN, "unbound_device".into())
    );
    assert_eq!(register().status(), StatusCode::CREATED);
    assert_eq!(
        push_status(&hub, &device, &learner).status(),
        StatusCode::OK
    );
}

#[test]
fn a_device_bound_to_one_learner_cannot_take_another() {
    let hub = TestHub::start();
    let code = enrol(&hub);
    let (device, first, second) = (key(21), key(22), key(23));
    for (learner, expected) in [
        (&first, StatusCode::CREATED),
        (&second, StatusCode::CONFLICT),
    ] {
        let response = hub.signed_post(
            &device,
            endpoint::DEVICES,
            serde_json::to_vec(&register_request(&device, learner, &code)).unwrap(),
        );
        assert_eq!(response.status(), expected);
        if expected == StatusCode::CONFLICT {
            assert_eq!(code_of(response).1, "other_learner");
        }
    }
}

/// A genuine bundle: `device` bound by `learner`, enrolled with `code` (if any).
fn bundle(device: &SecretKey, learner: &SecretKey, code: Option<&str>, n: u64) -> RelayBundle {
    RelayBundle::new(
        DeviceBinding::sign(learner, &device.public_key()).unwrap(),
        code.map(|c| Enrolment::sign(device, &did(learner), c).unwrap()),
        record_chain(device, &did(learner), n),
    )
}

fn refusal(hub: &TestHub, bundle: RelayBundle) -> JoinRefusal {
    hub.run(import_relay(&hub.db, bundle))
        .unwrap()
        .expect_err("refused")
}

#[test]
fn a_relay_bundle_joins_its_device_as_a_registration_would() {
    let hub = TestHub::start();
    let code = hub
        .run(hub.db.create_enrolment("village", Some(1), None))
        .unwrap();
    let (device, learner) = (key(31), key(32));
    let good = bundle(&device, &learner, Some(&code), 3);
    for expected in [RecordStatus::Accepted, RecordStatus::Duplicate] {
        let results = hub
            .run(import_relay(&hub.db, good.clone()))
            .unwrap()
            .unwrap();
        assert!(results.iter().all(|r| r.status == expected), "{results:?}");
    }
    assert_eq!(hub.run(hub.db.record_count()).unwrap(), 3);
    let known = hub
        .run(hub.db.device(device.public_key()))
        .unwrap()
        .unwrap();
    assert_eq!((known.group.as_str(), known.bound), ("village", true));

    // The code had one use, and the device above took it.
    let other = bundle(&key(33), &key(34), Some(&code), 1);
    assert_eq!(refusal(&hub, other).code(), "bad_enrolment_code");
}

#[test]
fn a_carrier_cannot_invent_a_device_a_learner_or_a_group() {
    let hub = TestHub::start();
    let code = enrol(&hub);
    let (device, learner, victim) = (key(41), key(42), key(43));

    // A device the hub never saw, with no enrolment: the importer cannot vouch for it.
    let refused = refusal(&hub, bundle(&device, &learner, None, 1));
    assert_eq!(refused.code(), "unknown_device");

    // Records in the victim's name, with a binding the victim never signed.
    let mut forged = bundle(&device, &learner, Some(&code), 1);
    forged.learner = did(&victim);
    forged.binding.learner = did(&victim);
    forged.records = record_chain(&device, &did(&victim), 1);
    forged.enrolment = Some(Enrolment::sign(&device, &did(&victim), &code).unwrap());
    assert_eq!(refusal(&hub, forged.clone()).code(), "bad_binding");
    let bytes = serde_json::to_vec(&forged).unwrap();
    let parsed = RelayBundle::parse(&bytes).expect_err("refused on reading too");
    assert_eq!(bundle_refusal_code(&parsed), "bad_binding");

    // A genuine bundle moved to another code (another group) by the carrier.
    let other_code = hub
        .run(hub.db.create_enrolment("elsewhere", None, None))
        .unwrap();
    let mut moved = bundle(&device, &learner, Some(&code), 1);
    moved.enrolment.as_mut().unwrap().code = other_code;
    assert_eq!(refusal(&hub, moved).code(), "bad_enrolment");

    // A made-up code, signed by the device itself, finds no group.
    let invented = bundle(&device, &learner, Some("NOT-A-CODE"), 1);
    assert_eq!(refusal(&hub, invented).code(), "bad_enrolment_code");

    assert_eq!(hub.run(hub.db.record_count()).unwrap(), 0);
    assert!(hub
        .run(hub.db.device(device.public_key()))
        .unwrap()
        .is_none());
}

#[test]
fn a_bundle_from_a_device_that_is_not_a_key_is_refused() {
    let hub = TestHub::start();
    let mut bad = bundle(&key(51), &key(52), None, 1);
    bad.device = "did:key:zNotAKey".into();
    assert_eq!(refusal(&hub, bad).code(), "bad_device");
}

/// A lost phone, retired by the operator with a reason (audited): its pushes, a registration
/// with a fresh code and a relay bundle it made are all refused with `device_retired`; what
/// it sent before stays, and the learner's other phone goes on.
#[test]
fn a_retired_device_is_refused_everywhere_and_its_records_stay() {
    let hub = TestHub::start();
    let code = enrol(&hub);
    let (lost, learner, new_phone) = (key(41), key(42), key(43));
    for device in [&lost, &new_phone] {
        let registered = hub.signed_post(
            device,
            endpoint::DEVICES,
            serde_json::to_vec(&register_request(device, &learner, &code)).unwrap(),
        );
        assert_eq!(registered.status(), StatusCode::CREATED);
    }
    assert_eq!(push_status(&hub, &lost, &learner).status(), StatusCode::OK);
    let held = hub.run(hub.db.record_count()).unwrap();
    let retire = |device: &SecretKey| {
        hub.run(hub.db.retire_device(DeviceRetirement {
            device: device.public_key(),
            reason: "phone stolen at the stage".into(),
            by: "Wanjiru".into(),
        }))
        .unwrap()
    };
    assert_eq!(retire(&lost), Retired::Now(did(&learner)));
    assert_eq!(retire(&lost), Retired::Already);
    assert_eq!(retire(&key(49)), Retired::Unknown);
    let audit = hub.run(hub.db.audit()).unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.action == "retire_device" && a.actor == "Wanjiru")
            .count(),
        1
    );

    let refused = push_status(&hub, &lost, &learner);
    let body = refused.text().unwrap();
    assert!(
        body.contains("device_retired") && body.contains("phone stolen"),
        "{body}"
    );
    let fresh_code = enrol(&hub);
    let again = hub.signed_post(
        &lost,
        endpoint::DEVICES,
        serde_json::to_vec(&register_request(&lost, &learner, &fresh_code)).unwrap(),
    );
    assert_eq!(
        code_of(again),
        (StatusCode::FORBIDDEN, "device_retired".into())
    );
    assert!(matches!(
        refusal(&hub, bundle(&lost, &learner, Some(&fresh_code), 2)),
        JoinRefusal::Retired(_)
    ));
    assert_eq!(
        hub.run(hub.db.record_count()).unwrap(),
        held,
        "the records it sent before stay, and nothing more is taken"
    );
    assert_eq!(
        push_status(&hub, &new_phone, &learner).status(),
        StatusCode::OK,
        "the learner's other phone goes on"
    );
    // Both phones made "attempt 1" at the module (used offline at once): the second one in is
    // flagged for the trainer.
    let flags = hub
        .run(
            hub.db
                .flags(&skillpack_hub::storage::Scope::Everything, None),
        )
        .unwrap();
    let reused: Vec<_> = flags.iter().filter(|f| f.kind == "attempt").collect();
    assert_eq!(reused.len(), 1, "{flags:?}");
    assert!(
        reused[0]
            .detail
            .contains("attempt 1 at bike-check was also made on another device"),
        "{reused:?}"
    );
}

/// A trainer retires a learner's lost phone from the learner's web page, with a reason: the
/// page says so, the audit trail names the trainer, and the phone's pushes are refused. A
/// trainer of another group, or a device of another learner, cannot be retired so.
#[test]
fn a_trainer_retires_a_lost_phone_from_the_learners_page() {
    use skillpack_hub::storage::WebGrant;

    let hub = TestHub::start();
    let code = enrol(&hub);
    let (lost, learner, other_device, other_learner) = (key(51), key(52), key(53), key(54));
    for (device, who) in [(&lost, &learner), (&other_device, &other_learner)] {
        let registered = hub.signed_post(
            device,
            endpoint::DEVICES,
            serde_json::to_vec(&register_request(device, who, &code)).unwrap(),
        );
        assert_eq!(registered.status(), StatusCode::CREATED);
    }
    assert_eq!(push_status(&hub, &lost, &learner).status(), StatusCode::OK);
    let page = format!("/web/learners/{}", did(&learner));
    let hex = |k: &SecretKey| skillpack_core::hex::encode(&k.public_key().to_bytes());
    let stranger = hub.sign_in(WebGrant {
        operator: false,
        groups: vec!["cleaners".into()],
        label: "Otieno".into(),
    });
    let trainer = hub.sign_in(WebGrant {
        operator: false,
        groups: vec!["riders".into()],
        label: "Wanjiru".into(),
    });
    let csrf = trainer.csrf(&page);
    let retire = |who: &super::support::WebVisit, csrf: &str, device: &str| {
        who.post_form(
            &format!("{page}/devices/retire"),
            &[
                ("csrf", csrf),
                ("device", device),
                ("reason", "stolen at the stage"),
            ],
        )
        .status()
    };
    assert_eq!(
        retire(&stranger, &stranger.csrf("/web/codes"), &hex(&lost)),
        StatusCode::NOT_FOUND,
        "not a learner the stranger sees"
    );
    assert_eq!(
        retire(&trainer, &csrf, &hex(&other_device)),
        StatusCode::NOT_FOUND,
        "another learner's device"
    );
    assert_eq!(push_status(&hub, &lost, &learner).status(), StatusCode::OK);
    assert_eq!(retire(&trainer, &csrf, &hex(&lost)), StatusCode::SEE_OTHER);
    let shown = trainer.page(&page);
    assert!(
        shown.contains("retired") && shown.contains("stolen at the stage"),
        "{shown}"
    );
    let audit = hub.run(hub.db.audit()).unwrap();
    assert!(audit
        .iter()
        .any(|a| a.action == "retire_device" && a.actor == "Wanjiru"));
    assert_eq!(
        code_of(push_status(&hub, &lost, &learner)),
        (StatusCode::FORBIDDEN, "device_retired".into())
    );
}
