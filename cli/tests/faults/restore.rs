//! A hub restored from a backup that lacks records it had acknowledged: devices keep their
//! records, the hub tells each device the last record it holds of it, the device sends what
//! is missing, and the restored hub holds every record again. The backup is taken as
//! docs/operations.md tells an operator to, while the hubs serve: `skillpack hub backup` on
//! SQLite, `pg_dump --format=custom` on PostgreSQL, restored with `pg_restore` into a new
//! database.

use std::path::Path;
use std::process::Command;

use crate::device::TestDevice;
use crate::hub;
use crate::proxy::FaultPlan;
use crate::site::Site;

const DEVICES: usize = 3;

#[test]
fn a_hub_restored_from_an_old_backup_gets_back_every_record_from_the_devices() {
    let seed = crate::seed_for("restore");
    let mut site = Site::start(FaultPlan::from_env(0.2, 20), seed);
    let taken = site.build("talking-with-customers", "1.0.0");
    let fetched = site.build("safe-riding", "1.0.0");
    site.publish(&taken, "riders");
    site.publish(&fetched, "riders");
    let code = site.enrol("riders", DEVICES);
    let mut devices: Vec<TestDevice> = (0..DEVICES)
        .map(|i| {
            let name = format!("device-{i}");
            let seed = seed ^ ((i as u64) << 40);
            TestDevice::new(site.path(), &name, ("riders", &code), &taken.path, seed)
        })
        .collect();

    let url = site.url();
    site.proxy.set_faults(false);
    for d in &mut devices {
        d.take(20);
        d.connect(&url).unwrap();
    }
    let backup = back_up(&site.db, site.path());
    for d in &mut devices {
        d.take(15);
        let report = d.connect(&url).unwrap();
        assert_eq!(report.pushed, 15, "acknowledged after the backup");
    }

    for h in &mut site.hubs {
        h.kill();
    }
    let restored = restore(&site.db, &backup);
    for h in &mut site.hubs {
        h.restart_on(&restored);
    }
    site.db = restored;
    assert_eq!(hub::HubView::read(&site.db).results.len(), DEVICES * 20);

    site.proxy.set_faults(true);
    std::thread::scope(|s| {
        for d in devices.iter_mut() {
            let url = &url;
            s.spawn(move || {
                d.take(5);
                d.connect_or_log(url, "after the restore");
            });
        }
    });
    site.clean_rounds(&devices);
    // Flags are left alone: a record sent after the restore and before the heal may have
    // left a gap on record; whether a heal clears it is the heal's to decide.
    let view = site.assert_everything_in_place(&devices);
    assert_eq!(view.results.len(), DEVICES * 40);
}

/// A backup of the hub database at `db`, taken while the hubs serve, as the operations page
/// says.
fn back_up(db: &str, dir: &Path) -> std::path::PathBuf {
    let backup = dir.join("hub-backup");
    if db.starts_with("sqlite://") {
        let out = Command::new(env!("CARGO_BIN_EXE_skillpack"))
            .args(["hub", "backup", "--db", db, "-o"])
            .arg(&backup)
            // The hubs' packs, as they were started with (a folder beside the log, or the
            // test bucket).
            .env("SKILLPACK_PACKS", hub::shared_packs(&dir.join("hub.log")))
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{said}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let listed = std::fs::read_to_string(dir.join("hub-backup.packs")).unwrap();
        assert_eq!(listed.lines().count(), 2, "both packs listed: {listed}");
    } else {
        let dumped = Command::new(postgres_tool("pg_dump"))
            .args(["--format=custom", "--no-owner", "--dbname", db, "--file"])
            .arg(&backup)
            .status()
            .unwrap();
        assert!(dumped.success(), "pg_dump");
    }
    backup
}

/// A PostgreSQL client tool: on the path, or beside the server scripts/with-postgres runs.
fn postgres_tool(name: &str) -> std::path::PathBuf {
    let on_path = Command::new(name).arg("--version").output();
    if matches!(on_path, Ok(out) if out.status.success()) {
        return name.into();
    }
    let mut beside: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|version| version.path().join("bin").join(name))
        .filter(|tool| tool.is_file())
        .collect();
    beside.sort();
    beside
        .pop()
        .unwrap_or_else(|| panic!("{name} is not installed (.ci/run installs PostgreSQL)"))
}

/// The hub database `db` restored from `backup` (its hubs are stopped); its URL.
fn restore(db: &str, backup: &Path) -> String {
    match db.strip_prefix("sqlite://") {
        Some(path) => {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{path}{suffix}"));
            }
            std::fs::copy(backup, path).unwrap();
            db.to_owned()
        }
        None => {
            let restored = hub::postgres_database("restored");
            let status = Command::new(postgres_tool("pg_restore"))
                .args(["--no-owner", "--dbname", &restored])
                .arg(backup)
                .status()
                .unwrap();
            assert!(status.success(), "pg_restore");
            restored
        }
    }
}
