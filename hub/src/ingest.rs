//! Taking records in, whichever way they came: pushed by their device, or carried in a relay
//! bundle by a trainer. The rule is core's (`ledger::admit`: signed by the device, about its
//! learner, verifying); this file runs it off the async threads and hands what passed to
//! storage, which keeps each record once and flags gaps and forks.

use std::sync::OnceLock;

use skillpack_core::keys::PublicKey;
use skillpack_core::ledger::{admit, Admitted, RelayBundle, SignedRecord};
use skillpack_core::protocol::{RecordResult, RecordStatus};

use tokio::sync::Semaphore;

use crate::error::HubError;
use crate::storage::{HubDb, RegisterRefusal};

/// [`admit`] on the blocking pool, at most one batch per core at a time. Without the bound, a
/// hundred concurrent pushes verify on a hundred threads that share the cores with the one
/// thread that writes, and the writer, which every push waits for, gets a sliver.
pub async fn check_records_async(
    records: Vec<SignedRecord>,
    device: String,
    learner: String,
) -> Result<Admitted, HubError> {
    static VERIFIERS: OnceLock<Semaphore> = OnceLock::new();
    let verifiers = VERIFIERS.get_or_init(|| {
        Semaphore::new(std::thread::available_parallelism().map_or(2, usize::from))
    });
    let _permit = verifiers
        .acquire()
        .await
        .map_err(|e| HubError::Task(e.to_string()))?;
    Ok(tokio::task::spawn_blocking(move || admit(records, &device, &learner)).await?)
}

/// Admits a device's records and stores those that pass: one result per record, the stored
/// ones (in chain order) first, then the refused ones with their reason as the note.
pub async fn take_records(
    db: &HubDb,
    device: PublicKey,
    learner: String,
    records: Vec<SignedRecord>,
) -> Result<Vec<RecordResult>, HubError> {
    let admitted = check_records_async(records, device.to_did_key(), learner).await?;
    let mut results = db.ingest(device, admitted.verified).await?;
    results.extend(admitted.refused.into_iter().map(|r| RecordResult {
        id: r.id,
        status: RecordStatus::Rejected,
        note: Some(r.reason.to_string()),
    }));
    Ok(results)
}

/// What importing a relay bundle did.
#[derive(Debug)]
pub enum RelayImport {
    /// The records were checked and stored (one result each).
    Done(Vec<RecordResult>),
    /// The device is registered to another learner than the bundle says.
    OtherLearner,
    /// The bundle's device is not a key.
    NotADevice,
}

/// Imports a bundle a trainer carried: registers its device in `group` if the hub has never
/// seen it (the operator vouches for it by importing), then checks and stores each record.
pub async fn import_relay(
    db: &HubDb,
    bundle: RelayBundle,
    group: &str,
) -> Result<RelayImport, HubError> {
    // `RelayBundle::parse` refuses such a bundle; one built otherwise is refused here.
    let Ok(device) = PublicKey::parse(&bundle.device) else {
        return Ok(RelayImport::NotADevice);
    };
    match db
        .register_relayed(device, bundle.learner.clone(), group.to_owned())
        .await?
    {
        Ok(()) => {}
        // A relayed registration takes no code, so another learner is its only refusal.
        Err(RegisterRefusal::OtherLearner | RegisterRefusal::BadCode) => {
            return Ok(RelayImport::OtherLearner)
        }
    }
    let results = take_records(db, device, bundle.learner, bundle.records).await?;
    Ok(RelayImport::Done(results))
}
