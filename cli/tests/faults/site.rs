//! One test's world: a hub database, the hubs serving it (one on SQLite, three on PostgreSQL,
//! as behind a balancer), the fault proxy in front of them, the operator's enrolment codes
//! and the trainer's packs; then what every scenario ends with: clean rounds until every
//! device has nothing left to do, and the checks that nothing was lost, doubled or broken.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use skillpack_core::keys::PublicKey;
use skillpack_core::ledger::{verify_chain, SignedRecord};
use skillpack_core::sync::SyncReport;

use crate::device::TestDevice;
use crate::hub::{self, HubProcess, HubView};
use crate::proxy::{FaultPlan, Proxy};

/// Clean rounds allowed before a device that still has something to do fails the test.
const MAX_CLEAN_ROUNDS: usize = 5;

/// A pack built for a test.
#[derive(Debug, Clone)]
pub struct BuiltPack {
    /// Its id (the module's).
    pub id: String,
    /// Its file.
    pub path: PathBuf,
}

/// Hubs on one database behind the fault proxy, with what the operator and the trainer
/// set up; everything stops when dropped.
pub struct Site {
    /// The proxy devices talk through.
    pub proxy: Proxy,
    /// The hubs (three on PostgreSQL).
    pub hubs: Vec<HubProcess>,
    /// The hubs' database URL.
    pub db: String,
    /// The pack ids offered to each group.
    pub offered: BTreeMap<String, BTreeSet<String>>,
    /// The test's folder: the hub's database (on SQLite), its log, packs, devices; last, so
    /// the hubs stop before it goes.
    pub dir: tempfile::TempDir,
}

impl Site {
    /// Makes the database, starts the hubs and the proxy (faults on, by `plan` and `seed`).
    pub fn start(plan: FaultPlan, seed: u64) -> Self {
        let dir = test_dir();
        let db = hub::fresh_database(dir.path());
        hub::init_database(dir.path(), &db);
        let count = if hub::on_postgres() { 3 } else { 1 };
        let log = dir.path().join("hub.log");
        let hubs: Vec<HubProcess> = (0..count).map(|_| HubProcess::start(&db, &log)).collect();
        let proxy = Proxy::start(hubs.iter().map(|h| h.addr).collect(), plan, seed).unwrap();
        Self {
            proxy,
            hubs,
            db,
            offered: BTreeMap::new(),
            dir,
        }
    }

    /// The test's folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The URL devices sync with: the proxy's.
    pub fn url(&self) -> String {
        self.proxy.url()
    }

    /// An enrolment code for `uses` devices in `group`.
    pub fn enrol(&self, group: &str, uses: usize) -> String {
        hub::enrol(self.path(), &self.db, group, uses)
    }

    /// Builds the sample module `module` (unlimited attempts) as pack `version`.
    pub fn build(&self, module: &str, version: &str) -> BuiltPack {
        BuiltPack {
            id: module.to_owned(),
            path: hub::build_pack(self.path(), module, version),
        }
    }

    /// Publishes `pack` to `group` straight to a hub, as the trainer does.
    pub fn publish(&mut self, pack: &BuiltPack, group: &str) {
        let url = format!("http://{}", self.hubs[0].addr);
        hub::publish(self.path(), &url, &pack.path, group);
        let offered = self.offered.entry(group.to_owned()).or_default();
        offered.insert(pack.id.clone());
    }

    /// Syncs every device, all at once, round after round without faults, until a round in
    /// which no device had anything left to send or fetch; how many rounds that took.
    pub fn clean_rounds(&self, devices: &[TestDevice]) -> usize {
        self.proxy.set_faults(false);
        let url = self.url();
        let mut last = Vec::new();
        for round in 1..=MAX_CLEAN_ROUNDS {
            last = std::thread::scope(|s| {
                let syncs: Vec<_> = devices
                    .iter()
                    .map(|d| s.spawn(|| d.connect(&url).map_err(|e| e.to_string())))
                    .collect();
                syncs
                    .into_iter()
                    .map(|sync| sync.join().unwrap())
                    .collect::<Vec<_>>()
            });
            if last
                .iter()
                .all(|r| r.as_ref() == Ok(&SyncReport::default()))
            {
                return round;
            }
        }
        let busy: Vec<String> = devices
            .iter()
            .zip(&last)
            .filter(|(_, r)| r.as_ref() != Ok(&SyncReport::default()))
            .map(|(d, r)| format!("{}: {r:?} (earlier: {:?})", d.name, d.errors))
            .collect();
        panic!(
            "after {MAX_CLEAN_ROUNDS} clean rounds, devices still had work or failed:\n{}",
            busy.join("\n")
        );
    }

    /// Checks that everything is in place: at the hub every device's every record once and
    /// nothing else, each device's chain there intact; on every device an empty outbox, an
    /// intact chain, and exactly the packs offered to its group; every device registered
    /// once, for its learner, in its group. Returns what the hub holds for further checks.
    pub fn assert_everything_in_place(&self, devices: &[TestDevice]) -> HubView {
        let view = HubView::read(&self.db);
        let mut at_hub: BTreeMap<String, Vec<SignedRecord>> = BTreeMap::new();
        for stored in &view.results {
            let device = stored.record.record.device.clone();
            at_hub
                .entry(device)
                .or_default()
                .push(stored.record.clone());
        }
        for d in devices {
            let mine = d.store.records().unwrap();
            let mut theirs = at_hub.remove(&d.store.device_did()).unwrap_or_default();
            theirs.sort_by_key(|r| r.record.seq);
            assert_same_records(&d.name, &mine, &theirs);
            verify_chain(&theirs).unwrap_or_else(|e| panic!("{}: chain at the hub: {e}", d.name));
            let check = d.store.check().unwrap();
            assert_eq!(check.records, mine.len());
            assert_eq!(check.outbox, 0, "{}: outbox empty", d.name);
            assert!(d.store.outbox().unwrap().is_empty(), "{}", d.name);
            let installed: BTreeSet<String> = d
                .store
                .installed_packs()
                .unwrap()
                .into_iter()
                .map(|p| p.id)
                .collect();
            assert_eq!(
                Some(&installed),
                self.offered.get(&d.group),
                "{}: every pack of its group",
                d.name
            );
            let registered: Vec<_> = view
                .learners
                .iter()
                .filter(|l| l.device == device_hex(&d.store.device_did()))
                .collect();
            assert_eq!(registered.len(), 1, "{}: registered once", d.name);
            assert_eq!(
                (&registered[0].learner, &registered[0].group),
                (&d.store.learner_did(), &d.group)
            );
        }
        assert!(
            at_hub.is_empty(),
            "records of devices no test made: {:?}",
            at_hub.keys()
        );
        assert_eq!(view.learners.len(), devices.len(), "no stranger registered");
        view
    }
}

/// A folder for one test, in memory where the machine has a tmpfs: a device commits every
/// answer with `synchronous = FULL`, an fsync cost 3 ms on the disk of the machine this was
/// written on (2026-11-24), and 2,000 attempts would spend a minute in fsyncs alone. A process
/// killed with SIGKILL loses nothing the page cache holds, so this takes nothing from the
/// kills; what it leaves out is a power cut, which this test does not make.
fn test_dir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        if let Ok(dir) = tempfile::Builder::new().prefix("faults").tempdir_in(shm) {
            return dir;
        }
    }
    tempfile::tempdir().unwrap()
}

/// A device's key as the hub's views name it: lowercase hex.
fn device_hex(did: &str) -> String {
    skillpack_core::hex::encode(&PublicKey::parse(did).unwrap().to_bytes())
}

/// Asserts that the hub holds exactly the device's records, each once; says which are
/// missing or extra by number.
fn assert_same_records(name: &str, device: &[SignedRecord], hub: &[SignedRecord]) {
    let numbered = |records: &[SignedRecord]| -> Vec<(u64, String)> {
        records
            .iter()
            .map(|r| (r.record.seq, r.record.id.clone()))
            .collect()
    };
    let (mine, theirs) = (numbered(device), numbered(hub));
    if mine != theirs {
        let missing: Vec<u64> = mine
            .iter()
            .filter(|r| !theirs.contains(r))
            .map(|r| r.0)
            .collect();
        let extra: Vec<u64> = theirs
            .iter()
            .filter(|r| !mine.contains(r))
            .map(|r| r.0)
            .collect();
        let distinct: BTreeSet<&(u64, String)> = theirs.iter().collect();
        panic!(
            "{name}: the device has {} records, the hub {} ({} distinct); the hub lacks \
             numbers {missing:?} and has others numbered {extra:?}",
            mine.len(),
            theirs.len(),
            distinct.len()
        );
    }
}
