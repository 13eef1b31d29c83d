//! Cases of the storage conformance suite for what a trainer reads: the same rows on every
//! engine (groups, learners with their names and labels, results by group), and a new
//! identity linked to the old one so that the views show one person.

use skillpack_core::hex;
use skillpack_core::ledger::VerifiedRecord;
use skillpack_core::testing::{publisher_key, record_chain};
use skillpack_hub::storage::{
    GroupRow, LearnerLabel, LearnerLink, LearnerRow, LinkRefusal, ResultQuery, Scope,
};

use super::{device, joining, learner, new_pack, verified};
use crate::storage::Fresh;

/// True for a time written as every engine writes them: `2026-11-24T10:00:00.000Z`.
fn is_hub_time(text: &str) -> bool {
    let shape: String = text
        .chars()
        .map(|c| if c.is_ascii_digit() { '9' } else { c })
        .collect();
    shape == "9999-99-99T99:99:99.999Z"
}

pub async fn reports_give_the_same_rows_on_every_engine(fresh: Fresh) {
    let db = fresh.open().await;
    db.add_publisher(publisher_key().public_key(), "fixture".into())
        .await
        .unwrap();
    db.put_pack(new_pack("bikes", "1.0.0", "full", "riders").0)
        .await
        .unwrap()
        .unwrap();
    db.create_enrolment("riders", None, None).await.unwrap();
    db.create_enrolment("cleaners", Some(0), None)
        .await
        .unwrap();
    let code = db.create_enrolment("riders", Some(1), None).await.unwrap();
    let key = device(51);
    db.register_device(joining(Some(code), key.public_key(), learner(51)))
        .await
        .unwrap()
        .unwrap();
    let mut chain = record_chain(&key, &learner(51), 2);
    chain[1].record.passed = false;
    let chain: Vec<VerifiedRecord> = chain
        .into_iter()
        .map(|r| VerifiedRecord {
            hash: r.hash().unwrap(),
            canonical: String::from_utf8(r.to_canonical_json().unwrap()).unwrap(),
            signed: r,
        })
        .collect();
    db.ingest(key.public_key(), chain.clone()).await.unwrap();

    let groups = db.groups(&Scope::Everything).await.unwrap();
    let group = |group: &str, packs, devices, records, open_codes| GroupRow {
        group: group.into(),
        packs,
        devices,
        records,
        open_codes,
    };
    assert_eq!(
        groups,
        vec![group("cleaners", 0, 0, 0, 0), group("riders", 1, 1, 2, 1)]
    );

    let mut learners = db.learners(&Scope::Everything, None).await.unwrap();
    assert_eq!(learners.len(), 1);
    assert!(is_hub_time(&learners[0].registered_at), "{learners:?}");
    learners[0].registered_at = "(time)".into();
    assert_eq!(
        learners,
        vec![LearnerRow {
            learner: learner(51),
            person: learner(51),
            group: "riders".into(),
            device: hex::encode(&key.public_key().to_bytes()),
            registered_at: "(time)".into(),
            records: 2,
            passed: 1,
            name: None,
        }]
    );

    // A learner's chosen name shows, and a trainer's label shows before it.
    db.set_learner_name(&learner(51), Some("Achieng".into()))
        .await
        .unwrap();
    assert_eq!(
        db.learners(&Scope::Everything, None).await.unwrap()[0]
            .name
            .as_deref(),
        Some("Achieng")
    );
    let label = LearnerLabel {
        learner: learner(51),
        label: Some("Achieng O. (Tuesday class)".into()),
        by: "trainer Wanjiru".into(),
        scope: Scope::Groups(vec!["riders".into()]),
    };
    assert!(db.label_learner(label.clone()).await.unwrap());
    assert_eq!(
        db.results(ResultQuery::everything()).await.unwrap()[0]
            .name
            .as_deref(),
        Some("Achieng O. (Tuesday class)")
    );
    db.set_learner_name(&learner(51), None).await.unwrap();
    assert_eq!(
        db.learners(&Scope::Everything, None).await.unwrap()[0]
            .name
            .as_deref(),
        Some("Achieng O. (Tuesday class)"),
        "the label stays when the learner stops showing a name"
    );
    assert!(db
        .audit()
        .await
        .unwrap()
        .iter()
        .any(|a| a.action == "label_learner"));
    let elsewhere = LearnerLabel {
        scope: Scope::Groups(vec!["cleaners".into()]),
        ..label.clone()
    };
    assert!(
        !db.label_learner(elsewhere).await.unwrap(),
        "a label is written only in a group the learner is in"
    );
    let stranger = LearnerLabel {
        learner: learner(52),
        ..label
    };
    assert!(
        !db.label_learner(stranger).await.unwrap(),
        "no such learner here"
    );

    let results = db
        .results(ResultQuery::everything().in_group(Some("riders".into())))
        .await
        .unwrap();
    assert_eq!(results.len(), 2);
    for (stored, sent) in results.iter().zip(&chain) {
        assert!(is_hub_time(&stored.received_at), "{}", stored.received_at);
        assert_eq!(
            (&stored.record, stored.group.as_str()),
            (&sent.signed, "riders")
        );
    }
    assert!(db
        .results(ResultQuery::everything().in_group(Some("cleaners".into())))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        db.results(ResultQuery::everything()).await.unwrap().len(),
        2
    );
}

pub async fn a_trainer_links_a_new_identity_to_the_old_one_with_an_audit_entry(fresh: Fresh) {
    let db = fresh.open().await;
    let code = db.create_enrolment("riders", None, None).await.unwrap();
    // Three identities of one person (two lost phones), and a stranger never seen here.
    for seed in [71, 72, 73] {
        let joined = db.register_device(joining(
            Some(code.clone()),
            device(seed).public_key(),
            learner(seed),
        ));
        joined.await.unwrap().unwrap();
    }
    let link = |learner_seed: u8, person: String| LearnerLink {
        learner: learner(learner_seed),
        person,
        by: "Amina (trainer)".into(),
        reason: "seen in class with her ID card".into(),
    };
    assert_eq!(
        db.link_learner(link(71, learner(71))).await.unwrap(),
        Err(LinkRefusal::SameLearner)
    );
    assert_eq!(
        db.link_learner(link(72, learner(99))).await.unwrap(),
        Err(LinkRefusal::UnknownLearner(learner(99)))
    );
    assert_eq!(
        db.link_learner(link(72, learner(71))).await.unwrap(),
        Ok(learner(71))
    );
    assert_eq!(
        db.link_learner(link(72, learner(73))).await.unwrap(),
        Err(LinkRefusal::AlreadyLinked {
            learner: learner(72),
            person: learner(71)
        })
    );
    assert_eq!(
        db.link_learner(link(71, learner(72))).await.unwrap(),
        Err(LinkRefusal::WouldLoop(learner(72)))
    );
    // Linked to a linked identity: counted as the first one, not along a chain.
    assert_eq!(
        db.link_learner(link(73, learner(72))).await.unwrap(),
        Ok(learner(71))
    );
    let people: Vec<(String, String)> = db
        .learners(&Scope::Everything, None)
        .await
        .unwrap()
        .into_iter()
        .map(|l| (l.learner, l.person))
        .collect();
    for seed in [71, 72, 73] {
        assert!(people.contains(&(learner(seed), learner(71))), "{people:?}");
    }
    let audit = db.audit().await.unwrap();
    assert_eq!(audit.len(), 2, "refusals change nothing and leave no entry");
    assert_eq!(
        (audit[0].actor.as_str(), audit[0].action.as_str()),
        ("Amina (trainer)", "link_learner")
    );
    let detail: serde_json::Value = serde_json::from_str(&audit[1].detail).unwrap();
    assert_eq!(detail["learner"], learner(73).as_str());
    assert_eq!(detail["person"], learner(71).as_str());
    assert_eq!(detail["reason"], "seen in class with her ID card");
    assert!(
        audit[0].at.ends_with('Z') && audit[0].at.len() == 24,
        "{}",
        audit[0].at
    );

    // Results of the new identity read as the person's.
    let chain = record_chain(&device(72), &learner(72), 1);
    db.ingest(device(72).public_key(), verified(&chain))
        .await
        .unwrap();
    let results = db.results(ResultQuery::everything()).await.unwrap();
    assert_eq!(results[0].person, learner(71));
}
