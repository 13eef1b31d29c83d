//! A learner's phone learns at sync what a trainer revoked, against a real hub on loopback
//! with the phone's real store: one sync reads the issuer's signed list and marks the
//! credential revoked with the trainer's reason; a list that cannot be read, a replayed older
//! one, an undated or forged one leaves the last known state with why, and a list server that
//! hangs costs no more than the sync's deadline; a revoked credential never turns good again;
//! the hub's word alone revokes nothing; and the hub answers for reasons only a bound device,
//! only of its own learner, bounded.
//!
//! The provider's status lists are named at a "list server" the test controls, which passes
//! the hub's lists on, serves lists the test signed with the issuer's key, or answers nothing.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use reqwest::StatusCode;
use skillpack_core::credential::status::status_list_credential;
use skillpack_core::credential::{Contexts, Issuer};
use skillpack_core::keys::SecretKey;
use skillpack_core::protocol::{
    endpoint, ErrorResponse, PushRequest, RevocationsResponse, MAX_REVOCATIONS_PER_ANSWER,
};
use skillpack_core::store::{RevocationState, Store};
use skillpack_core::sync::{HubClient, SyncError, SyncPolicy, SyncReport};
use skillpack_core::testing::{
    publisher_key, record_chain_in, register_request, right_answers, sample_pack,
};
use skillpack_hub::issuer::set_up_endorsed_issuer;
use skillpack_hub::storage::{CredentialInsert, CredentialRevocation, NewCredential};

use super::TestHub;

fn profile() -> Issuer {
    Issuer {
        name: "Salama Riders Trust".into(),
        url: None,
        country_code: "KE".into(),
        country: "Kenya".into(),
        region: None,
    }
}

/// What the list server answers.
#[derive(Clone)]
enum Lists {
    /// The hub's own list, fetched from it for each request.
    FromHub(String),
    /// These bytes.
    These(Vec<u8>),
    /// Nothing: the connection is closed before any answer.
    Nothing,
    /// Nothing, with the connection held open for a long while (a server that hangs).
    Hang,
}

/// An HTTP server on loopback that answers every GET with what [`Lists`] says, one request a
/// connection.
struct ListServer {
    url: String,
    lists: Arc<Mutex<Lists>>,
}

impl ListServer {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let lists = Arc::new(Mutex::new(Lists::Nothing));
        let serving = Arc::clone(&lists);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut first = String::new();
                let _ = reader.read_line(&mut first);
                let path = first.split(' ').nth(1).unwrap_or("/").to_owned();
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let now = serving.lock().unwrap().clone();
                let body = match now {
                    Lists::Nothing => continue,
                    Lists::Hang => {
                        std::thread::sleep(Duration::from_secs(20));
                        continue;
                    }
                    Lists::These(body) => body,
                    Lists::FromHub(hub) => reqwest::blocking::get(format!("{hub}{path}"))
                        .unwrap()
                        .bytes()
                        .unwrap()
                        .to_vec(),
                };
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/vc+ld+json\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            }
        });
        Self { url, lists }
    }

    fn serve(&self, lists: Lists) {
        *self.lists.lock().unwrap() = lists;
    }
}

/// A learner's phone: its store, in a folder of its own.
struct Phone {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    store: Store,
}

impl Phone {
    fn sync(&self, hub: &TestHub) -> SyncReport {
        HubClient::new(&hub.url)
            .unwrap()
            .sync(&self.store, &self.dir.join("downloads"))
            .unwrap()
    }

    /// The one credential it keeps.
    fn held(&self) -> skillpack_core::store::HeldCredential {
        let mut held = self.store.credentials().unwrap();
        assert_eq!(held.len(), 1, "{held:?}");
        held.remove(0)
    }
}

/// A hub whose provider names its status lists at `lists`, and a phone whose learner passed
/// the provider's module and synced once: it holds the credential the hub issued.
fn a_learner_with_a_credential(lists: &ListServer) -> (TestHub, Phone) {
    let hub = TestHub::start();
    let publisher = publisher_key();
    hub.run(
        hub.db
            .add_publisher(publisher.public_key(), "trainer".into()),
    )
    .unwrap();
    let published = hub.signed_post(&publisher, &endpoint::publish("riders"), sample_pack());
    assert_eq!(published.status(), StatusCode::CREATED);
    hub.run(set_up_endorsed_issuer(
        &hub.db,
        &publisher,
        profile(),
        &lists.url,
    ))
    .unwrap();
    let code = hub
        .run(hub.db.create_enrolment("riders", None, None))
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phone");
    let store = Store::open(&path).unwrap();
    store.trust(&publisher.public_key(), "trainer").unwrap();
    let pack = dir.path().join("sample.skillpack");
    std::fs::write(&pack, sample_pack()).unwrap();
    let module_id = store.install(&pack).unwrap().modules.remove(0);
    let module = store.module(&module_id).unwrap();
    let answers = right_answers(&module);
    let attempt = store.start_attempt(&module_id, Utc::now(), 7).unwrap();
    for question in &attempt.questions {
        store
            .answer(
                &module_id,
                &question.id,
                answers[&question.id].clone(),
                Duration::from_secs(60),
            )
            .unwrap();
    }
    let (outcome, _) = store
        .submit(&module_id, Utc::now(), Duration::from_secs(120), &[])
        .unwrap();
    assert!(outcome.passed);
    HubClient::new(&hub.url)
        .unwrap()
        .register(&store, &code)
        .unwrap();
    let phone = Phone {
        _dir: dir,
        dir: path,
        store,
    };
    lists.serve(Lists::FromHub(hub.url.clone()));
    let first = phone.sync(&hub);
    assert_eq!(first.credentials, 1, "{first:?}");
    (hub, phone)
}

fn revoke(hub: &TestHub, id: &str, reason: &str) {
    let revoked = hub
        .run(hub.db.revoke_credential(CredentialRevocation {
            id: id.to_owned(),
            reason: reason.to_owned(),
            by: "Wanjiru".into(),
        }))
        .unwrap();
    assert_eq!(revoked, Some(true));
}

/// The issuer's status list signed by hand: valid from `age` ago, with `revoked` bits set,
/// signed by `key` (the issuer's, unless a forgery is wanted).
fn signed_list(
    hub: &TestHub,
    key: Option<&SecretKey>,
    revoked: &[u64],
    age: chrono::Duration,
) -> Vec<u8> {
    let issuer = hub.run(hub.db.issuer(1)).unwrap().unwrap();
    let own = SecretKey::from_seed(&issuer.seed);
    let list = status_list_credential(
        &profile(),
        key.unwrap_or(&own),
        &issuer.status_list,
        revoked,
        Utc::now() - age,
        Contexts::bundled(),
    )
    .unwrap();
    serde_json::to_vec(&list).unwrap()
}

/// The kept credential's bit in its list.
fn bit(phone: &Phone, id: &str) -> u64 {
    phone.store.credential(id).unwrap()["credentialStatus"]["statusListIndex"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn one_sync_marks_a_credential_the_trainer_revoked_with_the_reason_and_it_stays_revoked() {
    let lists = ListServer::start();
    let (hub, phone) = a_learner_with_a_credential(&lists);
    let held = phone.held();
    let RevocationState::NotRevoked { checked_at } = &held.revocation else {
        panic!("checked at the sync that took it: {held:?}");
    };
    assert!(!checked_at.is_empty());
    assert_eq!(held.revocation_problem, None);

    let reason = "the assessment was taken by someone else";
    revoke(&hub, &held.id, reason);
    let synced = phone.sync(&hub);
    assert_eq!(synced.revoked.len(), 1, "{synced:?}");
    assert_eq!(synced.revoked[0].id, held.id);
    assert_eq!(synced.revoked[0].reason.as_deref(), Some(reason));
    assert!(synced.lists_unread.is_empty(), "{synced:?}");
    let RevocationState::Revoked {
        reason: Some(kept),
        seen_at,
    } = phone.held().revocation
    else {
        panic!("revoked: {:?}", phone.held());
    };
    assert_eq!(kept, reason);

    let again = phone.sync(&hub);
    assert!(again.revoked.is_empty(), "told once: {again:?}");

    // The list server goes quiet: still revoked, and the learner is told it was not checked.
    lists.serve(Lists::Nothing);
    let offline = phone.sync(&hub);
    assert_eq!(offline.lists_unread.len(), 1, "{offline:?}");
    assert_eq!(offline.lists_unread[0].credentials, 1);
    let stale = phone.held();
    assert_eq!(
        stale.revocation,
        RevocationState::Revoked {
            seen_at: seen_at.clone(),
            reason: Some(reason.into())
        }
    );
    assert!(stale.revocation_problem.is_some());

    // A fresh list with the bit clear (signed by the issuer's own key) does not undo it.
    lists.serve(Lists::These(signed_list(
        &hub,
        None,
        &[],
        chrono::Duration::zero(),
    )));
    phone.sync(&hub);
    assert!(matches!(
        phone.held().revocation,
        RevocationState::Revoked { .. }
    ));
    assert_eq!(phone.held().revocation_problem, None);
}

#[test]
fn a_list_that_cannot_be_used_leaves_the_last_known_state_and_says_why() {
    let lists = ListServer::start();
    let (hub, phone) = a_learner_with_a_credential(&lists);
    let id = phone.held().id;
    let index = bit(&phone, &id);

    // The sync that took the credential read the hub's list, signed a moment ago.
    let RevocationState::NotRevoked { checked_at } = phone.held().revocation else {
        panic!("{:?}", phone.held());
    };
    let known = RevocationState::NotRevoked { checked_at };

    // Each with the credential's bit set; none may be believed. (An expired list is older
    // than the one read, so it is refused as a replay before its date is looked at; the
    // core's tests hold expired lists to account on their own.)
    let older = signed_list(&hub, None, &[index], chrono::Duration::hours(3));
    let forged = signed_list(
        &hub,
        Some(&SecretKey::from_seed(&[99; 32])),
        &[index],
        chrono::Duration::zero(),
    );
    let mut undated: serde_json::Value =
        serde_json::from_slice(&signed_list(&hub, None, &[index], chrono::Duration::zero()))
            .unwrap();
    undated.as_object_mut().unwrap().remove("validFrom");
    let cases = [
        ("an older list, replayed", older, "replayed"),
        ("a list signed by another key", forged, "another key"),
        (
            "an undated list",
            serde_json::to_vec(&undated).unwrap(),
            "validFrom",
        ),
        (
            "not a list",
            b"<html>captive portal</html>".to_vec(),
            "not understood",
        ),
    ];
    for (what, body, says) in cases {
        lists.serve(Lists::These(body));
        let report = phone.sync(&hub);
        assert!(report.revoked.is_empty(), "{what}: {report:?}");
        assert_eq!(report.lists_unread.len(), 1, "{what}: {report:?}");
        let held = phone.held();
        assert_eq!(
            held.revocation, known,
            "{what}: not checked since the last good list"
        );
        let problem = held.revocation_problem.unwrap_or_default();
        assert!(problem.contains(says), "{what}: {problem}");
    }

    // The hub's word alone revokes nothing: revoked in its database, while the issuer's
    // fresh list says otherwise, the phone believes the list (and has no reason to show).
    revoke(&hub, &id, "a mistake");
    lists.serve(Lists::These(signed_list(
        &hub,
        None,
        &[],
        chrono::Duration::zero(),
    )));
    let report = phone.sync(&hub);
    assert!(report.revoked.is_empty(), "{report:?}");
    assert!(matches!(
        phone.held().revocation,
        RevocationState::NotRevoked { .. }
    ));
    assert_eq!(phone.held().revocation_problem, None);
}

#[test]
fn a_list_server_that_hangs_costs_no_more_than_the_syncs_deadline() {
    let lists = ListServer::start();
    let (hub, phone) = a_learner_with_a_credential(&lists);
    let known = phone.held().revocation;
    lists.serve(Lists::Hang);
    let policy = SyncPolicy {
        sync_deadline: Duration::from_secs(3),
        ..SyncPolicy::default()
    };
    let started = std::time::Instant::now();
    let synced = HubClient::with_policy(&hub.url, policy)
        .unwrap()
        .sync(&phone.store, &phone.dir.join("downloads"));
    let took = started.elapsed();
    assert!(took < Duration::from_secs(8), "{took:?}");
    assert!(
        matches!(synced, Err(SyncError::OutOfTime)),
        "nothing else done in time: {synced:?}"
    );
    let held = phone.held();
    assert_eq!(held.revocation, known);
    let problem = held.revocation_problem.unwrap_or_default();
    assert!(problem.contains("cannot be reached"), "{problem}");
}

#[test]
fn the_hub_gives_reasons_only_to_a_bound_device_of_its_own_learner_and_bounded() {
    let hub = TestHub::start();
    let publisher = publisher_key();
    hub.run(
        hub.db
            .add_publisher(publisher.public_key(), "trainer".into()),
    )
    .unwrap();
    let published = hub.signed_post(&publisher, &endpoint::publish("riders"), sample_pack());
    assert_eq!(published.status(), StatusCode::CREATED);
    let issuer = hub
        .run(set_up_endorsed_issuer(
            &hub.db,
            &publisher,
            profile(),
            &hub.url,
        ))
        .unwrap();
    let code = hub
        .run(hub.db.create_enrolment("riders", None, None))
        .unwrap();
    let register = |seed: u8| {
        let (device, learner) = (
            SecretKey::from_seed(&[seed; 32]),
            SecretKey::from_seed(&[seed + 1; 32]),
        );
        let body = serde_json::to_vec(&register_request(&device, &learner, &code)).unwrap();
        let registered = hub.signed_post(&device, endpoint::DEVICES, body);
        assert_eq!(registered.status(), StatusCode::CREATED);
        (device, learner.public_key().to_did_key())
    };
    let (device, learner) = register(51);
    let (other_device, _) = register(53);
    let pack = skillpack_core::pack::PackReader::open(std::io::Cursor::new(sample_pack())).unwrap();
    let pack_ref = skillpack_core::ledger::PackRef {
        id: pack.manifest().pack.id.clone(),
        version: pack.manifest().pack.version.clone(),
        hash: pack.pack_hash(),
    };
    let many = MAX_REVOCATIONS_PER_ANSWER as u64 + 1;
    let records = record_chain_in(&device, &learner, many, &pack_ref);
    for _ in 0..2 {
        // The hub issues for 50 passes a push; the second push issues the rest.
        let body = serde_json::to_vec(&PushRequest {
            records: records.clone(),
            name: None,
            grants_after: None,
        })
        .unwrap();
        let pushed = hub.signed_post(&device, endpoint::RECORDS, body);
        assert_eq!(pushed.status(), StatusCode::OK);
    }
    // The chain's passes are all of one module, which earns one credential; the learner's
    // other credentials are stored here as if for other modules.
    for (n, record) in records.iter().enumerate().skip(1) {
        let stored = hub
            .run(hub.db.add_credential(NewCredential {
                id: format!("urn:uuid:00000000-0000-4000-8000-{n:012}"),
                record_id: Some(record.record.id.clone()),
                learner: learner.clone(),
                issuer: issuer.id,
                status_index: 1_000 + n as u64,
                body: "{}".into(),
                achievement: format!("urn:uuid:00000000-0000-8000-8000-{n:012}"),
            }))
            .unwrap();
        assert!(matches!(stored, CredentialInsert::Stored(_)), "{stored:?}");
    }
    let issued = hub.run(hub.db.issued_credentials(Some(&learner))).unwrap();
    assert_eq!(issued.len() as u64, many);
    let ask =
        |key: &SecretKey, body: &[u8]| hub.signed_post(key, endpoint::REVOCATIONS, body.to_vec());
    let none: RevocationsResponse = ask(&device, b"{}").json().unwrap();
    assert!(none.revocations.is_empty());

    let long = format!("copied\nfrom a neighbour\u{202E} {}", "x".repeat(300));
    for credential in &issued {
        revoke(&hub, &credential.id, &long);
    }
    let answer: RevocationsResponse = ask(&device, b"{}").json().unwrap();
    assert_eq!(answer.revocations.len(), MAX_REVOCATIONS_PER_ANSWER);
    for notice in &answer.revocations {
        assert!(
            notice.reason.starts_with("copied from a neighbour x"),
            "{notice:?}"
        );
        assert_eq!(notice.reason.chars().count(), 200);
        assert!(issued.iter().any(|c| c.id == notice.id));
    }
    let theirs: RevocationsResponse = ask(&other_device, b"{}").json().unwrap();
    assert!(theirs.revocations.is_empty(), "only one's own learner's");

    let stranger = ask(&SecretKey::from_seed(&[57; 32]), b"{}");
    assert_eq!(stranger.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        stranger.json::<ErrorResponse>().unwrap().error.code,
        "unknown_device"
    );
    for body in [
        &b"{\"learner\": \"did:key:z6MkSomeoneElse\"}"[..],
        b"not json",
        b"{\"after\": 0}",
    ] {
        let refused = ask(&device, body);
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{body:?}");
    }
    let unsigned = reqwest::blocking::Client::new()
        .post(format!("{}{}", hub.url, endpoint::REVOCATIONS))
        .body("{}")
        .send()
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
}

/// A sync cut short after the push (or one that took as many pages as a sync may) leaves
/// credentials untaken; the next sync takes them although it has nothing to push, because
/// the push answer's announcement is kept on the phone.
#[test]
fn credentials_left_by_a_cut_sync_arrive_at_the_next_one_with_nothing_to_push() {
    let lists = ListServer::start();
    let (hub, phone) = a_learner_with_a_credential(&lists);
    let taken = phone.store.credentials_taken().unwrap();
    assert!(taken > 0);
    // As if the sync that took it had been cut before it stored how far it got.
    phone.store.set_credentials_taken(0).unwrap();
    assert!(phone.store.outbox().unwrap().is_empty(), "nothing to push");
    phone.sync(&hub);
    assert_eq!(phone.store.credentials_taken().unwrap(), taken);
    assert_eq!(phone.store.credentials().unwrap().len(), 1, "kept once");
}
