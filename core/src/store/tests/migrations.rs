//! The store's schema over time: a newer app's store refused, every version's frozen schema
//! upgraded to exactly the fresh one, a version-1 store with data read as before, and what
//! each step moves.

use rusqlite::Connection;

use super::*;

#[test]
fn a_store_from_a_newer_app_is_refused() {
    let dev = device();
    drop(dev.store);
    let conn = Connection::open(dev.path.join(db::DB_FILE)).expect("open");
    conn.pragma_update(None, "user_version", 99).expect("bump");
    drop(conn);
    assert!(matches!(
        Store::open(&dev.path),
        Err(StoreError::TooNew { found: 99, .. })
    ));
}

#[test]
fn migrating_a_fresh_database_gives_the_current_version() {
    let mut conn = Connection::open_in_memory().expect("memory");
    schema::migrate(&mut conn).expect("migrates");
    let v: u32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(v, schema::current_version());
    schema::migrate(&mut conn).expect("a second run changes nothing");
}

fn schema_of(conn: &Connection) -> Vec<(String, String)> {
    let mut stmt = conn
        .prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
        .expect("prepare");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

/// The schema of every past version as the code of that version wrote it, frozen: index
/// `i` is version `i + 1`. A new migration adds its file here.
const FROZEN_SCHEMAS: &[&str] = &[
    include_str!("../migrations/frozen/v0001.sql"),
    include_str!("../migrations/frozen/v0002.sql"),
    include_str!("../migrations/frozen/v0003.sql"),
    include_str!("../migrations/frozen/v0004.sql"),
    include_str!("../migrations/frozen/v0005.sql"),
    include_str!("../migrations/frozen/v0006.sql"),
    include_str!("../migrations/frozen/v0007.sql"),
    include_str!("../migrations/frozen/v0008.sql"),
    include_str!("../migrations/frozen/v0009.sql"),
    include_str!("../migrations/frozen/v0010.sql"),
    include_str!("../migrations/frozen/v0011.sql"),
];

/// A device store written by the code of version 1, with data (`sqlite3 .dump`, zstd): the
/// four sample packs installed over the network by `skillpack demo` (three since removed),
/// a 24-module pack whose text chunks need its dictionary, lessons read and a module passed.
const VERSION_1_STORE: &[u8] = include_bytes!("../migrations/frozen/v0001-store.sql.zst");

/// The version-1 store with data, laid out in `dir` with its keys, not yet opened.
fn version_1_store(dir: &std::path::Path) {
    let keys = dir.join(super::KEYS_DIR);
    std::fs::create_dir_all(&keys).expect("keys");
    let frozen_keys: [(&str, &[u8]); 2] = [
        (
            "device.key",
            include_bytes!("../migrations/frozen/v0001-store-keys/device.key"),
        ),
        (
            "learner.key",
            include_bytes!("../migrations/frozen/v0001-store-keys/learner.key"),
        ),
    ];
    for (name, key) in frozen_keys {
        std::fs::write(keys.join(name), key).expect("key");
    }
    let sql = zstd::decode_all(VERSION_1_STORE).expect("inflates");
    let old = Connection::open(dir.join(super::db::DB_FILE)).expect("db");
    // A dump creates tables in name order, so rows can come before the tables they name.
    old.pragma_update(None, "foreign_keys", false)
        .expect("pragma");
    old.execute_batch(std::str::from_utf8(&sql).expect("utf-8"))
        .expect("the version 1 store");
    old.pragma_update(None, "user_version", 1).expect("version");
}

#[test]
fn a_store_written_by_version_1_opens_and_reads_as_before() {
    let dir = tempfile::tempdir().expect("temp");
    version_1_store(dir.path());
    let store = Store::open(dir.path()).expect("opens and upgrades");
    assert_eq!(store.check().expect("the chain").records, 1);
    let now = DateTime::from_timestamp(1_800_000_000, 0).expect("valid");
    let catalog = store.catalog(now).expect("catalog");
    assert_eq!(
        catalog.len(),
        25,
        "the sample module and the 24 of the big pack"
    );
    let scams = catalog
        .iter()
        .find(|m| m.id == "mobile-money-scams")
        .expect("listed");
    assert_eq!(scams.title, "Spotting mobile-money scams");
    assert_eq!((scams.lessons, scams.lessons_opened), (5, 1));
    assert_eq!(scams.state, ModuleState::Passed);
    let mut media = 0;
    for lesson in 0..5 {
        let content = store.lesson("mobile-money-scams", lesson).expect("reads");
        assert!(content.markdown.starts_with("# "), "lesson {lesson}");
        for item in &content.media {
            assert!(item.bytes.as_ref().is_some_and(|b| !b.is_empty()));
            assert!(item.media_type.is_some());
            media += 1;
        }
    }
    assert!(media > 0, "the sample lessons show images");
    // Text compressed with the pack's dictionary, every chunk and entry checked by its hash.
    for module in catalog.iter().filter(|m| m.pack_id == "dict-pack") {
        assert_eq!(module.lessons, 5);
        for lesson in 0..5 {
            store.lesson(&module.id, lesson).expect("reads");
        }
    }
    let calming = store.lesson("talking-with-customers-7", 2).expect("reads");
    assert_eq!(calming.title, "Calming an unhappy customer");
    store.uninstall("dict-pack").expect("removes");
    assert_eq!(store.catalog(now).expect("catalog").len(), 1);
}

#[test]
fn a_version_1_pack_that_cannot_be_carried_over_is_removed_and_the_rest_opens() {
    let dir = tempfile::tempdir().expect("temp");
    version_1_store(dir.path());
    let conn = Connection::open(dir.path().join(super::db::DB_FILE)).expect("db");
    conn.execute(
        "UPDATE packs SET manifest = '{\"not\": \"a manifest\"}' WHERE id = 'dict-pack'",
        [],
    )
    .expect("spoil");
    drop(conn);
    let store = Store::open(dir.path()).expect("opens without the spoiled pack");
    let installed: Vec<String> = store
        .installed_packs()
        .expect("packs")
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(installed, vec!["mobile-money-scams".to_owned()]);
    assert_eq!(store.check().expect("the chain").records, 1, "results stay");
    store.lesson("mobile-money-scams", 0).expect("reads");
}

#[test]
fn every_version_has_a_frozen_schema_and_the_newest_is_what_fresh_stores_get() {
    assert_eq!(
        FROZEN_SCHEMAS.len(),
        schema::current_version() as usize,
        "freeze the new version's schema in migrations/frozen/"
    );
    let mut fresh = Connection::open_in_memory().expect("memory");
    schema::migrate(&mut fresh).expect("migrates");
    let frozen = Connection::open_in_memory().expect("memory");
    frozen
        .execute_batch(FROZEN_SCHEMAS[FROZEN_SCHEMAS.len() - 1])
        .expect("frozen schema");
    assert_eq!(
        schema_of(&fresh),
        schema_of(&frozen),
        "a shipped migration was edited, or the newest frozen schema is stale"
    );
}

#[test]
fn upgrading_from_every_frozen_schema_gives_exactly_the_fresh_schema() {
    let mut fresh = Connection::open_in_memory().expect("memory");
    schema::migrate(&mut fresh).expect("migrates");
    for (i, frozen) in FROZEN_SCHEMAS.iter().enumerate() {
        let version = i as u32 + 1;
        let mut old = Connection::open_in_memory().expect("memory");
        old.execute_batch(frozen).expect("frozen schema");
        old.pragma_update(None, "user_version", version)
            .expect("version");
        schema::migrate(&mut old).expect("upgrades");
        assert_eq!(
            schema_of(&old),
            schema_of(&fresh),
            "upgrading from version {version}"
        );
    }
}

/// Step 8: apps before it refused credentials carrying an embedded endorsement and counted
/// past them, so an upgraded store takes every credential from the hub again.
#[test]
fn upgrading_to_version_8_takes_every_credential_again() {
    let mut old = Connection::open_in_memory().expect("memory");
    old.execute_batch(FROZEN_SCHEMAS[6]).expect("frozen schema");
    old.pragma_update(None, "user_version", 7).expect("version");
    old.execute(
        "INSERT INTO settings (key, value) VALUES ('sync.credentials_taken', '12'),
         ('sync.name_sent', 'Achieng')",
        [],
    )
    .expect("settings");
    schema::migrate(&mut old).expect("upgrades");
    let settings: Vec<(String, String)> = old
        .prepare("SELECT key, value FROM settings ORDER BY key")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(
        settings,
        vec![("sync.name_sent".to_owned(), "Achieng".to_owned())]
    );
}
