//! Cases of the storage conformance suite for what a reader may see: a trainer's scope names
//! groups, and every view (groups, learners, results, codes, flags) comes back filtered by
//! the database to those groups, narrowed to one learner or one module when asked.

use skillpack_core::testing::record_chain;
use skillpack_hub::storage::{ResultQuery, Scope};

use super::{device, joining, learner, verified};
use crate::storage::Fresh;

pub async fn a_scope_sees_only_its_groups_in_every_view(fresh: Fresh) {
    let db = fresh.open().await;
    // A rider and a cleaner, each in their own group, with two results each; the cleaner's
    // chain has a gap, so it is flagged.
    let mut code = std::collections::BTreeMap::new();
    for (group, seed) in [("riders", 91u8), ("cleaners", 92u8)] {
        let c = db.create_enrolment(group, None, None).await.unwrap();
        let key = device(seed);
        let joined = db.register_device(joining(Some(c.clone()), key.public_key(), learner(seed)));
        assert_eq!(joined.await.unwrap(), Ok(group.to_owned()));
        let chain = verified(&record_chain(&key, &learner(seed), 3));
        let sent = if seed == 92 {
            vec![chain[0].clone(), chain[2].clone()]
        } else {
            chain[..2].to_vec()
        };
        db.ingest(key.public_key(), sent).await.unwrap();
        code.insert(group, c);
    }
    let riders = Scope::Groups(vec!["riders".into()]);

    let groups = db.groups(&riders).await.unwrap();
    assert_eq!(
        groups.iter().map(|g| g.group.as_str()).collect::<Vec<_>>(),
        ["riders"]
    );
    assert_eq!(db.groups(&Scope::Everything).await.unwrap().len(), 2);

    let seen = db.learners(&riders, None).await.unwrap();
    assert_eq!(
        seen.iter().map(|l| l.learner.clone()).collect::<Vec<_>>(),
        [learner(91)]
    );
    assert!(
        db.learners(&riders, Some(&learner(92)))
            .await
            .unwrap()
            .is_empty(),
        "the cleaner is out of the riders' trainer's sight"
    );
    assert_eq!(
        db.learners(&Scope::Everything, Some(&learner(92)))
            .await
            .unwrap()
            .len(),
        1
    );

    let results = db.results(ResultQuery::new(riders.clone())).await.unwrap();
    assert_eq!(results.len(), 2);
    assert!(results
        .iter()
        .all(|r| r.record.record.learner == learner(91)));
    let of_cleaner = ResultQuery::new(riders.clone()).of_learner(&learner(92));
    assert!(db.results(of_cleaner).await.unwrap().is_empty());
    let everything = db.results(ResultQuery::everything()).await.unwrap();
    assert_eq!(everything.len(), 4);
    let cleaner = ResultQuery::everything().of_learner(&learner(92));
    assert_eq!(db.results(cleaner).await.unwrap().len(), 2);
    let module = ResultQuery::new(riders.clone()).of_module("bike-check");
    assert_eq!(db.results(module).await.unwrap().len(), 2);
    let other_module = ResultQuery::new(riders.clone()).of_module("fire-safety");
    assert!(db.results(other_module).await.unwrap().is_empty());
    let other_group = ResultQuery::new(riders.clone()).in_group(Some("cleaners".into()));
    assert!(
        db.results(other_group).await.unwrap().is_empty(),
        "a group named outside the scope shows nothing"
    );

    let codes = db.enrolment_codes(&riders).await.unwrap();
    assert_eq!(
        codes.iter().map(|c| c.code.as_str()).collect::<Vec<_>>(),
        [code["riders"].as_str()]
    );
    assert_eq!(
        db.enrolment_codes(&Scope::Everything).await.unwrap().len(),
        2
    );

    assert!(db.flags(&riders, None).await.unwrap().is_empty());
    let cleaners = Scope::Groups(vec!["cleaners".into()]);
    assert_eq!(db.flags(&cleaners, None).await.unwrap().len(), 1);
    assert_eq!(
        db.flags(&Scope::Everything, Some(&learner(92)))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(db
        .flags(&Scope::Everything, Some(&learner(91)))
        .await
        .unwrap()
        .is_empty());

    let nobody = Scope::Groups(Vec::new());
    assert!(db.groups(&nobody).await.unwrap().is_empty());
    assert!(db.learners(&nobody, None).await.unwrap().is_empty());
    assert!(db
        .results(ResultQuery::new(nobody.clone()))
        .await
        .unwrap()
        .is_empty());
    assert!(db.enrolment_codes(&nobody).await.unwrap().is_empty());
    assert!(db.flags(&nobody, None).await.unwrap().is_empty());
}
