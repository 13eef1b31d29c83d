//! Cases of the storage conformance suite for what the hub issues and offers: credentials
//! stored once per record, numbered and revoked by bit; packs offered to many groups, an
//! immutable version, withdrawing, and enrolment codes listed and revoked.

use skillpack_core::hash::ContentHash;
use skillpack_core::testing::{publisher_key, stranger_key};
use skillpack_hub::storage::{
    CredentialInsert, CredentialRevocation, HeldCredentialRow, IssuerChange, IssuerRow,
    NewCredential, NewPack, PublishRefusal, RegisterRefusal, Scope,
};

use super::{device, joining, learner, new_pack, registered};
use crate::storage::Fresh;

pub async fn credentials_are_stored_once_per_record_numbered_and_revoked_by_bit(fresh: Fresh) {
    let db = fresh.open().await;
    let publisher = publisher_key().public_key();
    db.add_publisher(publisher, "fixture".into()).await.unwrap();
    let issuer = IssuerRow {
        id: 0,
        publisher,
        seed: [9; 32],
        profile: r#"{"name":"Salama Riders Trust","url":null,"country_code":"KE","country":"Kenya","region":null}"#.into(),
        endorsement: None,
        endorsement_credential: None,
        status_list: "https://hub.example/v1/status/1".into(),
    };
    let change = |detail: &str| IssuerChange {
        by: "operator".into(),
        detail: detail.into(),
    };
    let id = db
        .set_issuer(issuer.clone(), change("set up"))
        .await
        .unwrap();
    let held = db.issuer_of(publisher).await.unwrap().expect("set up");
    assert_eq!(
        (
            held.is_endorsed(),
            held.endorsement,
            held.endorsement_credential
        ),
        (false, None, None),
        "an issuer set up without the trainer's key holds no endorsement"
    );
    // Setting it again updates the same issuer, each form of endorsement kept as given.
    let again = IssuerRow {
        status_list: format!("https://hub.example/v1/status/{id}"),
        endorsement: Some(r#"{"own":"format"}"#.into()),
        endorsement_credential: Some(r#"{"type":["EndorsementCredential"]}"#.into()),
        ..issuer
    };
    assert_eq!(
        db.set_issuer(again.clone(), change("endorsed"))
            .await
            .unwrap(),
        id
    );
    let held = db.issuer_of(publisher).await.unwrap().expect("set up");
    assert_eq!((held.id, held.seed), (id, [9; 32]));
    assert_eq!(held.status_list, again.status_list);
    assert_eq!(held.endorsement, again.endorsement);
    assert_eq!(held.endorsement_credential, again.endorsement_credential);
    let audited: Vec<String> = db
        .audit()
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.action == "set_issuer")
        .map(|a| a.detail)
        .collect();
    assert_eq!(audited, ["set up", "endorsed"]);
    assert_eq!(db.issuer(id).await.unwrap().expect("by number").id, id);
    assert!(db
        .issuer_of(stranger_key().public_key())
        .await
        .unwrap()
        .is_none());

    let (key, chain) = registered(&db, 81, 3).await;
    db.ingest(key.public_key(), chain.clone()).await.unwrap();
    let who = learner(81);
    let unissued = db.unissued_passes(&who, 10).await.unwrap();
    assert_eq!(
        unissued.len(),
        3,
        "every record of the fixture chain passed"
    );
    assert_eq!(unissued[0].record_id, chain[0].signed.record.id);
    assert_eq!(db.newest_credential(&who).await.unwrap(), None);

    let credential = |n: u64, record: usize, index: u64| NewCredential {
        id: format!("urn:uuid:00000000-0000-4000-8000-00000000000{n}"),
        record_id: Some(chain[record].signed.record.id.clone()),
        learner: who.clone(),
        issuer: id,
        status_index: index,
        body: format!("{{\"n\":{n}}}"),
        // Each record of the fixture chain is for an achievement of its own here; the next
        // case has two passes of one achievement.
        achievement: format!("urn:uuid:00000000-0000-8000-8000-00000000000{record}"),
    };
    let CredentialInsert::Stored(first) = db.add_credential(credential(1, 0, 7)).await.unwrap()
    else {
        panic!("stored");
    };
    assert_eq!(
        db.add_credential(credential(2, 0, 8)).await.unwrap(),
        CredentialInsert::RecordTaken
    );
    assert_eq!(
        db.add_credential(credential(3, 1, 7)).await.unwrap(),
        CredentialInsert::IndexTaken
    );
    let CredentialInsert::Stored(second) = db.add_credential(credential(4, 1, 9)).await.unwrap()
    else {
        panic!("stored");
    };
    assert!(second > first);
    assert_eq!(db.unissued_passes(&who, 10).await.unwrap().len(), 1);
    // The third pass is of the first's achievement: covered by it, earning nothing, and not
    // tried again.
    let again = NewCredential {
        achievement: credential(1, 0, 7).achievement,
        ..credential(5, 2, 10)
    };
    assert_eq!(
        db.add_credential(again).await.unwrap(),
        CredentialInsert::AchievementHeld(first)
    );
    assert!(db.unissued_passes(&who, 10).await.unwrap().is_empty());
    assert_eq!(db.newest_credential(&who).await.unwrap(), Some(second));
    let all = db.credentials_after(&who, 0, 10).await.unwrap();
    assert_eq!(
        all,
        vec![
            HeldCredentialRow {
                number: first,
                body: "{\"n\":1}".to_owned(),
                issuer: id
            },
            HeldCredentialRow {
                number: second,
                body: "{\"n\":4}".to_owned(),
                issuer: id
            }
        ]
    );
    assert_eq!(
        db.credentials_after(&who, first, 10).await.unwrap().len(),
        1
    );
    assert_eq!(db.credentials_after(&who, 0, 1).await.unwrap().len(), 1);
    assert!(db
        .credentials_after("did:key:z6MkOther", 0, 10)
        .await
        .unwrap()
        .is_empty());

    assert!(db.revoked_indexes(id).await.unwrap().is_empty());
    let revoked_id = "urn:uuid:00000000-0000-4000-8000-000000000004";
    let revoke = |id: &str, reason: &str| CredentialRevocation {
        id: id.into(),
        reason: reason.into(),
        by: "Wanjiru".into(),
    };
    assert_eq!(
        db.revoke_credential(revoke(revoked_id, "a mistake"))
            .await
            .unwrap(),
        Some(true)
    );
    assert_eq!(
        db.revoke_credential(revoke(revoked_id, "again"))
            .await
            .unwrap(),
        Some(false)
    );
    assert_eq!(
        db.revoke_credential(revoke("urn:uuid:nobody", "none"))
            .await
            .unwrap(),
        None
    );
    let audited: Vec<_> = db
        .audit()
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.action == "revoke_credential")
        .collect();
    assert_eq!(audited.len(), 1, "revoked once, audited once");
    assert_eq!(audited[0].actor, "Wanjiru");
    assert!(audited[0].detail.contains(revoked_id) && audited[0].detail.contains("a mistake"));
    assert_eq!(db.revoked_indexes(id).await.unwrap(), vec![9]);
    let listed = db.issued_credentials(None).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[1].revoked_why.as_deref(), Some("a mistake"));
    assert!(listed[1]
        .revoked_at
        .as_deref()
        .is_some_and(|t| t.ends_with('Z')));
    assert!(listed[0].issued_at.ends_with('Z') && listed[0].revoked_at.is_none());

    // A credential no one record earned (a milestone, a work record): stored once for its
    // achievement, and a second one for it is held, with no pass to cover.
    let recordless = |n: u64, index: u64| NewCredential {
        record_id: None,
        achievement: "urn:example:rider-basics".into(),
        ..credential(n, 0, index)
    };
    let CredentialInsert::Stored(milestone) = db.add_credential(recordless(6, 11)).await.unwrap()
    else {
        panic!("stored");
    };
    assert_eq!(
        db.add_credential(recordless(7, 12)).await.unwrap(),
        CredentialInsert::AchievementHeld(milestone)
    );
    let listed = db.issued_credentials(Some(&who)).await.unwrap();
    assert_eq!(listed.last().map(|c| c.record_id.clone()), Some(None));
}

pub async fn a_pack_is_offered_to_many_groups_a_version_is_immutable_and_codes_are_revoked(
    fresh: Fresh,
) {
    let db = fresh.open().await;
    db.add_publisher(publisher_key().public_key(), "fixture".into())
        .await
        .unwrap();
    let (pack, bytes, _file) = new_pack("bikes", "1.0.0", "full", "riders");
    db.put_pack(pack.clone()).await.unwrap().unwrap();
    let second = NewPack {
        group: "cleaners".into(),
        ..pack.clone()
    };
    let offered = db.put_pack(second).await.unwrap().unwrap();
    assert!(
        !offered.created && offered.offered,
        "stored once, offered twice"
    );
    for group in ["riders", "cleaners"] {
        assert_eq!(db.catalog(group.into()).await.unwrap().len(), 1, "{group}");
    }
    let groups = db.groups(&Scope::Everything).await.unwrap();
    assert!(groups.iter().all(|g| g.packs == 1), "{groups:?}");

    // Other content under the same id, version and variant is refused; another variant is not.
    let (mut changed, _, _file2) = new_pack("bikes", "1.0.0", "full", "riders");
    changed.hash = ContentHash::of(&[&bytes[..], b"changed"].concat()).0;
    let refused = db.put_pack(changed.clone()).await.unwrap();
    assert!(
        matches!(&refused, Err(PublishRefusal::VersionTaken { version, .. }) if version == "1.0.0"),
        "{refused:?}"
    );
    assert!(refused.unwrap_err().to_string().contains("new version"));
    let (low, _, _file3) = new_pack("bikes", "1.0.0", "low", "riders");
    assert!(db.put_pack(low).await.unwrap().unwrap().created);

    // Withdrawn from one group, still offered to the other.
    assert_eq!(db.withdraw("riders", "bikes").await.unwrap(), 2);
    assert!(db.catalog("riders".into()).await.unwrap().is_empty());
    assert_eq!(db.catalog("cleaners".into()).await.unwrap().len(), 1);
    assert_eq!(db.withdraw("riders", "bikes").await.unwrap(), 0);
    assert_eq!(
        db.pack_len(pack.hash).await.unwrap(),
        Some(bytes.len() as u64)
    );

    // Codes are listed, and a revoked one lets no device in.
    let code = db.create_enrolment("riders", Some(3), None).await.unwrap();
    let codes = db.enrolment_codes(&Scope::Everything).await.unwrap();
    assert_eq!(codes.len(), 1);
    assert_eq!(codes[0].code, code);
    assert_eq!(
        (codes[0].group.as_str(), codes[0].uses_left),
        ("riders", Some(3))
    );
    assert!(db
        .revoke_code(&code.to_lowercase().replace('-', ""))
        .await
        .unwrap());
    assert!(!db.revoke_code(&code).await.unwrap(), "once");
    assert!(db.enrolment_codes(&Scope::Everything).await.unwrap()[0]
        .revoked_at
        .is_some());
    let key = device(91);
    let joined = db
        .register_device(joining(Some(code), key.public_key(), learner(91)))
        .await
        .unwrap();
    assert_eq!(joined, Err(RegisterRefusal::BadCode));
    // Every module of a stored pack, as compiled, with its publisher: how the hub finds the
    // pathways a pass may complete.
    let module = skillpack_core::module::compile(&skillpack_core::testing::module_files("tyres"))
        .module
        .unwrap()
        .module;
    let (mut with_module, _, _file4) = new_pack("tyres", "1.0.0", "full", "tyre-fitters");
    with_module.module_bodies = vec![("tyres".into(), serde_json::to_string(&module).unwrap())];
    db.put_pack(with_module.clone()).await.unwrap().unwrap();
    let stored = db.pack_modules(with_module.hash).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].module, module);
    assert_eq!(stored[0].publisher, publisher_key().public_key());
    assert!(db.pack_modules([9; 32]).await.unwrap().is_empty());
}

/// Two devices of one learner push passes of the same module at the same moment: exactly one
/// credential is stored, and the other pass is covered by it, on every engine.
pub async fn two_passes_of_one_achievement_at_once_get_exactly_one_credential(fresh: Fresh) {
    let db = fresh.open().await;
    let publisher = publisher_key().public_key();
    db.add_publisher(publisher, "fixture".into()).await.unwrap();
    let issuer = db
        .set_issuer(
            IssuerRow {
                id: 0,
                publisher,
                seed: [9; 32],
                profile: "{}".into(),
                endorsement: Some("{}".into()),
                endorsement_credential: None,
                status_list: "https://hub.example/v1/status/1".into(),
            },
            IssuerChange {
                by: "operator".into(),
                detail: "set up".into(),
            },
        )
        .await
        .unwrap();
    for round in 0..8u8 {
        let (key, chain) = registered(&db, 100 + round, 2).await;
        db.ingest(key.public_key(), chain.clone()).await.unwrap();
        let who = learner(100 + round);
        let pass = |n: usize| NewCredential {
            id: format!("urn:uuid:00000000-0000-4000-8000-0000000{round:02}{n:03}"),
            record_id: Some(chain[n].signed.record.id.clone()),
            learner: who.clone(),
            issuer,
            status_index: u64::from(round) * 10 + n as u64,
            body: "{}".into(),
            achievement: "urn:uuid:00000000-0000-8000-8000-0000000000aa".into(),
        };
        let (a, b) = tokio::join!(db.add_credential(pass(0)), db.add_credential(pass(1)));
        let mut outcomes = [a.unwrap(), b.unwrap()];
        outcomes.sort_by_key(|o| matches!(o, CredentialInsert::AchievementHeld(_)));
        match outcomes {
            [CredentialInsert::Stored(n), CredentialInsert::AchievementHeld(held)] => {
                assert_eq!(n, held, "round {round}")
            }
            other => panic!("round {round}: {other:?}"),
        }
        assert_eq!(db.credentials_after(&who, 0, 10).await.unwrap().len(), 1);
        assert!(db.unissued_passes(&who, 10).await.unwrap().is_empty());
    }
}
