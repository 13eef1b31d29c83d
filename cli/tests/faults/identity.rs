//! Two devices of one learner: the learner's identity moves to a new phone in its encrypted
//! backup (`export_identity`, `restore_identity`), the old phone keeps its results, both
//! take assessments and sync through faults, and the hub counts one learner (and flags the
//! attempt numbers both phones used).

use std::collections::BTreeSet;

use skillpack_core::device::Device;
use skillpack_core::store::Store;

use crate::device::TestDevice;
use crate::proxy::FaultPlan;
use crate::site::Site;

const PASSPHRASE: &str = "a long enough passphrase";

#[test]
fn two_devices_of_one_learner_sync_through_faults_and_the_hub_counts_one_learner() {
    let seed = crate::seed_for("identity");
    let mut site = Site::start(FaultPlan::from_env(0.3, 30), seed);
    let pack = site.build("mobile-money-scams", "1.0.0");
    site.publish(&pack, "money");
    let code = site.enrol("money", 2);
    let url = site.url();
    let enrolment = ("money", code.as_str());

    let mut old = TestDevice::new(site.path(), "old-phone", enrolment, &pack.path, seed);
    old.take(10);
    old.connect_or_log(&url, "old phone");
    let backup = Device::open(&old.dir)
        .unwrap()
        .export_identity(PASSPHRASE)
        .unwrap()
        .to_armored()
        .unwrap();

    let dir = site.path().join("new-phone");
    Device::create(&dir)
        .unwrap()
        .restore_identity(&Store::file_keys(&dir), &backup, PASSPHRASE)
        .unwrap();
    let store = Store::open(&dir).unwrap();
    let new = TestDevice::with_store("new-phone", dir, store, enrolment, &pack.path, !seed);
    assert_eq!(new.store.learner_did(), old.store.learner_did());
    assert_ne!(new.store.device_did(), old.store.device_did());

    let mut devices = [old, new];
    std::thread::scope(|s| {
        for d in devices.iter_mut() {
            let url = &url;
            s.spawn(move || {
                for round in 0..3 {
                    d.take(5);
                    d.connect_or_log(url, &format!("round {round}"));
                }
            });
        }
    });
    site.clean_rounds(&devices);
    let view = site.assert_everything_in_place(&devices);
    // No gap or fork in either chain. The two phones take attempts at the same time, each
    // before the other's reach it, so some attempt numbers are made on both: the hub flags
    // each such record (`attempt`), and only those.
    let chain: Vec<_> = view.flags.iter().filter(|f| f.kind != "attempt").collect();
    assert!(chain.is_empty(), "{chain:?}");
    assert!(
        view.flags
            .iter()
            .filter(|f| f.kind == "attempt")
            .all(|f| f.detail.contains("was also made on another device")),
        "{:?}",
        view.flags
    );
    let learners: BTreeSet<&str> = view.learners.iter().map(|l| l.learner.as_str()).collect();
    let people: BTreeSet<&str> = view.results.iter().map(|r| r.person.as_str()).collect();
    assert_eq!(learners.len(), 1, "one learner on two devices");
    assert_eq!(people, learners, "every result is that learner's");
    assert_eq!(view.results.len(), 10 + 15 + 15);
    eprintln!("identity: {}", site.proxy.stats());
}
