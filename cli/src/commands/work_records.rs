//! `skillpack credential issue-work-record`: a platform issues its workers' work records
//! (docs/credentials.md, "Work records") from its own export, a CSV or a JSON file, signed with
//! the platform's key as its `did:key` or its `did:web`. Every row is checked before anything
//! is written: one wrong row stops the run with its line, and no file is half written.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use chrono::{NaiveDate, Utc};
use clap::Args;
use serde::Deserialize;
use skillpack_core::credential::work_record::{
    controller_document, issue_work_record, PlatformSigner, Rating, Review, WorkRecord,
};
use skillpack_core::credential::{did_web_url, Contexts};
use skillpack_core::keys::file::read_secret;
use skillpack_core::keys::PublicKey;

use super::credential::{random_uuid, read_bounded, read_issuer_file};
use super::CommandResult;

/// Largest export read: 100,000 workers of a few hundred bytes each.
const MAX_EXPORT_BYTES: usize = 64 * 1024 * 1024;
/// Most records one run issues.
const MAX_RECORDS: usize = 100_000;

/// `skillpack credential issue-work-record`.
#[derive(Args)]
pub struct IssueWorkRecordArgs {
    /// The platform's secret key (NAME.key).
    #[arg(long)]
    key: PathBuf,
    /// The platform's description (TOML: name, url, country_code, country, region).
    #[arg(long)]
    issuer: PathBuf,
    /// Sign as this did:web (did:web:platform.example) instead of the key's did:key; the
    /// controller document to publish for it is written to the output folder as did.json.
    #[arg(long)]
    did_web: Option<String>,
    /// The workers' records: a CSV (worker, occupation, occupation_name, start, end, tasks,
    /// and optionally rating, rating_min, rating_max, ratings_count) or a JSON list.
    #[arg(long)]
    records: PathBuf,
    /// Client reviews to pass on, a CSV (worker, date, text, and optionally rating): each
    /// becomes a credential of its own.
    #[arg(long)]
    reviews: Option<PathBuf>,
    /// The folder to write the credentials into (made if missing).
    #[arg(short, long)]
    out: PathBuf,
}

/// A row of the records CSV.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordRow {
    worker: String,
    occupation: String,
    occupation_name: String,
    start: NaiveDate,
    end: NaiveDate,
    tasks: u32,
    #[serde(default)]
    rating: Option<f64>,
    #[serde(default)]
    rating_min: Option<f64>,
    #[serde(default)]
    rating_max: Option<f64>,
    #[serde(default)]
    ratings_count: Option<u32>,
}

/// A row of the reviews CSV: `occupation` says which record of the worker it goes with,
/// needed only when the worker has several.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewRow {
    worker: String,
    date: NaiveDate,
    text: String,
    #[serde(default)]
    rating: Option<f64>,
    #[serde(default)]
    occupation: Option<String>,
}

/// Runs `credential issue-work-record`.
pub fn run(args: IssueWorkRecordArgs) -> CommandResult {
    let key = read_secret(&args.key)?;
    let platform = read_issuer_file(&args.issuer)?;
    if let Some(did) = &args.did_web {
        if did_web_url(did).is_none() {
            bail!(
                "{did} is not a did:web this tool can publish (did:web:host or did:web:host:path)"
            );
        }
    }
    let mut records = read_records(&args.records)?;
    if let Some(path) = &args.reviews {
        attach_reviews(&mut records, path)?;
    }
    // Every record is checked before any file is written.
    for (n, record) in records.iter().enumerate() {
        record
            .check()
            .with_context(|| format!("{}: record {}", args.records.display(), n + 1))?;
    }
    std::fs::create_dir_all(&args.out).with_context(|| format!("making {}", args.out.display()))?;
    let signer = PlatformSigner {
        key: &key,
        did_web: args.did_web.as_deref(),
    };
    let now = Utc::now();
    let mut written = 0usize;
    for (n, record) in records.iter().enumerate() {
        let mut ids = (0..=record.reviews.len())
            .map(|_| random_uuid().map(|id| format!("urn:uuid:{id}")))
            .collect::<anyhow::Result<Vec<_>>>()?
            .into_iter();
        let credentials = issue_work_record(
            &platform,
            signer,
            record,
            now,
            &mut || ids.next().unwrap_or_default(),
            Contexts::bundled(),
        )?;
        let worker = PublicKey::parse(&record.worker)?.fingerprint().to_string();
        for (k, credential) in credentials.iter().enumerate() {
            let name = if k == 0 {
                format!("{:05}-{worker}-record.json", n + 1)
            } else {
                format!("{:05}-{worker}-review-{k}.json", n + 1)
            };
            write_new(
                &args.out.join(name),
                &serde_json::to_vec_pretty(credential)?,
            )?;
            written += 1;
        }
    }
    outln!(
        "issued {written} credential{} for {} worker record{} into {}",
        if written == 1 { "" } else { "s" },
        records.len(),
        if records.len() == 1 { "" } else { "s" },
        args.out.display()
    );
    if let Some(did) = &args.did_web {
        let document = controller_document(did, &key.public_key());
        let path = args.out.join("did.json");
        std::fs::write(&path, serde_json::to_vec_pretty(&document)?)
            .with_context(|| format!("writing {}", path.display()))?;
        outln!(
            "publish {} at {} so that verifiers find the platform's key",
            path.display(),
            did_web_url(did).unwrap_or_default()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `bytes` to `path` whole (a temporary file renamed), never over another file.
fn write_new(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if path.exists() {
        bail!("{} exists already: give an empty folder", path.display());
    }
    let partial = path.with_extension("json.partial");
    std::fs::write(&partial, bytes).with_context(|| format!("writing {}", partial.display()))?;
    std::fs::rename(&partial, path).with_context(|| format!("writing {}", path.display()))
}

/// The records of a CSV or JSON export, bounded.
pub(crate) fn read_records(path: &Path) -> anyhow::Result<Vec<WorkRecord>> {
    let bytes = read_bounded(path, MAX_EXPORT_BYTES)?;
    if bytes.len() > MAX_EXPORT_BYTES {
        bail!("{} is larger than {MAX_EXPORT_BYTES} bytes", path.display());
    }
    let is_json = path.extension().is_some_and(|e| e == "json");
    let records: Vec<WorkRecord> = if is_json {
        serde_json::from_slice(&bytes).with_context(|| format!("reading {}", path.display()))?
    } else {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(bytes.as_slice());
        let mut records = Vec::new();
        for (n, row) in reader.deserialize::<RecordRow>().enumerate() {
            if n >= MAX_RECORDS {
                bail!("{} has more than {MAX_RECORDS} records", path.display());
            }
            let row = row.with_context(|| format!("{}: record {}", path.display(), n + 1))?;
            let rating = match (row.rating, row.rating_min, row.rating_max) {
                (Some(value), Some(min), Some(max)) => Some(Rating {
                    value,
                    min,
                    max,
                    count: row.ratings_count,
                }),
                (None, _, _) => None,
                _ => bail!(
                    "{}: record {}: a rating needs rating_min and rating_max, its scale",
                    path.display(),
                    n + 1
                ),
            };
            records.push(WorkRecord {
                worker: row.worker,
                occupation: row.occupation,
                occupation_name: row.occupation_name,
                start: row.start,
                end: row.end,
                tasks: row.tasks,
                rating,
                reviews: Vec::new(),
            });
        }
        records
    };
    if records.len() > MAX_RECORDS {
        bail!("{} has more than {MAX_RECORDS} records", path.display());
    }
    if records.is_empty() {
        bail!("{} holds no records", path.display());
    }
    Ok(records)
}

/// Adds each review of the reviews CSV to its worker's record (the one of its occupation
/// when the worker has several), bounded as the records are.
pub(crate) fn attach_reviews(records: &mut [WorkRecord], path: &Path) -> anyhow::Result<()> {
    use std::collections::HashMap;
    let bytes = read_bounded(path, MAX_EXPORT_BYTES)?;
    if bytes.len() > MAX_EXPORT_BYTES {
        bail!("{} is larger than {MAX_EXPORT_BYTES} bytes", path.display());
    }
    let mut by_worker: HashMap<String, Vec<usize>> = HashMap::new();
    for (n, record) in records.iter().enumerate() {
        by_worker.entry(record.worker.clone()).or_default().push(n);
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes.as_slice());
    for (n, row) in reader.deserialize::<ReviewRow>().enumerate() {
        let row: ReviewRow =
            row.with_context(|| format!("{}: review {}", path.display(), n + 1))?;
        let theirs = by_worker.get(&row.worker).map(Vec::as_slice).unwrap_or(&[]);
        let found: Vec<usize> = theirs
            .iter()
            .copied()
            .filter(|&i| {
                row.occupation
                    .as_ref()
                    .is_none_or(|o| *o == records[i].occupation)
            })
            .collect();
        let index = match found.as_slice() {
            [one] => *one,
            [] => bail!(
                "{}: review {} is for {}, who has no such record",
                path.display(),
                n + 1,
                row.worker
            ),
            _ => bail!(
                "{}: review {} is for {}, who has several records: add an occupation column",
                path.display(),
                n + 1,
                row.worker
            ),
        };
        let record = &mut records[index];
        if record.reviews.len() >= skillpack_core::credential::work_record::MAX_REVIEWS {
            bail!(
                "{}: review {}: {} has more than {} reviews for one record",
                path.display(),
                n + 1,
                row.worker,
                skillpack_core::credential::work_record::MAX_REVIEWS
            );
        }
        record.reviews.push(Review {
            date: row.date,
            text: row.text,
            rating: row.rating,
        });
    }
    Ok(())
}
