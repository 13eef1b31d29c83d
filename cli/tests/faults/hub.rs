//! The hub side of a fault test: `skillpack serve` as real processes, so one can be killed
//! with SIGKILL mid-sync and restarted on the same database and port; the database on
//! SQLite or, when asked, on PostgreSQL (three hubs on it and one pack store, as behind a balancer); set up as an
//! operator and a trainer would, with the `skillpack` command; read back through the hub's
//! storage API, the same on both engines.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use skillpack_hub::storage::{FlagRow, LearnerRow, ResultQuery, Scope, StoredResult};
use skillpack_hub::HubDb;

use crate::common::{assets, ok};

/// True when the tests are asked to run on PostgreSQL (`SKILLPACK_HUB_TEST_ENGINE=postgres`,
/// as for the hub's own tests).
pub fn on_postgres() -> bool {
    std::env::var("SKILLPACK_HUB_TEST_ENGINE").as_deref() == Ok("postgres")
}

/// A fresh hub database: SQLite in `dir`, or a new database on the cluster that
/// `SKILLPACK_TEST_POSTGRES` names (`scripts/with-postgres` starts one).
pub fn fresh_database(dir: &Path) -> String {
    if on_postgres() {
        postgres_database("hub")
    } else {
        format!("sqlite://{}", dir.join("hub.db").display())
    }
}

/// A new, empty PostgreSQL database on the test cluster, its name starting with `prefix`;
/// its URL.
pub fn postgres_database(prefix: &str) -> String {
    skillpack_hub::testing::fresh_postgres_database(prefix).unwrap()
}

/// One `skillpack serve` process; killed when dropped.
pub struct HubProcess {
    child: Child,
    /// Where it listens (the same after every restart).
    pub addr: SocketAddr,
    db: String,
    log: PathBuf,
}

impl HubProcess {
    /// Starts a hub on `db` on a free loopback port, its log appended to `log`.
    pub fn start(db: &str, log: &Path) -> Self {
        let (child, addr) = spawn_hub(db, "127.0.0.1:0", log);
        Self {
            child,
            addr,
            db: db.to_owned(),
            log: log.to_owned(),
        }
    }

    /// Kills it with SIGKILL: no shutdown, whatever it was doing.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts it again on the same database and port, once it is dead.
    pub fn restart(&mut self) {
        self.kill();
        self.restart_on(&self.db.clone());
    }

    /// Starts it again on the same port with `db` (a database restored from a backup).
    pub fn restart_on(&mut self, db: &str) {
        self.kill();
        self.db = db.to_owned();
        let (child, _) = spawn_hub(db, &self.addr.to_string(), &self.log);
        self.child = child;
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Where the hubs logging beside `log` keep their packs: a prefix of the test bucket named
/// after the test's folder when `SKILLPACK_TEST_S3` names one, else a folder beside the log.
pub fn shared_packs(log: &Path) -> std::ffi::OsString {
    match std::env::var("SKILLPACK_TEST_S3") {
        Ok(bucket) => {
            let folder = log.parent().and_then(Path::file_name).unwrap_or_default();
            format!(
                "{bucket}/faults-{}",
                folder.to_string_lossy().trim_start_matches('.')
            )
            .into()
        }
        Err(_) => log.with_file_name("packs").into_os_string(),
    }
}

/// Starts `skillpack serve` and waits until it listens (it prints where once it does);
/// a port that is still held (a killed hub's) is tried again for a while.
fn spawn_hub(db: &str, listen: &str, log: &Path) -> (Child, SocketAddr) {
    let give_up = Instant::now() + Duration::from_secs(20);
    loop {
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_skillpack"))
            .args(["serve", "--listen", listen, "--db", db])
            // One store for both hubs: the test bucket under scripts/with-s3, else a folder
            // beside the log (never the working folder, PostgreSQL's default).
            .arg("--packs")
            .arg(shared_packs(log))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .expect("the hub starts");
        let mut line = String::new();
        let _ = BufReader::new(child.stdout.take().unwrap()).read_line(&mut line);
        if let Some(url) = line.trim().strip_prefix("listening on http://") {
            return (child, url.parse().unwrap());
        }
        let status = child.wait().unwrap();
        assert!(
            Instant::now() < give_up,
            "the hub on {listen} did not start ({status}); see {}",
            log.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The trainer's key and the key devices trust.
pub fn publisher_keys() -> (PathBuf, PathBuf) {
    (
        assets().join("keys/demo-publisher.key"),
        assets().join("keys/demo-publisher.pub"),
    )
}

/// Builds the sample module `module` as a pack in `dir`, with unlimited attempts and no
/// cooldown so a device can take it a hundred times; `version` names the pack's version.
pub fn build_pack(dir: &Path, module: &str, version: &str) -> PathBuf {
    let src = dir.join("modules").join(format!("{module}-{version}"));
    copy_dir(&assets().join("modules").join(module), &src);
    let toml = std::fs::read_to_string(src.join("module.toml")).unwrap();
    let unlimited = toml
        .replace("attempts = 3", "attempts = 0")
        .replace("cooldown_minutes = 30", "cooldown_minutes = 0");
    assert_ne!(
        toml, unlimited,
        "{module}'s attempts are limited as expected"
    );
    std::fs::write(src.join("module.toml"), unlimited).unwrap();
    let out = dir.join(format!("{module}-{version}.skillpack"));
    let key = publisher_keys().0;
    let args = [
        "build",
        src.to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
        "--pack-version",
        version,
        "-o",
        out.to_str().unwrap(),
    ];
    ok(dir, &args);
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Makes the hub database `db` as an operator does: schema, the trainer as publisher.
pub fn init_database(dir: &Path, db: &str) {
    ok(dir, &["hub", "init", "--db", db]);
    let public = publisher_keys().1;
    let args = ["hub", "add-publisher", "--db", db, public.to_str().unwrap()];
    ok(dir, &args);
}

/// An enrolment code for `uses` devices in `group`.
pub fn enrol(dir: &Path, db: &str, group: &str, uses: usize) -> String {
    let uses = uses.to_string();
    let args = [
        "hub", "enrol", "--db", db, "--group", group, "--uses", &uses,
    ];
    ok(dir, &args).trim().to_owned()
}

/// Publishes `pack` to `group` on the hub at `url`, as the trainer does.
pub fn publish(dir: &Path, url: &str, pack: &Path, group: &str) {
    let key = publisher_keys().0;
    let args = [
        "publish",
        "--hub",
        url,
        "--key",
        key.to_str().unwrap(),
        pack.to_str().unwrap(),
        "--group",
        group,
    ];
    ok(dir, &args);
}

/// What a hub database holds, read through the hub's storage API (either engine).
pub struct HubView {
    /// Every stored record.
    pub results: Vec<StoredResult>,
    /// Every registered device.
    pub learners: Vec<LearnerRow>,
    /// Gaps and forks flagged.
    pub flags: Vec<FlagRow>,
}

impl HubView {
    /// Reads the database at `db` (a hub may be running on it).
    pub fn read(db: &str) -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let hub = HubDb::open_existing(db, None).await.unwrap();
            Self {
                results: hub.results(ResultQuery::everything()).await.unwrap(),
                learners: hub.learners(&Scope::Everything, None).await.unwrap(),
                flags: hub.flags(&Scope::Everything, None).await.unwrap(),
            }
        })
    }
}
