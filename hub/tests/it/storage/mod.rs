//! One storage conformance suite, instantiated once per engine by `conformance!` (after
//! matrix-rust-sdk's `statestore_integration_tests!`): every behaviour of `HubDb`, the
//! migrations included, must come out the same on SQLite and PostgreSQL, down to the rows a
//! trainer reads. The SQLite instance runs in every `cargo test`; the PostgreSQL one is
//! ignored unless asked for (`-- --include-ignored` under `scripts/with-postgres`, as
//! `scripts/test-all` does), and then fails rather than skips when there is no cluster.

mod cases;

use std::future::Future;

use skillpack_hub::pack_store::PacksAt;
use skillpack_hub::HubDb;

use skillpack_hub::testing::test_pack_store;

use crate::support::{fresh_postgres_database, postgres_admin};

/// A fresh, empty database on one engine, which a case may open several times.
pub struct Fresh {
    /// The database URL.
    pub url: String,
    postgres: bool,
    /// Where its packs are kept.
    packs: PacksAt,
    /// Holds the SQLite file, if any, and the packs' folder.
    _dir: tempfile::TempDir,
}

impl Fresh {
    fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        Self {
            url: format!("sqlite://{}", dir.path().join("hub.db").display()),
            postgres: false,
            packs: test_pack_store(dir.path()).unwrap(),
            _dir: dir,
        }
    }

    fn postgres() -> Self {
        let dir = tempfile::tempdir().unwrap();
        Self {
            url: fresh_postgres_database(),
            postgres: true,
            packs: test_pack_store(dir.path()).unwrap(),
            _dir: dir,
        }
    }

    /// Another fresh database on the same engine as `other`.
    pub fn like(other: &Self) -> Self {
        if other.postgres {
            // Cases run inside a runtime; the administrator's client brings its own.
            std::thread::scope(|s| s.spawn(Self::postgres).join()).unwrap()
        } else {
            Self::sqlite()
        }
    }

    /// Opens (and migrates) the database.
    pub async fn open(&self) -> HubDb {
        HubDb::open_at(&self.url, Some(&self.packs()))
            .await
            .unwrap()
    }

    /// Where this database's packs are kept.
    pub fn packs(&self) -> PacksAt {
        self.packs.clone()
    }

    /// Marks the database as written at schema `version`, as newer code would leave it.
    pub fn set_version(&self, version: u32) {
        if self.postgres {
            // Cases run inside a runtime; the administrator's client brings its own.
            let sql = format!("UPDATE schema_version SET version = {version}");
            std::thread::scope(|s| s.spawn(|| postgres_admin(&self.url, &sql)).join()).unwrap();
        } else {
            let path = self.url.trim_start_matches("sqlite://");
            let conn = rusqlite::Connection::open(path).unwrap();
            conn.pragma_update(None, "user_version", version).unwrap();
        }
    }
}

impl Fresh {
    /// Builds the schema as it was at version 3 (before times had one form) with one device
    /// registered the way that code wrote it, as an administrator would find an old hub.
    pub fn make_version_3_with_a_device(&self, device_hex: &str, learner: &str) {
        if self.postgres {
            let mut sql = String::from(
                "CREATE TABLE schema_version (version INTEGER NOT NULL);
                 INSERT INTO schema_version VALUES (3);",
            );
            for step in PG_V3 {
                sql.push_str(step);
            }
            sql.push_str(&format!(
                "INSERT INTO devices VALUES ('\\x{device_hex}', '{learner}', 'old', '2026-11-20T08:30:00.250Z');"
            ));
            std::thread::scope(|s| s.spawn(|| postgres_admin(&self.url, &sql)).join()).unwrap();
        } else {
            let path = self.url.trim_start_matches("sqlite://");
            let conn = rusqlite::Connection::open(path).unwrap();
            for step in SQLITE_V3 {
                conn.execute_batch(step).unwrap();
            }
            conn.execute_batch(&format!(
                "INSERT INTO devices VALUES (X'{device_hex}', '{learner}', 'old', '2026-11-20 08:30:00');
                 PRAGMA user_version = 3;"
            ))
            .unwrap();
        }
    }
}

impl Fresh {
    /// Builds the schema as it was at version 4 (a pack's bytes in one value of `packs`) with
    /// one pack of `bytes` stored the way that code stored it, and one chunk of it at
    /// `chunk` (offset, length) named `chunk_hash`.
    pub fn make_version_4_with_a_pack(
        &self,
        publisher: &[u8; 32],
        hash: &[u8; 32],
        bytes: &[u8],
        chunk_hash: &[u8; 32],
        chunk: (u64, u64),
    ) {
        let (publisher, hash, chunk_hash) = (hex(publisher), hex(hash), hex(chunk_hash));
        let (bytes, size) = (hex(bytes), bytes.len());
        let (offset, len) = chunk;
        if self.postgres {
            let mut sql = String::from(
                "CREATE TABLE schema_version (version INTEGER NOT NULL);
                 INSERT INTO schema_version VALUES (4);",
            );
            for step in PG_V4 {
                sql.push_str(step);
            }
            sql.push_str(&format!(
                "INSERT INTO publishers VALUES ('\\x{publisher}', 'old', now());
                 INSERT INTO packs VALUES ('\\x{hash}', 'old-pack', '1.0.0', 'riders', '\\x{publisher}',
                     'full', '[\"old-module\"]', {size}, '\\x{bytes}', now());
                 INSERT INTO chunks VALUES ('\\x{chunk_hash}', '\\x{hash}', {offset}, {len});"
            ));
            std::thread::scope(|s| s.spawn(|| postgres_admin(&self.url, &sql)).join()).unwrap();
        } else {
            let path = self.url.trim_start_matches("sqlite://");
            let conn = rusqlite::Connection::open(path).unwrap();
            for step in SQLITE_V4 {
                conn.execute_batch(step).unwrap();
            }
            conn.execute_batch(&format!(
                "INSERT INTO publishers VALUES (X'{publisher}', 'old', '2026-11-20T08:30:00.000Z');
                 INSERT INTO packs VALUES (X'{hash}', 'old-pack', '1.0.0', 'riders', X'{publisher}',
                     'full', '[\"old-module\"]', {size}, X'{bytes}', '2026-11-20T08:30:00.000Z');
                 INSERT INTO chunks VALUES (X'{chunk_hash}', X'{hash}', {offset}, {len});
                 PRAGMA user_version = 4;"
            ))
            .unwrap();
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    skillpack_core::hex::encode(bytes)
}

/// The SQLite schema steps up to version 4, as shipped.
const SQLITE_V4: [&str; 4] = [
    include_str!("../../../src/storage/sqlite/migrations/0001_init.sql"),
    include_str!("../../../src/storage/sqlite/migrations/0002_devices_and_records.sql"),
    include_str!("../../../src/storage/sqlite/migrations/0003_nonces_in_memory.sql"),
    include_str!("../../../src/storage/sqlite/migrations/0004_times_in_one_format.sql"),
];

/// The PostgreSQL schema steps up to version 4, as shipped.
const PG_V4: [&str; 4] = [
    include_str!("../../../src/storage/postgres/migrations/0001_init.sql"),
    include_str!("../../../src/storage/postgres/migrations/0002_devices_and_records.sql"),
    include_str!("../../../src/storage/postgres/migrations/0003_unlogged_nonces.sql"),
    include_str!("../../../src/storage/postgres/migrations/0004_times_as_timestamps.sql"),
];

/// The SQLite schema steps up to version 3, as shipped.
const SQLITE_V3: [&str; 3] = [
    include_str!("../../../src/storage/sqlite/migrations/0001_init.sql"),
    include_str!("../../../src/storage/sqlite/migrations/0002_devices_and_records.sql"),
    include_str!("../../../src/storage/sqlite/migrations/0003_nonces_in_memory.sql"),
];

/// The PostgreSQL schema steps up to version 3, as shipped.
const PG_V3: [&str; 3] = [
    include_str!("../../../src/storage/postgres/migrations/0001_init.sql"),
    include_str!("../../../src/storage/postgres/migrations/0002_devices_and_records.sql"),
    include_str!("../../../src/storage/postgres/migrations/0003_unlogged_nonces.sql"),
];

/// Runs one case on a fresh database, on a runtime of its own.
fn run<F, Fut>(case: F, fresh: Fresh)
where
    F: FnOnce(Fresh) -> Fut,
    Fut: Future<Output = ()>,
{
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(case(fresh));
}

/// Instantiates every case of `cases` as a test in module `$engine`, each on a fresh database
/// from `$fresh`, with any extra attributes (`#[ignore]` for PostgreSQL).
macro_rules! conformance {
    ($engine:ident, $fresh:expr $(, #[$attr:meta])*) => {
        conformance!(@cases $engine, $fresh, [$(#[$attr])*],
            migrations_from_empty_reach_the_current_version,
            reopening_a_migrated_database_changes_nothing,
            a_database_newer_than_the_code_is_refused,
            times_written_before_version_4_read_in_the_one_form,
            a_pack_stored_before_version_5_is_served_in_pieces_after,
            publishers_are_known_by_key,
            a_nonce_works_once_and_only_until_it_expires,
            a_forged_nonce_is_refused,
            unused_nonces_cost_no_storage,
            a_nonce_from_one_instance_works_once_on_another,
            a_pack_is_stored_once_by_hash_and_read_back_in_ranges_and_chunks,
            the_catalog_offers_the_newest_version_of_each_variant,
            a_pack_id_belongs_to_its_first_publisher_in_the_catalog,
            group_names_keep_the_one_rule,
            an_enrolment_code_has_its_uses_and_its_expiry,
            a_device_registers_once_for_one_learner,
            a_known_device_needs_no_code_and_keeps_its_binding,
            records_are_stored_exactly_once,
            gaps_and_forks_are_stored_and_flagged,
            reports_give_the_same_rows_on_every_engine,
            a_trainer_links_a_new_identity_to_the_old_one_with_an_audit_entry,
            credentials_are_stored_once_per_record_numbered_and_revoked_by_bit,
            two_passes_of_one_achievement_at_once_get_exactly_one_credential,
            an_exchange_issues_to_one_wallet_once_and_the_copy_goes_with_the_original,
            a_pack_is_offered_to_many_groups_a_version_is_immutable_and_codes_are_revoked,
            a_scope_sees_only_its_groups_in_every_view
        );
    };
    (@cases $engine:ident, $fresh:expr, $attrs:tt, $($case:ident),+ $(,)?) => {
        mod $engine {
            $(conformance!(@case $attrs, $case, $fresh);)+
        }
    };
    (@case [$($attr:tt)*], $case:ident, $fresh:expr) => {
        #[test]
        $($attr)*
        fn $case() {
            super::run(super::cases::$case, $fresh);
        }
    };
}

conformance!(sqlite, super::Fresh::sqlite());
conformance!(
    postgres,
    super::Fresh::postgres(),
    #[ignore = "PostgreSQL: run under scripts/with-postgres with -- --include-ignored"]
);
