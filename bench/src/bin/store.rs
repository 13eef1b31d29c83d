//! The device store benchmark: `cargo run --release -p skillpack-bench --bin store`.
//! It measures, in one run: result records scored, signed, chained and durably committed per
//! second against plain SQLite inserts of rows of the same size in the same durability mode
//! (WAL, synchronous=FULL, one transaction each); opening a store with 100 installed modules
//! and listing its catalog; opening with 10,000 records (only what came after the last check
//! is checked) against the full check of them; reading one lesson from a pack of 1 module
//! and of 300 (time and peak memory), and the store's size on disk against the pack's.
//! Markdown out, for `docs/benchmarks.md`. `--real PACK` adds a row for a pack of real
//! documentation.
#![allow(clippy::print_stdout, missing_docs)]

#[path = "../alloc.rs"]
mod alloc;
#[path = "../timing.rs"]
mod timing;

#[global_allocator]
static ALLOC: alloc::Tracking = alloc::Tracking;

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use skillpack_core::module::SourceFiles;
use skillpack_core::pack::{PackInfo, PackReader, Variant};
use skillpack_core::store::Store;
use skillpack_core::testing::{module_files, pack_of, pack_with, publisher_key, right_answers};
use timing::{median, median_of};

fn main() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let w = work.path();
    let now: DateTime<Utc> = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();

    println!("## Device store\n");
    let (store, body_len) = store_with_records(w, now, RECORDS)?;
    let (per_record, per_insert) = time_interleaved(&store, now, &w.join("plain"), body_len, 300)?;
    println!("| what | per item | per second |");
    println!("|---|---|---|");
    println!(
        "| submit: score, sign, chain, commit (synchronous=FULL) | {} | {:.0} |",
        ms(per_record),
        1.0 / per_record.as_secs_f64()
    );
    println!(
        "| plain INSERT of a {body_len}-byte row, one transaction each, same mode | {} | {:.0} |",
        ms(per_insert),
        1.0 / per_insert.as_secs_f64()
    );
    println!(
        "\nRatio (target >= 0.5): **{:.2}**\n",
        per_insert.as_secs_f64() / per_record.as_secs_f64()
    );
    drop(store);

    let dir = w.join("library");
    let store = Store::open(&dir)?;
    store.trust(&publisher_key().public_key(), "bench")?;
    for i in 0..100 {
        let path = w.join(format!("m{i}.skillpack"));
        std::fs::write(&path, single_module_pack(&format!("module-{i:03}"), i)?)?;
        store.install(&path)?;
    }
    drop(store);
    let open_catalog = median(11, || {
        let store = Store::open(&dir).expect("opens");
        assert_eq!(store.catalog(now).expect("catalog").len(), 100);
    });
    let store = Store::open(&dir)?;
    store.lesson("module-042", 1)?;
    let lesson = median(201, || {
        std::hint::black_box(store.lesson("module-042", 1).expect("reads"));
    });
    let records_dir = w.join("records");
    // The first open after the records were written checks them all and keeps a checkpoint.
    let first_open = median(1, || {
        std::hint::black_box(Store::open(&records_dir).expect("opens"));
    });
    let open_records = median(11, || {
        std::hint::black_box(Store::open(&records_dir).expect("opens"));
    });
    let full_check = {
        let opened = Store::open(&records_dir)?;
        median(3, || {
            std::hint::black_box(opened.check().expect("intact"));
        })
    };
    println!("| what | median |");
    println!("|---|---|");
    println!(
        "| open a store with 100 installed modules and list the catalog | {} |",
        ms(open_catalog)
    );
    println!(
        "| open a store holding {RECORDS} records (those since the last check are checked) | {} |",
        ms(open_records)
    );
    println!(
        "| the first open after they were written (all {RECORDS} checked) | {} |",
        ms(first_open)
    );
    println!(
        "| the full check on demand (`device check`: every signature and link) | {} |",
        ms(full_check)
    );
    println!(
        "| read one lesson with its media from the store (warm) | {} |",
        ms(lesson)
    );
    drop(store);

    println!("\n### One lesson as the catalogue grows\n");
    println!("| modules in the installed pack | read one lesson (median, warm) | peak heap of a read | pack | store on disk | what the store grew by / pack |");
    println!("|---|---|---|---|---|---|");
    for modules in [1, 30, 300] {
        let pack = w.join(format!("catalogue-{modules}.skillpack"));
        std::fs::write(&pack, catalogue_pack(modules)?)?;
        let row = installed_row(
            &w.join(format!("catalogue-{modules}")),
            &pack,
            &format!("topic-{:03}", modules / 2),
            1,
        )?;
        println!("| {modules} | {row} |");
    }
    if let Some(real) = real_pack_arg() {
        let reader = PackReader::open_path(&real)?;
        let modules = &reader.manifest().modules;
        let module = modules
            .get(modules.len() / 2)
            .map(|m| m.id.clone())
            .ok_or_else(|| anyhow::anyhow!("a pack without modules"))?;
        let row = installed_row(&w.join("real"), &real, &module, 0)?;
        let name = real.file_name().map(|n| n.to_string_lossy().into_owned());
        println!(
            "| {} (real documentation) | {row} |",
            name.unwrap_or_default()
        );
    }
    Ok(())
}

/// The pack given as `--real PACK`: a text pack of real documentation, such as one language
/// of the catalogue `bench/scripts/real_catalogue.py` makes, built with `skillpack build`.
fn real_pack_arg() -> Option<std::path::PathBuf> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--real")
        .and_then(|i| args.get(i + 1))
        .map(std::path::PathBuf::from)
}

/// Installs `pack` into a new store in `dir` and measures reading `lesson` of `module` and
/// what the store grew by: the columns of the table after the first.
fn installed_row(dir: &Path, pack: &Path, module: &str, lesson: usize) -> anyhow::Result<String> {
    let bytes = std::fs::metadata(pack)?.len();
    let store = Store::open(dir)?;
    store.trust(&publisher_key().public_key(), "bench")?;
    drop(store);
    let empty = disk_size(dir)?;
    let store = Store::open(dir)?;
    store.trust(&PackReader::open_path(pack)?.publisher(), "bench")?;
    store.install(pack)?;
    store.lesson(module, lesson)?;
    let read = median(201, || {
        std::hint::black_box(store.lesson(module, lesson).expect("reads"));
    });
    let (_, peak) = alloc::peak_during(|| store.lesson(module, lesson).expect("reads"));
    drop(store);
    let on_disk = disk_size(dir)?;
    // A pack of a few KB fits in the pages an empty store already has.
    let growth = match on_disk.saturating_sub(empty) {
        0 => "-".to_owned(),
        grown => format!("{:.2}", grown as f64 / bytes as f64),
    };
    Ok(format!(
        "{} | {:.1} KiB | {:.1} KB | {:.1} KB ({:.1} KB empty) | {growth}",
        ms(read),
        peak as f64 / 1024.0,
        bytes as f64 / 1e3,
        on_disk as f64 / 1e3,
        empty as f64 / 1e3,
    ))
}

/// Records in the store whose open time is measured.
const RECORDS: usize = 10_000;

/// Bytes of every file in a store folder (database, WAL, keys), so the WAL counts too.
fn disk_size(dir: &Path) -> anyhow::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let meta = entry?.metadata()?;
        if meta.is_file() {
            total += meta.len();
        }
    }
    Ok(total)
}

/// A text pack of `modules` modules, five lessons of about 3 KB of varied prose each, as a
/// documentation catalogue is.
fn catalogue_pack(modules: usize) -> anyhow::Result<Vec<u8>> {
    const WORDS: &[&str] = &[
        "the", "rider", "checks", "brakes", "before", "every", "trip", "and", "keeps", "a", "safe",
        "distance", "from", "cars", "customer", "order", "payment", "mobile", "money", "phone",
        "message", "delivery", "address", "street", "helmet", "light", "night", "rain", "road",
        "signal", "turn", "left", "right", "slow", "stop", "wait", "ask", "call", "price",
        "receipt", "cash", "agent", "code", "never", "share", "your", "pin", "with",
    ];
    let mut seed = 0x2545_f491_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut all = Vec::new();
    for m in 0..modules {
        let id = format!("topic-{m:03}");
        let mut files = module_files(&id);
        for l in 0..5 {
            let mut text = format!("# Part {l} of topic {m}\n\n");
            while text.len() < 3_000 {
                for _ in 0..12 {
                    text.push_str(WORDS[(next() % WORDS.len() as u64) as usize]);
                    text.push(' ');
                }
                text.push_str(".\n\n");
            }
            files.insert(format!("lessons/0{}-part.md", l + 4), text);
        }
        all.push(files);
    }
    let info = PackInfo {
        id: format!("catalogue-{modules}"),
        version: "1.0.0".into(),
        variant: Variant::Text,
    };
    Ok(pack_with(&all, info, |_| {}, &publisher_key()))
}

/// A module that allows unlimited attempts with no cooldown, so the bench can submit freely.
fn endless_module(id: &str) -> SourceFiles {
    let mut files = module_files(id);
    let toml = String::from_utf8_lossy(files.get("module.toml").unwrap_or_default())
        .replace("attempts = 3", "attempts = 0")
        .replace("cooldown_minutes = 30", "cooldown_minutes = 0");
    files.insert("module.toml", toml);
    files
}

fn single_module_pack(id: &str, seed: usize) -> anyhow::Result<Vec<u8>> {
    let mut files = endless_module(id);
    files.insert(
        "lessons/03-extra.md",
        format!("# Extra {seed}\n\nMore words for module {seed}.\n"),
    );
    let info = PackInfo {
        id: format!("pack-{id}"),
        version: "1.0.0".into(),
        variant: Variant::Full,
    };
    Ok(pack_with(&[files], info, |_| {}, &publisher_key()))
}

/// A store with one endless module and `records` submitted attempts in a folder of its own
/// (`records/`), kept for the open-time measurement; returns a store for timing submits
/// and the size of a record's body.
fn store_with_records(
    w: &Path,
    now: DateTime<Utc>,
    records: usize,
) -> anyhow::Result<(Store, usize)> {
    let make = |dir: &Path| -> anyhow::Result<Store> {
        let store = Store::open(dir)?;
        store.trust(&publisher_key().public_key(), "bench")?;
        let pack = dir.join("endless.skillpack");
        std::fs::write(
            &pack,
            pack_of(
                &[endless_module("endless")],
                Variant::Text,
                &publisher_key(),
            ),
        )?;
        store.install(&pack)?;
        Ok(store)
    };
    let filled = make(&w.join("records"))?;
    let mut body_len = 0;
    for i in 0..records {
        let (_, record) = take(&filled, now, i as u64)?;
        body_len = record.to_canonical_json()?.len();
    }
    Ok((make(&w.join("timing"))?, body_len))
}

fn take(
    store: &Store,
    now: DateTime<Utc>,
    seed: u64,
) -> anyhow::Result<(
    skillpack_core::assess::Outcome,
    skillpack_core::ledger::SignedRecord,
)> {
    let attempt = store.start_attempt("endless", now, seed)?;
    let answers = right_answers(&store.module("endless")?);
    for q in &attempt.questions {
        if let Some(a) = answers.get(&q.id) {
            store.answer("endless", &q.id, a.clone(), Duration::from_secs(1))?;
        }
    }
    Ok(store.submit("endless", now, Duration::from_secs(30), &[])?)
}

/// Median time of `submit` alone (the attempt is started and answered untimed) and of one
/// plain INSERT + COMMIT of a `len`-byte row in WAL with synchronous=FULL, taken in turn in
/// the same loop so that the machine's drift affects both alike.
fn time_interleaved(
    store: &Store,
    now: DateTime<Utc>,
    plain_dir: &Path,
    len: usize,
    n: usize,
) -> anyhow::Result<(Duration, Duration)> {
    std::fs::create_dir_all(plain_dir)?;
    let conn = Connection::open(plain_dir.join("plain.db"))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch(
        "CREATE TABLE rows (seq INTEGER PRIMARY KEY, id TEXT UNIQUE, hash BLOB, body TEXT)",
    )?;
    let body = "x".repeat(len);
    let answers = right_answers(&store.module("endless")?);
    let (mut submits, mut inserts) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        let attempt = store.start_attempt("endless", now, i as u64)?;
        for q in &attempt.questions {
            if let Some(a) = answers.get(&q.id) {
                store.answer("endless", &q.id, a.clone(), Duration::from_secs(1))?;
            }
        }
        let start = Instant::now();
        store.submit("endless", now, Duration::from_secs(30), &[])?;
        submits.push(start.elapsed());

        let start = Instant::now();
        conn.execute("BEGIN IMMEDIATE", [])?;
        conn.execute(
            "INSERT INTO rows (id, hash, body) VALUES (?1, ?2, ?3)",
            rusqlite::params![format!("id-{i}"), [0u8; 32].as_slice(), body],
        )?;
        conn.execute("COMMIT", [])?;
        inserts.push(start.elapsed());
    }
    Ok((median_of(submits), median_of(inserts)))
}

fn ms(d: Duration) -> String {
    if d < Duration::from_millis(1) {
        format!("{:.0} µs", d.as_secs_f64() * 1e6)
    } else {
        format!("{:.2} ms", d.as_secs_f64() * 1e3)
    }
}
