//! Records sign, verify and chain; every kind of edit, gap and fork is caught.

use super::*;
use crate::assess::Answer;
use crate::hash::ContentHash;
use crate::keys::SecretKey;

fn device() -> SecretKey {
    SecretKey::from_seed(&[3; 32])
}

fn record(seq: u64, prev: Option<ContentHash>, key: &SecretKey) -> ResultRecord {
    let responses = vec![
        Response {
            question: "tf".into(),
            answer: Some(Answer::TrueFalse(true)),
            score: 1000,
        },
        Response {
            question: "num".into(),
            answer: Some(Answer::Numeric(2.5)),
            score: 0,
        },
        Response {
            question: "skip".into(),
            answer: None,
            score: 0,
        },
    ];
    ResultRecord {
        id: record_id(1_700_000_000_000 + seq, [seq as u8; 10]),
        seq,
        prev,
        learner: "did:key:z6MkLearner".into(),
        device: key.public_key().to_did_key(),
        pack: PackRef {
            id: "safe-riding".into(),
            version: "1.0.0".into(),
            hash: ContentHash::of(b"pack"),
        },
        module: "safe-riding".into(),
        module_version: "1.0.0".into(),
        attempt: seq as u32,
        started_at: "2026-11-22T08:00:00.000Z".into(),
        ended_at: "2026-11-22T08:09:30.250Z".into(),
        duration_ms: 570_250,
        score: 1000,
        max_score: 3000,
        passed: false,
        responses_digest: responses_digest(&responses).expect("digest"),
        responses,
        attestations: vec![],
    }
}

fn chain(n: u64, key: &SecretKey) -> Vec<SignedRecord> {
    let mut out: Vec<SignedRecord> = Vec::new();
    for seq in 1..=n {
        let prev = out.last().map(|r| r.hash().expect("hash"));
        out.push(record(seq, prev, key).sign(key).expect("signs"));
    }
    out
}

#[test]
fn a_signed_record_verifies_and_survives_a_json_round_trip() {
    let signed = record(1, None, &device()).sign(&device()).expect("signs");
    signed.verify().expect("verifies");
    let json = signed.to_canonical_json().expect("encodes");
    let back: SignedRecord = serde_json::from_slice(&json).expect("parses");
    back.verify().expect("still verifies");
    assert_eq!(back.hash().expect("hash"), signed.hash().expect("hash"));
}

#[test]
fn any_edit_breaks_the_signature() {
    let signed = record(1, None, &device()).sign(&device()).expect("signs");
    let edits: [fn(&mut ResultRecord); 5] = [
        |r| r.score = 3000,
        |r| r.passed = true,
        |r| r.ended_at = "2026-11-22T08:09:30.251Z".into(),
        |r| r.learner.push('x'),
        |r| r.attempt += 1,
    ];
    for edit in edits {
        let mut bad = signed.clone();
        edit(&mut bad.record);
        assert_eq!(bad.verify(), Err(LedgerError::BadSignature { seq: 1 }));
    }
    let mut bad = signed.clone();
    bad.record.responses[0].score = 0;
    assert_eq!(bad.verify(), Err(LedgerError::BadDigest { seq: 1 }));
    let mut bad = signed;
    bad.signature = "00".repeat(64);
    assert_eq!(bad.verify(), Err(LedgerError::BadSignature { seq: 1 }));
}

#[test]
fn a_chain_verifies_and_every_break_is_named() {
    let key = device();
    let good = chain(4, &key);
    verify_chain(&good).expect("intact");

    let mut gap = good.clone();
    gap.remove(1);
    assert_eq!(
        verify_chain(&gap),
        Err(LedgerError::Gap {
            expected: 2,
            found: 3
        })
    );

    // A record re-signed after an edit verifies alone, but no longer links to the next.
    let mut edited = good.clone();
    let mut r = edited[1].record.clone();
    r.score = 3000;
    edited[1] = r.sign(&key).expect("re-signs");
    assert_eq!(
        verify_chain(&edited),
        Err(LedgerError::BrokenLink { seq: 3 })
    );

    let other = SecretKey::from_seed(&[4; 32]);
    let mut forked = good.clone();
    let prev = forked[2].hash().expect("hash");
    forked[3] = record(4, Some(prev), &other).sign(&other).expect("signs");
    assert_eq!(
        verify_chain(&forked),
        Err(LedgerError::OtherDevice { seq: 4 })
    );

    let first_with_prev = vec![record(1, Some(ContentHash::of(b"x")), &key)
        .sign(&key)
        .expect("signs")];
    assert_eq!(
        verify_chain(&first_with_prev),
        Err(LedgerError::BrokenLink { seq: 1 })
    );
}

#[test]
fn record_ids_are_uuid_v7_in_time_order() {
    let a = record_id(1_700_000_000_000, [0; 10]);
    let b = record_id(1_700_000_000_001, [0; 10]);
    assert_eq!(a.len(), 36);
    assert_eq!(&a[14..15], "7", "version 7");
    assert!(a < b);
}

#[test]
fn record_times_are_rfc3339_milliseconds_utc() {
    let t = chrono::DateTime::from_timestamp(1_700_000_000, 123_456_789).expect("time");
    assert_eq!(record_time(t), "2023-11-14T22:13:20.123Z");
}

#[test]
fn verify_many_agrees_with_one_by_one_and_names_the_bad_ones() {
    let key = device();
    let mut records = chain(6, &key);
    assert!(verify_many(&records).iter().all(Result::is_ok));
    records[2].record.score = 0;
    records[4].record.responses[0].score = 7;
    let results = verify_many(&records);
    assert_eq!(results[2], Err(LedgerError::BadSignature { seq: 3 }));
    assert_eq!(results[4], Err(LedgerError::BadDigest { seq: 5 }));
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 4);
}

#[test]
fn verify_many_gives_the_same_bytes_and_hash_as_encoding_each_record() {
    let (one, two) = (device(), SecretKey::from_seed(&[9; 32]));
    let mut records = chain(3, &one);
    records.extend(chain(2, &two));
    // Characters that JSON must escape, in a field the device signs.
    let mut odd = record(9, None, &two);
    odd.module_version = "1.0 \"quoted\"\n\u{1}é".to_owned();
    records.push(odd.sign(&two).expect("signs"));
    let mut unknown = record(1, None, &one);
    unknown.device = "did:key:zNotAKey".to_owned();
    records.push(unknown.sign(&one).expect("signs"));
    let results = verify_many(&records);
    for (signed, result) in records.iter().zip(&results).take(6) {
        let verified = result.as_ref().expect("verifies");
        assert_eq!(
            verified.canonical,
            signed.to_canonical_json().expect("encodes")
        );
        assert_eq!(verified.hash, signed.hash().expect("hashes"));
    }
    assert_eq!(results[6], Err(LedgerError::BadDeviceKey { seq: 1 }));
}

#[test]
fn an_xapi_statement_names_learner_verb_module_and_score() {
    let signed = record(1, None, &device()).sign(&device()).expect("signs");
    let context = XapiContext {
        home_page: "https://hub.example.org",
        name: None,
        received_at: Some("2026-11-22T09:00:00.000Z"),
        publisher: "did:key:z6MkPublisher",
        module: None,
    };
    let s = xapi_statements(&signed.record, &context).remove(0);
    assert_eq!(s["actor"]["account"]["name"], "did:key:z6MkLearner");
    assert_eq!(s["verb"]["id"], "http://adlnet.gov/expapi/verbs/failed");
    assert_eq!(
        s["object"]["id"],
        "urn:skillpack:module:z6MkPublisher:safe-riding"
    );
    assert_eq!(s["result"]["score"]["raw"], 1.0);
    assert_eq!(s["result"]["score"]["max"], 3.0);
    assert_eq!(s["result"]["duration"], "PT9M30.25S");
    assert!(s.get("stored").is_none(), "the LRS sets stored");
    assert_eq!(s["id"], signed.record.id);
}

// Chain rules for records that arrive out of order (`chain`) and admission (`admit`).

fn verified(records: Vec<SignedRecord>) -> Vec<VerifiedRecord> {
    records
        .into_iter()
        .map(|r| VerifiedRecord::verify(r).expect("verifies"))
        .collect()
}

fn stored(r: &VerifiedRecord) -> StoredLink {
    StoredLink {
        seq: r.signed.record.seq,
        hash: r.hash,
        prev: r.signed.record.prev,
    }
}

fn notes(plan: &[Planned<'_>]) -> Vec<Option<String>> {
    plan.iter()
        .map(|p| match &p.decision {
            Decision::Store(flags) => flag_note(flags),
            other => Some(format!("{other:?}")),
        })
        .collect()
}

#[test]
fn a_batch_links_up_with_itself_and_with_what_is_stored() {
    let key = SecretKey::from_seed(&[3; 32]);
    let chain = verified(crate::testing::record_chain(&key, "did:key:z6MkLearner", 6));
    // 1-2 stored; the batch brings 3-6.
    let plan = plan_ingest(&chain[2..], &[], vec![stored(&chain[1])]);
    assert_eq!(plan.len(), 4);
    assert!(plan
        .iter()
        .all(|p| p.decision == Decision::Store(Vec::new())));
    assert_eq!(neighbour_seqs(&chain[2..]), vec![2, 3, 4, 5, 6, 7]);
}

#[test]
fn repeats_inside_a_batch_or_in_the_store_are_stored_once() {
    let key = SecretKey::from_seed(&[4; 32]);
    let chain = verified(crate::testing::record_chain(&key, "did:key:z6MkLearner", 3));
    let batch = [chain[0].clone(), chain[1].clone(), chain[1].clone()];
    let held = [HeldRecord {
        id: chain[0].signed.record.id.clone(),
        hash: chain[0].hash,
    }];
    let plan = plan_ingest(&batch, &held, vec![stored(&chain[0])]);
    let decisions: Vec<_> = plan.iter().map(|p| p.decision.clone()).collect();
    assert_eq!(
        decisions,
        vec![
            Decision::Duplicate,
            Decision::Store(Vec::new()),
            Decision::Duplicate
        ]
    );
    // The same id with other content is refused, not stored.
    let mut forged = chain[2].clone();
    forged.hash = ContentHash([9; 32]);
    let batch = [chain[2].clone(), forged];
    let plan = plan_ingest(&batch, &[], vec![stored(&chain[1])]);
    assert_eq!(plan[1].decision, Decision::IdTaken);
    let new = plan
        .iter()
        .filter(|p| matches!(p.decision, Decision::Store(_)))
        .count();
    assert_eq!(new, 1);
}

#[test]
fn gaps_and_forks_are_flagged_in_a_batch() {
    let key = SecretKey::from_seed(&[5; 32]);
    let chain = verified(crate::testing::record_chain(&key, "did:key:z6MkLearner", 5));
    let other = verified(crate::testing::record_chain(
        &SecretKey::from_seed(&[6; 32]),
        "did:key:z6MkLearner",
        2,
    ));
    // Records 1-2 stored, 3 missing; a second record numbered 2 arrives.
    let batch = [other[1].clone(), chain[3].clone(), chain[4].clone()];
    let plan = plan_ingest(&batch, &[], vec![stored(&chain[0]), stored(&chain[1])]);
    assert_eq!(
        notes(&plan),
        vec![Some("fork,fork".into()), Some("gap".into()), None]
    );
    let Decision::Store(flags) = &plan[0].decision else {
        panic!("stored")
    };
    assert_eq!(
        flags,
        &vec![
            ChainFlag::SecondAtSeq { seq: 2 },
            ChainFlag::DoesNotFollow { seq: 1 }
        ]
    );
    assert_eq!(flags[0].to_string(), "a second record numbered 2");
    assert_eq!(flags[1].to_string(), "does not follow record 1");
    let Decision::Store(flags) = &plan[1].decision else {
        panic!("stored")
    };
    assert_eq!(flags[0].to_string(), "record 3 has not arrived");
}

#[test]
fn a_successor_that_came_first_must_point_at_the_record() {
    let key = SecretKey::from_seed(&[7; 32]);
    let chain = verified(crate::testing::record_chain(&key, "did:key:z6MkLearner", 3));
    let other = verified(crate::testing::record_chain(
        &SecretKey::from_seed(&[8; 32]),
        "did:key:z6MkLearner",
        2,
    ));
    // 1 and 3 held; another device's record 2 fills the gap but 3 does not point at it.
    let flags = chain_flags(
        2,
        other[1].signed.record.prev,
        &other[1].hash,
        &[stored(&chain[0]), stored(&chain[2])],
    );
    assert!(flags.contains(&ChainFlag::SuccessorDoesNotFollow { seq: 3 }));
    assert_eq!(
        flags.iter().map(ChainFlag::kind).collect::<Vec<_>>(),
        vec!["fork", "fork"]
    );
    // The real record 2 fills it cleanly.
    let flags = chain_flags(
        2,
        chain[1].signed.record.prev,
        &chain[1].hash,
        &[stored(&chain[0]), stored(&chain[2])],
    );
    assert!(flags.is_empty(), "{flags:?}");
}

#[test]
fn admission_takes_only_the_senders_own_verified_records() {
    let key = device();
    let learner = "did:key:z6MkLearner";
    let mut records = chain(4, &key);
    records[1].record.learner = "did:key:z6MkSomeoneElse".into();
    records[2].record.score = 0;
    records.push(chain(1, &SecretKey::from_seed(&[9; 32])).remove(0));
    let admitted = admit(records.clone(), &key.public_key().to_did_key(), learner);
    assert_eq!(admitted.verified.len(), 2);
    assert_eq!(admitted.verified[1].signed, records[3]);
    assert_eq!(
        admitted.verified[1].canonical.as_bytes(),
        records[3].to_canonical_json().expect("encodes")
    );
    assert_eq!(admitted.verified[1].hash, records[3].hash().expect("hash"));
    let reasons: Vec<String> = admitted
        .refused
        .iter()
        .map(|r| r.reason.to_string())
        .collect();
    assert_eq!(
        reasons,
        vec![
            "about another learner than the device's".to_owned(),
            LedgerError::BadSignature { seq: 3 }.to_string(),
            "signed by another device than the one pushing it".to_owned(),
        ]
    );
    assert_eq!(admitted.refused[0].id, records[1].record.id);
}

/// A bundle from `device` for `learner` with `n` records, bound and enrolled with "GREEN-7".
fn bundle(device: &SecretKey, learner: &SecretKey, n: u64) -> RelayBundle {
    let learner_did = learner.public_key().to_did_key();
    RelayBundle::new(
        DeviceBinding::sign(learner, &device.public_key()).expect("binds"),
        Some(Enrolment::sign(device, &learner_did, "GREEN-7").expect("enrols")),
        crate::testing::record_chain(device, &learner_did, n),
    )
}

fn parse(bundle: &RelayBundle) -> Result<RelayBundle, LedgerError> {
    RelayBundle::parse(&serde_json::to_vec(bundle).expect("encodes"))
}

#[test]
fn a_relay_bundle_with_another_learners_record_is_refused() {
    let (key, learner) = (device(), SecretKey::from_seed(&[4; 32]));
    let mut bundle = bundle(&key, &learner, 2);
    assert!(parse(&bundle).is_ok());
    bundle.records[1].record.learner = "did:key:z6MkSomeoneElse".into();
    assert_eq!(parse(&bundle), Err(LedgerError::OtherDevice { seq: 2 }));
}

#[test]
fn a_relay_bundle_from_a_device_that_is_not_a_key_is_refused() {
    let mut bundle = bundle(&device(), &SecretKey::from_seed(&[4; 32]), 1);
    bundle.device = "did:key:zNotAKey".into();
    assert!(matches!(
        parse(&bundle),
        Err(LedgerError::Encoding(why)) if why.contains("not a did:key")
    ));
}

#[test]
fn a_carrier_cannot_attach_a_device_to_another_learner_or_group() {
    let (key, learner) = (device(), SecretKey::from_seed(&[4; 32]));
    let victim = SecretKey::from_seed(&[5; 32]);
    let victim_did = victim.public_key().to_did_key();
    // Records in the victim's name, signed by the carrier's own device, with a binding the
    // carrier's device made up: the victim's key never signed it.
    let mut forged = bundle(&key, &learner, 2);
    forged.learner = victim_did.clone();
    forged.records = crate::testing::record_chain(&key, &victim_did, 2);
    assert_eq!(parse(&forged), Err(LedgerError::BindingMismatch("learner")));
    forged.binding.learner = victim_did.clone();
    assert_eq!(parse(&forged), Err(LedgerError::BadBinding));
    // The victim's genuine binding of another device proves nothing about this one.
    forged.binding =
        DeviceBinding::sign(&victim, &SecretKey::from_seed(&[6; 32]).public_key()).expect("binds");
    assert_eq!(parse(&forged), Err(LedgerError::BindingMismatch("device")));
    // A genuine bundle moved to another enrolment code.
    let mut moved = bundle(&key, &learner, 1);
    moved.enrolment.as_mut().expect("enrolled").code = "OTHER-1".into();
    assert_eq!(parse(&moved), Err(LedgerError::BadEnrolment));
}

#[test]
fn a_bundle_from_before_bindings_is_refused_with_a_reason() {
    let old = br#"{"format":"skillpack-relay-v1","device":"did:key:z","learner":"did:key:z","records":[]}"#;
    assert!(matches!(
        RelayBundle::parse(old),
        Err(LedgerError::Encoding(why)) if why.contains("older app")
    ));
}

#[test]
fn a_records_percent_is_whole_and_rounded_down() {
    let mut r = record(1, None, &device());
    (r.score, r.max_score) = (6990, 10_000);
    assert_eq!(r.percent(), 69, "69.9% never reads as a pass mark of 70");
    r.score = 7000;
    assert_eq!(r.percent(), 70);
    (r.score, r.max_score) = (1, 0);
    assert_eq!(r.percent(), 0, "no points to earn");
}
