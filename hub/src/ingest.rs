//! Checking and storing records, whichever way they came: pushed by their device, or carried
//! in a relay bundle by a trainer. Either way each record must verify under its device key and
//! be about the device's learner; the storage layer then keeps it once and checks the chain.

use std::sync::OnceLock;

use skillpack_core::keys::PublicKey;
use skillpack_core::ledger::{verify_many, RelayBundle, SignedRecord};
use skillpack_core::protocol::{RecordResult, RecordStatus};

use tokio::sync::Semaphore;

use crate::error::HubError;
use crate::storage::{HubDb, RegisterRefusal, VerifiedRecord};

/// Verifies each record (signature, digest, signer, learner); the good ones are ready to
/// store, the others get a rejection naming why. Signatures are checked in one batch.
pub fn check_records(
    records: Vec<SignedRecord>,
    device: &str,
    learner: &str,
) -> (Vec<VerifiedRecord>, Vec<RecordResult>) {
    let verified = verify_many(&records);
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for (signed, signature) in records.into_iter().zip(verified) {
        let checked = if signed.record.device != device {
            Err("signed by another device than the one pushing it".to_owned())
        } else if signed.record.learner != learner {
            Err("about another learner than the device's".to_owned())
        } else {
            signature.map_err(|e| e.to_string()).and_then(|verified| {
                String::from_utf8(verified.canonical)
                    .map(|body| (body, verified.hash))
                    .map_err(|e| e.to_string())
            })
        };
        match checked {
            Ok((body, hash)) => good.push(VerifiedRecord {
                hash: hash.0,
                body,
                signed,
            }),
            Err(why) => bad.push(RecordResult {
                id: signed.record.id.clone(),
                status: RecordStatus::Rejected,
                note: Some(why),
            }),
        }
    }
    (good, bad)
}

/// [`check_records`] on the blocking pool, at most one batch per core at a time. Without the
/// bound, a hundred concurrent pushes verify on a hundred threads that share the cores with
/// the one thread that writes, and the writer, which every push waits for, gets a sliver.
pub async fn check_records_async(
    records: Vec<SignedRecord>,
    device: String,
    learner: String,
) -> Result<(Vec<VerifiedRecord>, Vec<RecordResult>), HubError> {
    static VERIFIERS: OnceLock<Semaphore> = OnceLock::new();
    let verifiers = VERIFIERS.get_or_init(|| {
        Semaphore::new(std::thread::available_parallelism().map_or(2, usize::from))
    });
    let _permit = verifiers
        .acquire()
        .await
        .map_err(|e| HubError::Task(e.to_string()))?;
    tokio::task::spawn_blocking(move || check_records(records, &device, &learner))
        .await
        .map_err(|e| HubError::Task(e.to_string()))
}

/// What importing a relay bundle did.
#[derive(Debug)]
pub enum RelayImport {
    /// The records were checked and stored (one result each).
    Done(Vec<RecordResult>),
    /// The device is registered to another learner than the bundle says.
    OtherLearner,
}

/// Imports a bundle a trainer carried: registers its device in `group` if the hub has never
/// seen it (the operator vouches for it by importing), then checks and stores each record.
pub async fn import_relay(
    db: &HubDb,
    bundle: RelayBundle,
    group: &str,
) -> Result<RelayImport, HubError> {
    let device = PublicKey::parse(&bundle.device)
        .map_err(|e| HubError::Damaged(format!("device key: {e}")))?;
    match db
        .register_relayed(device, bundle.learner.clone(), group.to_owned())
        .await?
    {
        Ok(()) => {}
        Err(RegisterRefusal::OtherLearner) => return Ok(RelayImport::OtherLearner),
        Err(RegisterRefusal::BadCode) => {
            return Err(HubError::Damaged("relay registration needs no code".into()))
        }
    }
    let (device_did, learner) = (bundle.device.clone(), bundle.learner.clone());
    let (verified, mut refused) = check_records_async(bundle.records, device_did, learner).await?;
    let mut results = db.ingest(device, verified).await?;
    results.append(&mut refused);
    Ok(RelayImport::Done(results))
}
